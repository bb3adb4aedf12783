import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct BitmapRenderingTests {
    let folder: URL

    init() throws {
        folder = try makeTemporaryDirectory("doodle-render")
    }

    func rows(_ url: URL) throws -> [[UInt8]] {
        let array = try NpyArray(contentsOf: url)
        #expect(array.shape.count == 2 && array.shape.last == 784 && array.dtype == .uint8)
        return (0..<array.rowCount).map { array.row($0) }
    }

    @Test func ndjsonRowsAreRasterizerBitmapsInInputOrder() throws {
        let input = try DatasetFixtures.strokes("cat", count: 5, in: folder)
        let output = folder.appendingPathComponent("cat.npy")
        let summary = try BitmapRendering.render(input: input, output: output)
        #expect(summary == RenderSummary(drawings: 5, skipped: [], notSimplified: 0))
        let expected = try (0..<5).map { try Rasterizer().render(DatasetFixtures.drawing($0)) }
        #expect(try rows(output) == expected)
    }

    @Test func binaryFilesRenderToo() throws {
        let input = try DatasetFixtures.binary("fish", count: 3, in: folder)
        let output = folder.appendingPathComponent("fish.npy")
        _ = try BitmapRendering.render(input: input, output: output)
        let expected = try (0..<3).map { try Rasterizer().render(DatasetFixtures.drawing($0 + 1000)) }
        #expect(try rows(output) == expected)
    }

    @Test func malformedLinesAreSkippedOrStopTheRenderLeavingNoFile() throws {
        let input = try DatasetFixtures.strokes(
            "dog", count: 3, extra: ["{\"drawing\": [[[1, 2], [3]]", ""], in: folder)
        let output = folder.appendingPathComponent("dog.npy")
        let error = try #require(throws: DataError.self) {
            try BitmapRendering.render(input: input, output: output)
        }
        #expect(error.file == input.path && error.problem.hasPrefix("line 4,"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let remaining = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(remaining.sorted() == ["dog.ndjson"])
        let summary = try BitmapRendering.render(input: input, output: output, onMalformedLine: .skip)
        #expect(summary.drawings == 3 && summary.skipped.map(\.line) == [4])
        #expect(try rows(output).count == 3)
    }

    @Test func rawDrawingsAreNormalisedFirst() throws {
        let raw = Drawing(strokes: [Stroke(x: [100, 900, 420], y: [50, 410, 850], t: [0, 10, 20])])
        let input = folder.appendingPathComponent("raw.ndjson")
        let line = #"{"drawing":[[[100,900,420],[50,410,850],[0,10,20]]]}"#
        try Data((line + "\n").utf8).write(to: input)
        let output = folder.appendingPathComponent("raw.npy")
        let plain = try BitmapRendering.render(input: input, output: output)
        #expect(plain.notSimplified == 1)
        _ = try BitmapRendering.render(input: input, output: output, raw: true)
        let simplified = Drawing(strokes: [Stroke(x: [0, 255, 102], y: [0, 115, 255])])
        // Placed at the top-left corner and scaled to fill 0...255, as Google's simplification does.
        #expect(try rows(output) == [try Rasterizer().render(simplified)])
        #expect(try rows(output) != [try Rasterizer().render(raw)])
    }

    @Test func otherFilesAreRefused() throws {
        let input = folder.appendingPathComponent("cat.txt")
        try Data("x".utf8).write(to: input)
        #expect(throws: DataError.self) {
            try BitmapRendering.render(input: input, output: folder.appendingPathComponent("x.npy"))
        }
        #expect(throws: DataError.self) {
            try BitmapRendering.render(
                input: folder.appendingPathComponent("missing.ndjson"),
                output: folder.appendingPathComponent("x.npy"))
        }
    }

    /// Google's 15 ground-truth categories: line i of the simplified ndjson is row i of the bitmap file.
    static let groundTruth = [
        "apple", "banana", "bicycle", "bird", "book", "bowtie", "cat", "diamond", "dog", "eye", "fish",
        "flower", "house", "lollipop", "rainbow",
    ]

    @Test(arguments: groundTruth) func reproducesGooglesBitmaps(category: String) throws {
        guard let data = sharedDataDirectory else {
            print("skipping \(category): ../shared/data not found (set DOODLE_SHARED_DATA)")
            return
        }
        let quickdraw = data.appendingPathComponent("quickdraw")
        let output = folder.appendingPathComponent("\(category).npy")
        let summary = try BitmapRendering.render(
            input: quickdraw.appendingPathComponent("strokes/simplified_ndjson/\(category).ndjson"),
            output: output)
        #expect(summary.drawings == 20 && summary.notSimplified == 0)
        let google = try NpyArray(contentsOf: quickdraw.appendingPathComponent("bitmap/\(category).npy"))
        for (i, row) in try rows(output).enumerated() {
            let difference = zip(row, google.row(i)).map { abs(Int($0) - Int($1)) }
            // The rasterizer's tolerance: a mean absolute difference of at most 1 grey level.
            #expect(Double(difference.reduce(0, +)) / 784 <= 1, "\(category) row \(i)")
        }
    }
}
