import Foundation

// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/pen.js. Fix both together.

/// The polygon cairo draws round caps and joins with: a circle of the half line width, scaled to
/// device space, with as few vertices as keep it within 0.1 pixel of the true circle.
struct Pen: Sendable {
    /// Vertex offsets from the pen's centre, in 1/256 pixel, counter-clockwise from angle 0.
    var vertices: [FixedPoint]
    /// For vertex i, the direction from vertex i-1 to i.
    var slopeIn: [Slope]
    /// For vertex i, the direction from vertex i to i+1.
    var slopeOut: [Slope]

    /// The pen of a `radius` (user units) circle under a uniform `scale` to device pixels.
    init(radius: Double, scale: Double) {
        let tolerance = 0.1
        // cairo's major axis of the transformed circle: radius * sqrt(f + hypot(g, h)), g = h = 0.
        let majorAxis = radius * (scale * scale).squareRoot()
        var count: Int
        if tolerance >= 4 * majorAxis {
            count = 1
        } else if tolerance >= majorAxis {
            count = 4
        } else {
            count = Int((2 * Double.pi / acos(1 - tolerance / majorAxis)).rounded(.up))
            if count % 2 == 1 { count += 1 }
            count = max(count, 4)
        }
        let points = (0..<count).map { i in
            let theta = 2 * Double.pi * Double(i) / Double(count)
            return FixedPoint(
                x: fixed(scale * (radius * cos(theta))), y: fixed(scale * (radius * sin(theta))))
        }
        vertices = points
        slopeIn = (0..<count).map { i in Slope(from: points[(i + count - 1) % count], to: points[i]) }
        slopeOut = (0..<count).map { i in Slope(from: points[i], to: points[(i + 1) % count]) }
    }

    /// The vertices a clockwise fan from direction `incoming` to `outgoing` passes, as the half-open
    /// index range `start` up to `stop` stepping forwards (cairo's binary search, tie rules included).
    func clockwiseRange(from incoming: Slope, to outgoing: Slope) -> (start: Int, stop: Int) {
        let n = vertices.count
        var lo = 0
        var hi = n
        var i = (lo + hi) >> 1
        repeat {
            if Slope.compare(slopeIn[i], incoming) < 0 { lo = i } else { hi = i }
            i = (lo + hi) >> 1
        } while hi - lo > 1
        if Slope.compare(slopeIn[i], incoming) < 0 {
            i += 1
            if i == n { i = 0 }
        }
        let start = i
        if Slope.compare(outgoing, slopeOut[i]) >= 0 {
            lo = i
            hi = i + n
            i = (lo + hi) >> 1
            repeat {
                let j = i >= n ? i - n : i
                if Slope.compare(slopeIn[j], outgoing) > 0 { hi = i } else { lo = i }
                i = (lo + hi) >> 1
            } while hi - lo > 1
            if i >= n { i -= n }
        }
        return (start, i)
    }

    /// The vertices a counter-clockwise fan from `incoming` to `outgoing` passes, as the range
    /// `start` down to `stop` stepping backwards.
    func counterClockwiseRange(from incoming: Slope, to outgoing: Slope) -> (start: Int, stop: Int) {
        let n = vertices.count
        var lo = 0
        var hi = n
        var i = (lo + hi) >> 1
        repeat {
            if Slope.compare(incoming, slopeOut[i]) < 0 { lo = i } else { hi = i }
            i = (lo + hi) >> 1
        } while hi - lo > 1
        if Slope.compare(incoming, slopeOut[i]) < 0 {
            i += 1
            if i == n { i = 0 }
        }
        let start = i
        if Slope.compare(slopeIn[i], outgoing) <= 0 {
            lo = i
            hi = i + n
            i = (lo + hi) >> 1
            repeat {
                let j = i >= n ? i - n : i
                if Slope.compare(outgoing, slopeOut[j]) > 0 { hi = i } else { lo = i }
                i = (lo + hi) >> 1
            } while hi - lo > 1
            if i >= n { i -= n }
        }
        return (start, i)
    }
}
