import DoodleData
import DoodleNN
import DoodleServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Models with random weights, made once: enough to test the API's shapes and its error handling.
enum ServerFixtures {
    static let doodleLabels = ["cat", "dog", "house", "apple", "star", "sun", "tree"]

    /// A `small` Quick, Draw! model and an `mnist` digit model, by name, with random weights.
    static func makeModels() -> [(name: String, model: Model)] {
        var generator = SeededGenerator(seed: 42)
        let doodles = try! Model(
            spec: .small, labels: doodleLabels, preprocessing: "quickdraw",
            training: [
                "val_top1": "0.8125", "val_top5": "0.9500",
                "game_words": #"["cat","dog","house","apple","star","sun","unknown"]"#,
                "val_top1_per_class":
                    #"{"cat":0.9,"dog":0.85,"house":0.95,"apple":0.9,"star":0.99,"sun":0.8,"tree":0.5}"#,
            ],
            network: ArchitectureSpec.small.build(classes: doodleLabels.count, generator: &generator))
        let digits = try! Model(
            spec: .mnist, labels: (0..<10).map(String.init), preprocessing: "mnist",
            network: ArchitectureSpec.mnist.build(classes: 10, generator: &generator))
        return [("doodles", doodles), ("digits", digits)]
    }

    /// The fixture models, served.
    static let registry = freshRegistry()

    /// The fixture models served anew: for a test that changes them (teaches them words), which no
    /// other test may then share.
    static func freshRegistry() -> ModelRegistry {
        ModelRegistry(makeModels().map { try! ServedModel(name: $0.name, model: $0.model, poolSize: 2) })
    }

    /// The fixture models written as `<name>.safetensors` in a new temporary folder.
    static func writeModels() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doodle-models-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, model) in makeModels() {
            try model.write(to: folder.appendingPathComponent("\(name).safetensors"))
        }
        return folder
    }

    /// The limits the router tests run under: a small body limit, so that "too large" is cheap to send.
    static let limits = RequestLimits(maxBodyBytes: 200_000, maxPoints: 2_000)

    /// An application over the fixture models.
    static func application() throws -> some ApplicationProtocol {
        Application(router: try buildRouter(models: registry, limits: limits))
    }

    /// A triangle with a tail, in canvas pixels.
    static let strokes: [[[Double]]] = [
        [[10, 200, 105, 10], [300, 300, 40, 300]],
        [[105, 105, 140], [300, 420, 460]],
    ]

    /// The JSON for `strokes` and `extra` fields.
    static func json(_ fields: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: fields))
    }
}

/// The answer of `/api/predict`, as a client decodes it.
struct PredictAnswer: Decodable {
    struct Guess: Decodable {
        var label: String
        var confidence: Float
    }
    var model: String
    var predictions: [Guess]
    var bitmap: [UInt8]
    var took_ms: Double
}

/// An error body: `{"error": {"message": ...}}`.
struct ErrorAnswer: Decodable {
    struct Inner: Decodable { var message: String }
    var error: Inner
}

extension TestClientProtocol {
    /// POSTs `body` to `/api/predict` and returns the status and the body.
    func predict(
        _ body: ByteBuffer, contentType: String = "application/json", query: String = ""
    ) async throws -> (HTTPResponse.Status, ByteBuffer) {
        try await execute(
            uri: "/api/predict" + query, method: .post, headers: [.contentType: contentType], body: body
        ) { ($0.status, $0.body) }
    }
}
