import DoodleData
import DoodleNN
import DoodleServer
import DoodleStore
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /api/words`, `GET /api/words` and `DELETE /api/words/{model}/{word}` on the router, over a real
/// SQLite file and models of their own (teaching changes a model's guesses, so no other test shares them).
@Suite struct WordRouteTests {
    struct Taught: Decodable {
        var model: String
        var word: String
        var examples: Int
        var words: [String]
    }

    struct WordList: Decodable {
        struct Word: Decodable {
            var word: String
            var examples: Int
            var bias: Float
            var weight: [Float]
        }
        var model: String
        var words: [Word]
    }

    /// A router over new fixture models and a store in a new folder (nil: no store).
    static func application(
        store: Bool = true, saveLimits: SaveLimits = SaveLimits(), registry: ModelRegistry? = nil,
        folder: URL? = nil
    ) throws -> (
        app: some ApplicationProtocol, registry: ModelRegistry, folder: URL, store: SQLiteDrawingStore?
    ) {
        let folder = try folder ?? makeTemporaryDirectory("doodle-words")
        let drawings =
            store ? try SQLiteDrawingStore(path: folder.appendingPathComponent("d.sqlite").path) : nil
        let registry =
            registry
            ?? ServerFixtures.freshRegistry()
        let router = try buildRouter(
            models: registry, limits: ServerFixtures.limits, store: drawings, saveLimits: saveLimits)
        return (Application(router: router), registry, folder, drawings)
    }

    /// A kite: a diamond with a tail, drawn a little differently each time.
    static func kite(_ i: Int) -> [[[Double]]] {
        let d = Double(i) * 3
        return [
            [[100 + d, 180, 100 + d, 20 - d, 100 + d], [20, 100 + d, 180, 100, 20]],
            [[100 + d, 110, 90, 120], [180, 220 + d, 240, 260]],
        ]
    }

    static func teaching(_ word: String, count: Int = 5, model: String? = nil) -> ByteBuffer {
        var fields: [String: Any] = ["word": word, "drawings": (0..<count).map(kite)]
        if let model { fields["model"] = model }
        return ServerFixtures.json(fields)
    }

    @Test func aTaughtWordIsGuessedListedAndForgotten() async throws {
        let (app, registry, folder, store) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        let doodles = try #require(registry.models["doodles"])
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("  Kite ")) {
                #expect($0.status == .created)
                let taught = try JSONDecoder().decode(Taught.self, from: Data(buffer: $0.body))
                #expect(taught.model == "doodles" && taught.word == "kite" && taught.examples == 5)
                #expect(taught.words == ["kite"])
            }
            // The word is among the guesses for a kite, and first: the fixture model's random classes
            // know nothing like it.
            try await client.execute(
                uri: "/api/predict", method: .post,
                body: ServerFixtures.json(["strokes": Self.kite(7), "top": 8])
            ) {
                #expect($0.status == .ok)
                let answer = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: $0.body))
                #expect(answer.predictions.count == 8, "7 classes and the word")
                #expect(answer.predictions.first?.label == "kite")
                #expect(abs(answer.predictions.map(\.confidence).reduce(0, +) - 1) < 1e-4)
            }
            // The page reads the word's row to guess it in the browser.
            try await client.execute(uri: "/api/words?model=doodles", method: .get) {
                #expect($0.status == .ok)
                let list = try JSONDecoder().decode(WordList.self, from: Data(buffer: $0.body))
                #expect(list.words.map(\.word) == ["kite"])
                #expect(list.words.first?.weight.count == 256)
                #expect(list.words.first?.weight == doodles.taught?.words.first?.weight)
            }
            // Taught more, the word grows; the store has every drawing.
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("kite", count: 6))
            {
                #expect($0.status == .created)
                let taught = try JSONDecoder().decode(Taught.self, from: Data(buffer: $0.body))
                #expect(taught.examples == 11)
            }
            let stats = try await store!.stats()
            #expect(stats == DrawingStats(total: 11, labels: ["kite": 11], sources: ["taught": 11]))
            // The digits model learnt nothing.
            try await client.execute(uri: "/api/words?model=digits", method: .get) {
                let list = try JSONDecoder().decode(WordList.self, from: Data(buffer: $0.body))
                #expect(list.words.isEmpty)
            }
            // Forgetting is the admin's (the router test has no socket, so it is not from this machine).
            try await client.execute(uri: "/api/words/doodles/kite", method: .delete) {
                #expect($0.status == .forbidden)
            }
        }
        #expect(doodles.taught?.words.map(\.label) == ["kite"])
    }

    @Test func aRestartedServerGuessesTheWordsItWasTaught() async throws {
        let (app, _, folder, _) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("kite")) {
                #expect($0.status == .created)
            }
        }
        // A new server: new models, the same store file.
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("d.sqlite").path)
        let registry = ServerFixtures.freshRegistry()
        let restored = try await WordsController<BasicRequestContext>.restore(from: store, into: registry)
        #expect(restored == 1)
        let doodles = try #require(registry.models["doodles"])
        #expect(doodles.taught?.words.map(\.label) == ["kite"])
        let pixels = try ImageInput.modelInput(
            strokes: Self.kite(7).map { Stroke(x: $0[0], y: $0[1]) }, framing: .quickdraw)
        #expect(doodles.predict(pixels, top: 1).first?.label == "kite")
    }

    /// On a real socket from this machine, the admin forgets a word, and the guesses no longer have it.
    @Test func theAdminForgetsAWord() async throws {
        let (app, registry, folder, store) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withTaskExecutorPreference(ServerExecutor.shared) {
            try await app.test(.live) { client in
                try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("kite")) {
                    #expect($0.status == .created)
                }
                try await client.execute(uri: "/api/words/doodles/kite", method: .delete) {
                    #expect($0.status == .noContent)
                }
                try await client.execute(uri: "/api/words/doodles/kite", method: .delete) {
                    #expect($0.status == .notFound)
                    #expect(String(buffer: $0.body).contains("doodles was taught no word 'kite'"))
                }
                try await client.execute(
                    uri: "/api/predict", method: .post,
                    body: ServerFixtures.json(["strokes": Self.kite(7), "top": 8])
                ) {
                    let answer = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: $0.body))
                    #expect(answer.predictions.count == 7)
                    #expect(!answer.predictions.contains { $0.label == "kite" })
                }
            }
        }
        #expect(registry.models["doodles"]?.taught?.words.isEmpty == true)
        #expect(try await store!.taughtWords(model: nil).isEmpty)
        #expect(try await store!.stats().total == 5, "the drawings stay in the store")
    }

    static var badTeachings: [(String, [String: Any], HTTPResponse.Status, String)] {
        let many = [Double](repeating: 1, count: 2001)
        return [
            ("no word", ["drawings": (0..<5).map(kite)], .badRequest, "missing field 'word'"),
            (
                "markup in the word", ["word": "<b>kite</b>", "drawings": (0..<5).map(kite)], .badRequest,
                "'<'"
            ),
            (
                "a word it knows", ["word": "Cat", "drawings": (0..<5).map(kite)], .conflict,
                "already knows 'cat'"
            ),
            (
                "too few drawings", ["word": "kite", "drawings": (0..<4).map(kite)], .badRequest,
                "drawings has 4"
            ),
            ("too many drawings", ["word": "kite", "drawings": (0..<11).map(kite)], .badRequest, "5 to 10"),
            (
                "an empty drawing",
                ["word": "kite", "drawings": (0..<4).map(kite) + [[[[Double](), [Double]()]]]],
                .badRequest, "drawings[4]"
            ),
            (
                "a drawing of too many points",
                ["word": "kite", "drawings": (0..<4).map(kite) + [[[many, many]]]],
                .contentTooLarge, "2001 points"
            ),
            (
                "an unknown model", ["word": "kite", "model": "nope", "drawings": (0..<5).map(kite)],
                .badRequest, "unknown model 'nope'"
            ),
            ("drawings not arrays", ["word": "kite", "drawings": "kite"], .badRequest, "drawings"),
        ]
    }

    @Test(arguments: badTeachings.indices)
    func aBadTeachingGetsA4xxNamingTheProblem(index: Int) async throws {
        let (name, fields, status, message) = Self.badTeachings[index]
        let body = ServerFixtures.json(fields)
        let (app, registry, folder, store) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/words", method: .post, body: body) {
                #expect($0.status == status, "\(name)")
                #expect(String(buffer: $0.body).contains(message), "\(name): \(String(buffer: $0.body))")
            }
        }
        #expect(try await store!.stats().total == 0, "\(name): nothing saved")
        #expect(registry.models["doodles"]?.taught?.words.isEmpty == true, "\(name): nothing learnt")
    }

    @Test func teachingSharesTheClientsAllowanceOfSaves() async throws {
        let (app, _, folder, store) = try Self.application(saveLimits: SaveLimits(perMinute: 0.01, burst: 12))
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("kite", count: 10))
            {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("boat", count: 5))
            {
                #expect($0.status == .tooManyRequests)
                #expect(Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
        }
        #expect(try await store!.stats().total == 10)
    }

    @Test func withoutAStoreTeachingAnswers503AndTheListIsEmpty() async throws {
        let (app, _, folder, _) = try Self.application(store: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/words", method: .post, body: Self.teaching("kite")) {
                #expect($0.status == .serviceUnavailable)
                #expect(String(buffer: $0.body).contains("--no-store"))
            }
            try await client.execute(uri: "/api/words", method: .get) {
                #expect($0.status == .ok)
                let list = try JSONDecoder().decode(WordList.self, from: Data(buffer: $0.body))
                #expect(list.words.isEmpty)
            }
        }
    }
}
