// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/normalize.js. Fix both together.

/// Turns raw drawings (any coordinates, as a browser or the game records them) into the form of
/// Google's simplified Quick, Draw! data, ready for `Rasterizer`.
///
/// The steps are Google's: align the drawing to the top left (subtract the minimum x and y); scale
/// it uniformly so the longer side spans `extent` (255), keeping its aspect ratio; resample every
/// stroke at `spacing` (1 unit) along its length; simplify every stroke with Ramer–Douglas–Peucker
/// at `epsilon` (2.0); and finally round to integers, as Google's files hold integers 0–255.
///
/// Precise choices, so that a JavaScript port gives the same numbers:
/// - Empty strokes are dropped. A drawing without points stays empty (it renders black).
/// - A drawing of zero size (one point, or all points equal) is not scaled: it becomes dots at 0.
/// - Resampling keeps each stroke's first point, then adds a point every `spacing` units of arc
///   length, each interpolated on its segment as `a + (b - a) * t`, then the last point if it is
///   not the last sample. A one-point stroke stays one point (a dot).
/// - Simplification measures the distance to the line through the two end points (to the point
///   itself when they coincide) and keeps the farthest point when that exceeds `epsilon`, the
///   first such point on ties; it is iterative, so long strokes cannot overflow the stack.
/// - Rounding is half up (JavaScript's `Math.round` on these non-negative values), clamped to
///   0...`extent`; a point equal to the one before it after rounding is dropped.
/// - Times (`t`) are dropped, since resampling makes new points.
/// - A non-finite coordinate (NaN or ±infinity) is rejected with a `DataError`, as is a drawing
///   whose size is not a finite `Double`.
public struct StrokeNormalizer: Sendable {
    /// The length of the longer side after scaling (Google: 255).
    public var extent = 255.0
    /// The distance between resampled points (Google: 1).
    public var spacing = 1.0
    /// The Ramer–Douglas–Peucker tolerance (Google: 2.0).
    public var epsilon = 2.0

    /// A normaliser with Google's parameters.
    public init() {}

    /// `drawing` normalised as Google simplified its drawings; its record fields are kept.
    ///
    /// - Parameter drawing: A raw drawing in any coordinates (y downwards).
    /// - Returns: The simplified drawing, integer coordinates in 0...`extent`.
    /// - Throws: `DataError` for a coordinate that is NaN or infinite.
    public func normalize(_ drawing: Drawing) throws -> Drawing {
        precondition(extent > 0 && spacing > 0 && epsilon >= 0, "normaliser parameters must be positive")
        var normalized = drawing
        normalized.strokes = []
        let strokes = drawing.strokes.filter { !$0.x.isEmpty }
        var minX = Double.infinity
        var minY = Double.infinity
        var maxX = -Double.infinity
        var maxY = -Double.infinity
        for (s, stroke) in strokes.enumerated() {
            for (x, y) in zip(stroke.x, stroke.y) {
                guard x.isFinite, y.isFinite else {
                    throw DataError("drawing", "stroke \(s) has a non-finite coordinate (\(x), \(y))")
                }
                minX = min(minX, x)
                minY = min(minY, y)
                maxX = max(maxX, x)
                maxY = max(maxY, y)
            }
        }
        guard !strokes.isEmpty else { return normalized }
        let size = max(maxX - minX, maxY - minY)
        guard size.isFinite else { throw DataError("drawing", "its size \(size) is not a finite number") }
        let scale = size > 0 ? extent / size : 1.0
        for stroke in strokes {
            let xs = stroke.x.map { ($0 - minX) * scale }
            let ys = stroke.y.map { ($0 - minY) * scale }
            let (rx, ry) = resample(xs, ys)
            let keep = simplify(rx, ry)
            var outX: [Double] = []
            var outY: [Double] = []
            for i in keep {
                let x = min(max(rx[i].rounded(.toNearestOrAwayFromZero), 0), extent)
                let y = min(max(ry[i].rounded(.toNearestOrAwayFromZero), 0), extent)
                if let lastX = outX.last, let lastY = outY.last, lastX == x, lastY == y { continue }
                outX.append(x)
                outY.append(y)
            }
            normalized.strokes.append(Stroke(x: outX, y: outY))
        }
        return normalized
    }

    /// The stroke resampled every `spacing` units of length, keeping both end points.
    func resample(_ xs: [Double], _ ys: [Double]) -> ([Double], [Double]) {
        var outX = [xs[0]]
        var outY = [ys[0]]
        var next = spacing  // distance from the current segment's start to the next sample
        for i in xs.indices.dropFirst() {
            let dx = xs[i] - xs[i - 1]
            let dy = ys[i] - ys[i - 1]
            let length = (dx * dx + dy * dy).squareRoot()
            guard length > 0 else { continue }
            var along = next
            while along <= length {
                let t = along / length
                outX.append(xs[i - 1] + dx * t)
                outY.append(ys[i - 1] + dy * t)
                along += spacing
            }
            next = along - length
        }
        if let lastX = xs.last, let lastY = ys.last, outX.last != lastX || outY.last != lastY {
            outX.append(lastX)
            outY.append(lastY)
        }
        return (outX, outY)
    }

    /// The indices Ramer–Douglas–Peucker keeps, in order.
    func simplify(_ xs: [Double], _ ys: [Double]) -> [Int] {
        let n = xs.count
        guard n > 2 else { return Array(0..<n) }
        var keep = [Bool](repeating: false, count: n)
        keep[0] = true
        keep[n - 1] = true
        var pending = [(0, n - 1)]
        while let (first, last) = pending.popLast() {
            let dx = xs[last] - xs[first]
            let dy = ys[last] - ys[first]
            let length = (dx * dx + dy * dy).squareRoot()
            var farthest = -1
            var distance = epsilon
            for i in (first + 1)..<last {
                let px = xs[i] - xs[first]
                let py = ys[i] - ys[first]
                let d = length > 0 ? abs(dx * py - dy * px) / length : (px * px + py * py).squareRoot()
                if d > distance {
                    distance = d
                    farthest = i
                }
            }
            if farthest >= 0 {
                keep[farthest] = true
                if farthest - first > 1 { pending.append((first, farthest)) }
                if last - farthest > 1 { pending.append((farthest, last)) }
            }
        }
        return (0..<n).filter { keep[$0] }
    }
}
