// JavaScript twin, for the page: Sources/DoodleServer/Resources/sketch/raster.js. Fix both together.

/// A `Rasterizer` with its own working memory, for rendering many drawings in a row without
/// allocating: the path, outline, edge and coverage buffers are kept from one drawing to the next.
///
/// A session is a value; give each thread its own. Its bitmaps are byte for byte those of
/// `Rasterizer.render(_:)`.
public struct RasterizerSession: Sendable {
    /// The rasterizer whose bitmaps this session draws.
    public let rasterizer: Rasterizer
    private var workspace: RasterWorkspace

    /// A session drawing `rasterizer`'s bitmaps.
    ///
    /// - Parameter rasterizer: The bitmap side and pen to draw with.
    public init(_ rasterizer: Rasterizer = Rasterizer()) {
        self.rasterizer = rasterizer
        workspace = RasterWorkspace(side: rasterizer.side)
    }

    /// Draws `drawing` into `bitmap`, which is resized to `side * side` bytes and cleared first.
    ///
    /// - Parameters:
    ///   - drawing: A drawing in Google's simplified coordinates (0–255, y downwards).
    ///   - bitmap: Receives the bitmap, row-major, one byte per pixel; its storage is reused.
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`;
    ///   `bitmap` is then left cleared.
    public mutating func render(_ drawing: Drawing, into bitmap: inout [UInt8]) throws {
        try render(strokes: drawing.strokes, into: &bitmap)
    }

    /// Draws a drawing made of `strokes` into `bitmap`; see `render(_:into:)`.
    ///
    /// - Parameters:
    ///   - strokes: Strokes in Google's simplified coordinates.
    ///   - bitmap: Receives the bitmap; all zero when there is no point at all.
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`.
    public mutating func render(strokes: [Stroke], into bitmap: inout [UInt8]) throws {
        let count = rasterizer.side * rasterizer.side
        if bitmap.count == count {
            bitmap.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            bitmap = [UInt8](repeating: 0, count: count)
        }
        let (maxX, maxY) = try rasterizer.maximum(of: strokes)
        guard maxX.isFinite else { return }
        rasterizer.draw(strokes, maxX: maxX, maxY: maxY, workspace: &workspace, into: &bitmap)
    }

    /// The bitmap of `drawing`, as `Rasterizer.render(_:)` returns it.
    ///
    /// - Parameter drawing: A drawing in Google's simplified coordinates.
    /// - Returns: `side * side` bytes.
    /// - Throws: `DataError` when a coordinate is not finite or beyond ±`coordinateLimit`.
    public mutating func render(_ drawing: Drawing) throws -> [UInt8] {
        var bitmap: [UInt8] = []
        try render(strokes: drawing.strokes, into: &bitmap)
        return bitmap
    }
}
