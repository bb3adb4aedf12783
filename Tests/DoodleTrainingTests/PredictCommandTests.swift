import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

/// `doodle predict` run as a user runs it: the built binary, on a PNG, a strokes file and standard input.
@Suite("doodle predict, the command", .serialized)
struct PredictCommandTests {
    /// The `doodle` binary built beside the test bundle.
    static let binary = doodleBinary

    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models")

    static let reason: String? = {
        if binary == nil { return "the doodle binary is not built beside the tests (swift build)" }
        if sharedDataDirectory == nil { return "no ../shared/data" }
        return nil
    }()

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// Runs `doodle arguments…` in the repository (so shipped model names resolve), with `input` on stdin.
    static func doodle(_ arguments: [String], input: Data? = nil) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = models.deletingLastPathComponent()
        let (stdout, stderr, stdin) = (Pipe(), Pipe(), Pipe())
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self))
    }

    struct Output: Decodable {
        struct Guess: Decodable {
            var label: String
            var confidence: Float
        }
        var predictions: [Guess]
    }

    /// The labels the library gives for `pixels`: what the command must print.
    static func direct(_ pixels: [UInt8], model name: String, top: Int) throws -> [String] {
        let model = try Model(contentsOf: models.appendingPathComponent("\(name).safetensors"))
        let input = Tensor(shape: [1, 28, 28, 1], scalars: pixels.map { Float($0) / 255 })
        let probabilities = softmax(model.network.forward(input)).scalars
        return probabilities.indices.sorted { probabilities[$0] > probabilities[$1] }.prefix(top).map {
            model.labels[$0]
        }
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func aPNGOfAHandwrittenDigit() throws {
        // MNIST's first test digit (a 7), drawn 10 times larger as dark ink on white, as a user's PNG.
        let mnist = sharedDataDirectory!.appendingPathComponent("mnist/t10k-images-idx3-ubyte.gz")
        let digit = Array(try IDX.readImages(from: mnist).image(0))
        var big = [UInt8](repeating: 255, count: 280 * 280)
        for y in 0..<280 { for x in 0..<280 { big[y * 280 + x] = 255 - digit[(y / 10) * 28 + x / 10] } }
        let image = GrayImage(width: 280, height: 280, pixels: big)
        let file = try makeTemporaryDirectory().appendingPathComponent("seven.png")
        try Data(PNG.encode(image)).write(to: file)

        let run = try Self.doodle(["predict", "--model", "digits", "--json", "--top", "3", file.path])
        #expect(run.status == 0, "\(run.error)")
        let output = try JSONDecoder().decode(Output.self, from: Data(run.output.utf8))
        #expect(output.predictions.count == 3)
        #expect(output.predictions.first?.label == "7")
        let expected = try Self.direct(
            ImageInput.modelInput(from: image, framing: .mnist), model: "digits", top: 3)
        #expect(output.predictions.map(\.label) == expected)
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func strokesFromAFileAndFromStandardInput() throws {
        let cats = sharedDataDirectory!.appendingPathComponent(
            "quickdraw/strokes/simplified_ndjson/cat.ndjson")
        let line = try #require(
            String(decoding: try Data(contentsOf: cats), as: UTF8.self).split(separator: "\n").first)
        let drawing = try #require(try QuickDrawNDJSON.read(from: cats).drawings.first)
        let expected = try Self.direct(
            ImageInput.modelInput(strokes: drawing.strokes, framing: .quickdraw), model: "doodles", top: 5)

        // {"strokes": ...} in a file, as the API takes it.
        let strokes = drawing.strokes.map { [$0.x, $0.y] }
        let file = try makeTemporaryDirectory().appendingPathComponent("cat.json")
        try JSONSerialization.data(withJSONObject: ["strokes": strokes]).write(to: file)
        let fromFile = try Self.doodle(["predict", "--json", file.path])
        #expect(fromFile.status == 0, "\(fromFile.error)")
        let decoded = try JSONDecoder().decode(Output.self, from: Data(fromFile.output.utf8))
        #expect(decoded.predictions.map(\.label) == expected)

        // A Quick, Draw! ndjson line on standard input, with the human-readable table.
        let fromStdin = try Self.doodle(["predict", "-"], input: Data(line.utf8))
        #expect(fromStdin.status == 0, "\(fromStdin.error)")
        let labels = fromStdin.output.split(separator: "\n").map {
            String($0.prefix(20)).trimmingCharacters(in: .whitespaces)
        }
        #expect(labels == expected)
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func badInputIsANamedErrorNotACrash() throws {
        let folder = try makeTemporaryDirectory()
        let text = folder.appendingPathComponent("notes.txt")
        try Data("shopping list".utf8).write(to: text)
        let nan = folder.appendingPathComponent("nan.json")
        try Data(#"{"strokes": [[[1, 2], [3]]]}"#.utf8).write(to: nan)
        let cases: [([String], String)] = [
            (["predict", folder.appendingPathComponent("missing.png").path], "cannot read"),
            (["predict", text.path], "neither a PNG nor JSON"),
            (["predict", nan.path], "stroke"),
            (["predict", "--model", "no-such-model", text.path], "no-such-model"),
            (["predict", "--top", "0", text.path], "--top must be positive"),
        ]
        for (arguments, message) in cases {
            let run = try Self.doodle(arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.status < 128, "\(arguments) crashed: \(run.error)")
            #expect(run.error.contains(message), "\(arguments): \(run.error)")
        }
    }
}
