import Foundation

// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/stroker.js. Fix both together.

/// The end of one straight piece of a stroke: its centre, its two outline corners, its direction.
struct StrokeFace {
    var point: FixedPoint
    var cw: FixedPoint
    var ccw: FixedPoint
    var direction: Slope
    /// `direction` as a unit vector in device space.
    var unitX = 0.0
    var unitY = 0.0
}

/// Outlining one stroke (the fixed-point path in `path`) into polygon edges, as cairo's polygon
/// stroker does: the two sides of the stroke are traced as open contours, round joins and caps
/// are fans of pen vertices, and the contours' edges are handed to the scan converter.
extension RasterWorkspace {
    mutating func strokePath(pen: Pen) {
        beginPolygon()
        guard pen.vertices.count > 1, let first = path.first else { return }
        cwContour.removeAll(keepingCapacity: true)
        ccwContour.removeAll(keepingCapacity: true)
        var current = StrokeFace(point: first, cw: first, ccw: first, direction: Slope(dx: 0, dy: 0))
        var firstFace = current
        var hasCurrentFace = false
        var hasFirstFace = false
        for point in path.dropFirst() where point != current.point {
            let direction = Slope(from: current.point, to: point)
            let start = face(at: current.point, direction: direction)
            if hasCurrentFace {
                let turn = Slope.compare(current.direction, start.direction)
                if turn != 0 { join(current, start, clockwise: turn < 0, pen: pen) }
            } else {
                if !hasFirstFace {
                    firstFace = start
                    hasFirstFace = true
                }
                hasCurrentFace = true
                cwContour.append(start.cw)
                ccwContour.append(start.ccw)
            }
            current = start
            current.point = point
            current.cw = FixedPoint(x: start.cw.x + direction.dx, y: start.cw.y + direction.dy)
            current.ccw = FixedPoint(x: start.ccw.x + direction.dx, y: start.ccw.y + direction.dy)
            cwContour.append(current.cw)
            ccwContour.append(current.ccw)
        }
        if !hasCurrentFace {
            // A path that never moves (a dot): a full circle of pen vertices around the point.
            let dot = face(at: first, direction: Slope(dx: 256, dy: 0))
            addCap(reversed(dot), pen: pen)
            addCap(dot, pen: pen)
            ccwContour.append(ccwContour[0])
            addContour(ccwContour, direction: -1)
            return
        }
        addCap(current, pen: pen)
        addContour(ccwContour, direction: -1)
        ccwContour.removeAll(keepingCapacity: true)
        ccwContour.append(firstFace.cw)
        addCap(reversed(firstFace), pen: pen)
        addContour(ccwContour, direction: -1)
        addContour(cwContour, direction: 1)
    }

    /// The face of a segment leaving `point` in `direction`: the half-width offset is computed in
    /// user space from the renormalised direction, then scaled back and rounded, as cairo does.
    private func face(at point: FixedPoint, direction: Slope) -> StrokeFace {
        var dx = Double(direction.dx) / 256.0
        var dy = Double(direction.dy) / 256.0
        normalize(&dx, &dy)
        let (unitX, unitY) = (dx, dy)
        dx *= inverseScale
        dy *= inverseScale
        normalize(&dx, &dy)
        let offset = FixedPoint(x: fixed(scale * (-dy * 8.0)), y: fixed(scale * (dx * 8.0)))
        return StrokeFace(
            point: point, cw: FixedPoint(x: point.x - offset.x, y: point.y - offset.y),
            ccw: FixedPoint(x: point.x + offset.x, y: point.y + offset.y), direction: direction,
            unitX: unitX, unitY: unitY)
    }

    /// Scales (`dx`, `dy`) to unit length, exactly for axis directions and with `hypot` otherwise.
    private func normalize(_ dx: inout Double, _ dy: inout Double) {
        if dx == 0 {
            dy = dy > 0 ? 1 : -1
        } else if dy == 0 {
            dx = dx > 0 ? 1 : -1
        } else {
            let length = hypot(dx, dy)
            dx /= length
            dy /= length
        }
    }

    /// The same face seen from the other end: direction reversed, sides swapped.
    private func reversed(_ face: StrokeFace) -> StrokeFace {
        StrokeFace(
            point: face.point, cw: face.ccw, ccw: face.cw,
            direction: Slope(dx: -face.direction.dx, dy: -face.direction.dy))
    }

    /// A round join: a fan on the outer side of the turn, and a notch through the centre inside.
    private mutating func join(_ incoming: StrokeFace, _ outgoing: StrokeFace, clockwise: Bool, pen: Pen) {
        if incoming.cw != outgoing.cw || incoming.ccw != outgoing.ccw {
            // cairo versions differ on bevelling very flat joins; none of Google's bitmaps depends on it.
            if clockwise {
                addFan(
                    incoming.direction, outgoing.direction, around: incoming.point, clockwise: true, pen: pen)
                cwContour.append(outgoing.cw)
            } else {
                addFan(
                    incoming.direction, outgoing.direction, around: incoming.point, clockwise: false, pen: pen
                )
                ccwContour.append(outgoing.ccw)
            }
        }
        if clockwise {
            ccwContour.append(incoming.point)
            ccwContour.append(outgoing.ccw)
        } else {
            cwContour.append(incoming.point)
            cwContour.append(outgoing.cw)
        }
    }

    /// A round cap at `face` (pointing out of the stroke), appended to the counter-clockwise side.
    private mutating func addCap(_ face: StrokeFace, pen: Pen) {
        let back = Slope(dx: -face.direction.dx, dy: -face.direction.dy)
        addFan(face.direction, back, around: face.point, clockwise: false, pen: pen)
        ccwContour.append(face.cw)
    }

    /// Appends the pen vertices between two directions, centred on `center`, to the contour of
    /// that side (`cwContour` when `clockwise`, else `ccwContour`).
    private mutating func addFan(
        _ incoming: Slope, _ outgoing: Slope, around center: FixedPoint, clockwise: Bool, pen: Pen
    ) {
        let n = pen.vertices.count
        if clockwise {
            var (i, stop) = pen.clockwiseRange(from: incoming, to: outgoing)
            while i != stop {
                let v = pen.vertices[i]
                cwContour.append(FixedPoint(x: center.x + v.x, y: center.y + v.y))
                i = i + 1 == n ? 0 : i + 1
            }
        } else {
            var (i, stop) = pen.counterClockwiseRange(from: incoming, to: outgoing)
            while i != stop {
                let v = pen.vertices[i]
                ccwContour.append(FixedPoint(x: center.x + v.x, y: center.y + v.y))
                i = i == 0 ? n - 1 : i - 1
            }
        }
    }

    /// Hands the edges between consecutive contour points to the scan converter.
    private mutating func addContour(_ contour: [FixedPoint], direction: Int) {
        guard contour.count > 1 else { return }
        var previous = contour[0]
        for point in contour.dropFirst() {
            addEdge(from: previous, to: point, direction: direction)
            previous = point
        }
    }
}
