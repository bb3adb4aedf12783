import Foundation

/// What `BitmapRendering.render` did.
public struct RenderSummary: Sendable, Equatable {
    /// The drawings rendered: the rows of the output file.
    public var drawings: Int
    /// The ndjson lines skipped as malformed.
    public var skipped: [SkippedLine]
    /// Of the drawings rendered without normalisation, how many were not in simplified coordinates
    /// (times, fractions, or values outside 0...255): a hint that `raw` was wanted.
    public var notSimplified: Int

    /// A summary of `drawings` rendered, `skipped` lines, and `notSimplified` drawings.
    public init(drawings: Int, skipped: [SkippedLine], notSimplified: Int) {
        self.drawings = drawings
        self.skipped = skipped
        self.notSimplified = notSimplified
    }
}

/// Turning stroke files into numpy_bitmap files, as Google made its `numpy_bitmap` files from its
/// simplified drawings: what `doodle render` does.
public enum BitmapRendering {
    /// Renders every drawing of `input` into the `.npy` file `output`, rows in input order.
    ///
    /// - Parameters:
    ///   - input: an ndjson (`.ndjson`, `.json`, `.jsonl`) or Quick, Draw! binary (`.bin`) file.
    ///   - output: the `(N, 784) uint8` file to write, atomically (it appears only when complete).
    ///   - raw: normalise every drawing to simplified coordinates first (`StrokeNormalizer`);
    ///     otherwise drawings are drawn as they are, Google's recipe for its simplified drawings.
    ///   - policy: skip malformed ndjson lines, or stop at the first.
    ///   - progress: told `(done, total)` drawings after each chunk.
    /// - Returns: the numbers for a summary.
    /// - Throws: `DataError` naming the file (and line) of any problem; no output is left behind.
    public static func render(
        input: URL, output: URL, raw: Bool = false, onMalformedLine policy: MalformedLinePolicy = .fail,
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> RenderSummary {
        var skipped: [SkippedLine] = []
        var drawings: [Drawing]
        var names: [String]
        switch input.pathExtension.lowercased() {
        case "ndjson", "json", "jsonl":
            let read = try StrokeFiles.readNDJSON(input, policy: policy, skipped: &skipped)
            drawings = read.map(\.drawing)
            names = read.map { "line \($0.line)" }
        case "bin":
            drawings = try QuickDrawBinary.read(from: input)
            names = drawings.indices.map { "drawing \($0)" }
        default:
            throw DataError(input.path, "not a stroke file: expected .ndjson or .bin")
        }
        let notSimplified = raw ? 0 : drawings.count { !StrokeFiles.looksSimplified($0) }
        if raw {
            drawings = try StrokeFiles.simplified(drawings, coordinates: .raw, file: input.path, names: names)
        }
        let writer = try NpyWriter(url: output, rowShape: [784])
        let chunk = 4096
        var done = 0
        progress?(0, drawings.count)
        while done < drawings.count {
            let end = min(drawings.count, done + chunk)
            let pixels = try StrokeFiles.rasterize(
                Array(drawings[done..<end]), file: input.path, names: Array(names[done..<end]))
            try pixels.withUnsafeBytes { try writer.append(rows: $0) }
            done = end
            progress?(done, drawings.count)
        }
        try writer.finish()
        return RenderSummary(drawings: drawings.count, skipped: skipped, notSimplified: notSimplified)
    }
}
