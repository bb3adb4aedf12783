import Foundation

// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/raster.js and sketch/fixed-point.js. Fix both together.

/// Renders stroke drawings to grey bitmaps exactly as Google made Quick, Draw!'s `numpy_bitmap` files.
///
/// Google drew each simplified drawing (coordinates in a 0–255 box) with cairo: a `side`×`side` ARGB32
/// surface painted black, the box plus 24 units of padding scaled onto it, the drawing centred on its
/// maximum x and y, then every stroke stroked white with width 16, round caps and joins and the best
/// anti-aliasing; the bitmap is the blue byte of each pixel. This type reproduces that recipe in plain
/// integer and `Double` arithmetic (no cairo): cairo 1.16's 24.8 fixed-point path, its polygonal pen
/// (tolerance 0.1 device pixels) and stroker, its 256×15 sub-sampling scan converter, and its 8-bit
/// OVER compositing, stroke after stroke. Every operation is deterministic and portable, so a port
/// to JavaScript numbers gives the same bytes.
///
/// A `Rasterizer` is an immutable value and safe to share between threads.
public struct Rasterizer: Sendable {
    /// The bitmap side Google used for its 28×28 `numpy_bitmap` files.
    public static let googleSide = 28
    /// The largest |coordinate| accepted; the fixed-point pipeline is only exact far inside this.
    public static let coordinateLimit = 65_536.0

    /// The width and height of the bitmaps, in pixels.
    public let side: Int
    let scale: Double
    let translation: Double
    let pen: Pen

    /// A rasterizer for `side`×`side` bitmaps (28 gives Google's bitmaps).
    ///
    /// - Parameter side: The bitmap size in pixels, 1 through 4,096.
    public init(side: Int = Rasterizer.googleSide) {
        precondition((1...4096).contains(side), "a bitmap side must be 1...4096 pixels")
        self.side = side
        // Google: line diameter 16 and padding 16 around the 256-unit box, so 304 units in all.
        scale = Double(side) / (256.0 + 48.0)
        translation = 24.0 * scale
        pen = Pen(radius: 8.0, scale: scale)
    }

    /// The bitmap of `drawing`, row-major, one byte per pixel: strokes 255 on a black (0) ground.
    ///
    /// - Parameter drawing: A drawing in Google's simplified coordinates (0–255, y downwards).
    /// - Returns: `side * side` bytes.
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`.
    public func render(_ drawing: Drawing) throws -> [UInt8] {
        try render(strokes: drawing.strokes)
    }

    /// The bitmap of a drawing made of `strokes`; see `render(_:)`. Empty strokes draw nothing.
    ///
    /// - Parameter strokes: Strokes in Google's simplified coordinates.
    /// - Returns: `side * side` bytes; all zero when there is no point at all.
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`.
    public func render(strokes: [Stroke]) throws -> [UInt8] {
        let (maxX, maxY) = try maximum(of: strokes)
        var bitmap = [UInt8](repeating: 0, count: side * side)
        guard maxX.isFinite else { return bitmap }
        var workspace = RasterWorkspace(side: side)
        draw(strokes, maxX: maxX, maxY: maxY, workspace: &workspace, into: &bitmap)
        return bitmap
    }

    /// The bounding maximum of `strokes`' points, or -infinity when there are none.
    ///
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`.
    func maximum(of strokes: [Stroke]) throws -> (x: Double, y: Double) {
        var maxX = -Double.infinity
        var maxY = -Double.infinity
        for stroke in strokes {
            for (x, y) in zip(stroke.x, stroke.y) {
                guard x.isFinite, y.isFinite, abs(x) <= Self.coordinateLimit,
                    abs(y) <= Self.coordinateLimit
                else {
                    throw DataError("drawing", "coordinate (\(x), \(y)) is not a finite value within ±65536")
                }
                maxX = max(maxX, x)
                maxY = max(maxY, y)
            }
        }
        return (maxX, maxY)
    }

    /// Strokes `strokes`, centred on their maximum (`maxX`, `maxY`), over a zeroed `bitmap`.
    func draw(
        _ strokes: [Stroke], maxX: Double, maxY: Double, workspace: inout RasterWorkspace,
        into bitmap: inout [UInt8]
    ) {
        // Google centres on the maximum only: offset = ((256, 256) - max) / 2, in Double as numpy does.
        let offsetX = (256.0 - maxX) / 2.0
        let offsetY = (256.0 - maxY) / 2.0
        for stroke in strokes where !stroke.x.isEmpty {
            workspace.path.removeAll(keepingCapacity: true)
            // Google's loop: move_to the first point, then line_to every point including the first.
            appendToPath(&workspace.path, stroke.x[0] + offsetX, stroke.y[0] + offsetY, isMove: true)
            for (x, y) in zip(stroke.x, stroke.y) {
                appendToPath(&workspace.path, x + offsetX, y + offsetY, isMove: false)
            }
            workspace.strokePath(pen: pen)
            workspace.sweepAndComposite(into: &bitmap)
        }
    }

    /// Adds a user-space point to a stroke's fixed-point path the way cairo's path builder does:
    /// a repeated point is dropped (except right after the move), and a segment continuing the
    /// previous one in the same direction replaces it.
    private func appendToPath(_ path: inout [FixedPoint], _ x: Double, _ y: Double, isMove: Bool) {
        // cairo's user-to-device: (scale * x + 0 * y) + translation, then rounded to 1/256 pixel.
        let point = FixedPoint(x: fixed(scale * x + translation), y: fixed(scale * y + translation))
        guard !isMove, let current = path.last else {
            path.append(point)
            return
        }
        if path.count >= 2 {
            if point == current { return }
            let before = path[path.count - 2]
            if before == current {
                path.removeLast()
            } else {
                let previous = Slope(from: before, to: current)
                let next = Slope(from: current, to: point)
                if previous.isParallel(to: next) && !previous.isOpposed(to: next) {
                    path.removeLast()
                }
            }
        }
        path.append(point)
    }
}

/// The 24.8 fixed-point value nearest `value`, ties to even (cairo's `_cairo_fixed_from_double`).
@inline(__always)
func fixed(_ value: Double) -> Int {
    Int((value * 256.0).rounded(.toNearestOrEven))
}

/// A point in device space, in 1/256 pixel.
struct FixedPoint: Equatable {
    var x: Int
    var y: Int
}

/// The direction between two fixed-point positions, compared exactly as cairo compares slopes.
struct Slope {
    var dx: Int
    var dy: Int

    init(dx: Int, dy: Int) {
        self.dx = dx
        self.dy = dy
    }

    init(from a: FixedPoint, to b: FixedPoint) {
        dx = b.x - a.x
        dy = b.y - a.y
    }

    /// The order of two directions by angle; zero vectors are greatest, and two opposed
    /// directions are ordered by the sign of the first.
    static func compare(_ a: Slope, _ b: Slope) -> Int {
        let lhs = a.dy * b.dx
        let rhs = b.dy * a.dx
        if lhs != rhs { return lhs < rhs ? -1 : 1 }
        let aZero = a.dx == 0 && a.dy == 0
        let bZero = b.dx == 0 && b.dy == 0
        if aZero || bZero { return aZero == bZero ? 0 : (aZero ? 1 : -1) }
        if (a.dx ^ b.dx) < 0 || (a.dy ^ b.dy) < 0 {
            return a.dx > 0 || (a.dx == 0 && a.dy > 0) ? -1 : 1
        }
        return 0
    }

    func isParallel(to other: Slope) -> Bool { dy * other.dx == other.dy * dx }

    func isOpposed(to other: Slope) -> Bool { ((dx ^ other.dx) | (dy ^ other.dy)) < 0 }
}
