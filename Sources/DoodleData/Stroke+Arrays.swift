// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/strokes.js. Fix both together.

extension Stroke {
    /// Strokes from the arrays a canvas or a Quick, Draw! file gives: each stroke `[[x, ...], [y, ...]]`,
    /// optionally with a third array of times, which is ignored.
    ///
    /// - Parameters:
    ///   - arrays: the strokes, as decoded from JSON.
    ///   - name: the file or request, for error messages.
    ///   - maxCoordinate: the largest absolute coordinate accepted.
    /// - Returns: the strokes, in order; a stroke may be empty.
    /// - Throws: `DataError` naming the stroke at fault: fewer than two arrays, more than three, x and y
    ///   of different lengths, or a coordinate that is not finite or beyond `maxCoordinate`.
    public static func strokes(
        fromArrays arrays: [[[Double]]], name: String, maxCoordinate: Double = .greatestFiniteMagnitude
    ) throws -> [Stroke] {
        try arrays.enumerated().map { index, stroke in
            guard stroke.count == 2 || stroke.count == 3 else {
                throw DataError(
                    name, "stroke \(index) has \(stroke.count) arrays; expected [[x, ...], [y, ...]]")
            }
            let (x, y) = (stroke[0], stroke[1])
            guard x.count == y.count else {
                throw DataError(name, "stroke \(index) has \(x.count) x but \(y.count) y coordinates")
            }
            for (point, (px, py)) in zip(x, y).enumerated() {
                guard px.isFinite, py.isFinite, abs(px) <= maxCoordinate, abs(py) <= maxCoordinate else {
                    throw DataError(
                        name,
                        "stroke \(index), point \(point): (\(px), \(py)) is out of range (±\(maxCoordinate))")
                }
            }
            return Stroke(x: x, y: y)
        }
    }
}
