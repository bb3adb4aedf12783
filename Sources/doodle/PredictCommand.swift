import ArgumentParser
import DoodleData
import DoodleNN
import Foundation

extension Doodle {
    /// Guesses what a drawing is.
    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Guess what a drawing is: the top labels with confidences.",
            discussion: """
                INPUT is a PNG (any size; dark-on-light or light-on-dark), a JSON file of strokes, or - for
                JSON on standard input. Strokes are [[x, ...], [y, ...]] arrays in any coordinates, given as
                {"strokes": [...]}, as a bare array, or as a Quick, Draw! ndjson line with "drawing".
                """)

        @Option(help: "A model file, or the name of a shipped model (doodles, digits).")
        var model = "doodles"

        @Option(help: "How many guesses to show.")
        var top = 5

        @Flag(help: "Print JSON: {\"predictions\": [{\"label\", \"confidence\"}, ...]}.")
        var json = false

        @Argument(help: "image.png, strokes.json, or - for JSON on standard input.")
        var input: String

        func validate() throws {
            guard top > 0 else { throw ValidationError("--top must be positive") }
        }

        func run() async throws {
            let model = try ModelLocator.load(model)
            let framing = ImageInput.Framing(rawValue: model.preprocessing) ?? .quickdraw
            let pixels = try Self.pixels(from: input, framing: framing)
            let guesses = Self.predict(model, pixels: pixels, top: top)
            if json {
                struct Output: Encodable {
                    struct Guess: Encodable { var label: String, confidence: Float }
                    var predictions: [Guess]
                }
                let output = Output(
                    predictions: guesses.map { .init(label: $0.label, confidence: $0.confidence) })
                print(String(decoding: try JSONEncoder().encode(output), as: UTF8.self))
            } else {
                for guess in guesses {
                    let bar = String(repeating: "█", count: Int((guess.confidence * 30).rounded()))
                    print(
                        "\(guess.label.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(format: "%6.2f%%", guess.confidence * 100)) \(bar)"
                    )
                }
            }
        }

        /// The 28×28 input for a PNG or stroke file.
        static func pixels(from input: String, framing: ImageInput.Framing) throws -> [UInt8] {
            let data: Data
            do {
                data =
                    input == "-"
                    ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: input))
            } catch {
                throw ValidationError("cannot read \(input): \(error.localizedDescription)")
            }
            let bytes = [UInt8](data)
            if bytes.starts(with: PNG.signature) {
                return ImageInput.modelInput(from: try PNG.decode(bytes, name: input), framing: framing)
            }
            return try ImageInput.modelInput(
                strokes: try strokes(fromJSON: data, name: input), framing: framing)
        }

        /// Strokes from `{"strokes": [...]}`, `{"drawing": [...]}` or a bare array of [[x...], [y...]].
        static func strokes(fromJSON data: Data, name: String) throws -> [Stroke] {
            guard let object = try? JSONSerialization.jsonObject(with: data) else {
                throw ValidationError("\(name) is neither a PNG nor JSON")
            }
            let list = (object as? [String: Any]).flatMap { $0["strokes"] ?? $0["drawing"] } ?? object
            guard let strokes = list as? [[[Double]]] else {
                throw ValidationError("\(name): expected strokes as [[x, ...], [y, ...]] arrays of numbers")
            }
            do {
                return try Stroke.strokes(fromArrays: strokes, name: name)
            } catch let error as DataError {
                throw ValidationError(error.description)
            }
        }

        /// The model's top guesses for one 28×28 input.
        static func predict(_ model: Model, pixels: [UInt8], top: Int) -> [(label: String, confidence: Float)]
        {
            let input = Tensor(shape: [1, 28, 28, 1], scalars: pixels.map { Float($0) / 255 })
            let probabilities = softmax(model.network.forward(input)).scalars
            return probabilities.enumerated().sorted {
                $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset)
            }
            .prefix(top).map { (model.labels[$0.offset], $0.element) }
        }
    }
}
