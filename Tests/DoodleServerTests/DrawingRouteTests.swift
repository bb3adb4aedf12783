import DoodleServer
import DoodleStore
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `POST /api/drawings`, `GET /api/drawings/stats` and `GET /api/drawings` on the router, over a real
/// SQLite file: every answer, good and bad.
@Suite struct DrawingRouteTests {
    struct Saved: Decodable {
        var id: Int64
        var label: String
    }

    /// An application over the fixture models and a new store (nil: none), and its store's folder.
    static func application(
        store: Bool = true, saveLimits: SaveLimits = SaveLimits(), adminToken: String? = nil
    ) throws -> (app: some ApplicationProtocol, folder: URL, store: SQLiteDrawingStore?) {
        let folder = try makeTemporaryDirectory("doodle-drawings")
        let drawings =
            store ? try SQLiteDrawingStore(path: folder.appendingPathComponent("d.sqlite").path) : nil
        let router = try buildRouter(
            models: ServerFixtures.registry, limits: ServerFixtures.limits, store: drawings,
            saveLimits: saveLimits,
            adminToken: adminToken)
        return (Application(router: router), folder, drawings)
    }

    static var drawing: [String: Any] {
        [
            "strokes": [[[10, 200, 105], [300, 300, 40], [0, 17, 33]]], "label": " Alarm  Clock",
            "source": "correction",
            "model": "doodles",
            "guesses": [["label": "clock", "confidence": 0.5], ["label": "cat", "confidence": 0.25]],
        ]
    }

    @Test func aSavedDrawingIsCountedAndReadBackByTheAdmin() async throws {
        let (app, folder, store) = try Self.application(adminToken: "a-token-of-sixteen-chars")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            var saved: Saved?
            try await client.execute(
                uri: "/api/drawings", method: .post, body: ServerFixtures.json(Self.drawing)
            ) {
                #expect($0.status == .created)
                saved = try JSONDecoder().decode(Saved.self, from: Data(buffer: $0.body))
            }
            #expect(saved?.label == "alarm clock")
            try await client.execute(uri: "/api/drawings/stats", method: .get) {
                #expect($0.status == .ok)
                let stats = try JSONDecoder().decode(DrawingStats.self, from: Data(buffer: $0.body))
                #expect(
                    stats == DrawingStats(total: 1, labels: ["alarm clock": 1], sources: ["correction": 1]))
            }
            // Not from this machine (the router test has no socket) and no token: refused.
            try await client.execute(uri: "/api/drawings", method: .get) {
                #expect($0.status == .forbidden)
                #expect(String(buffer: $0.body).contains("admin"))
            }
            try await client.execute(
                uri: "/api/drawings", method: .get,
                headers: [.authorization: "Bearer wrong-token-wrong-token"]
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/drawings?label=alarm%20clock", method: .get,
                headers: [.authorization: "Bearer a-token-of-sixteen-chars"]
            ) {
                #expect($0.status == .ok)
                let page = try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any]
                let drawings = page?["drawings"] as? [[String: Any]] ?? []
                #expect(drawings.count == 1)
                #expect(
                    drawings.first?["strokes"] as? [[[Double]]] == [
                        [[10, 200, 105], [300, 300, 40], [0, 17, 33]]
                    ])
                #expect(drawings.first?["source"] as? String == "correction")
            }
        }
        let stored = try await store!.drawings(label: nil, after: 0, limit: 10)
        #expect(
            stored.first?.drawing.guesses == [
                SavedGuess(label: "clock", confidence: 0.5), SavedGuess(label: "cat", confidence: 0.25),
            ])
        #expect(stored.first?.drawing.model == "doodles")
    }

    static var bad: [(String, [String: Any], HTTPResponse.Status, String)] {
        func with(_ key: String, _ value: Any?) -> [String: Any] {
            var fields = drawing
            fields[key] = value
            return fields
        }
        let many = [Double](repeating: 1, count: 2001)
        return [
            ("no label", with("label", nil), .badRequest, "missing field 'label'"),
            ("markup in the label", with("label", "<img src=x>"), .badRequest, "the label contains '<'"),
            ("a label too long", with("label", String(repeating: "a", count: 41)), .badRequest, "at most 40"),
            (
                "an unknown source", with("source", "imported"), .badRequest,
                "is not one of game, correction"
            ),
            ("no points", with("strokes", [[[Double](), [Double]()]]), .badRequest, "no points"),
            (
                "too many points", with("strokes", [[many, many]]), .contentTooLarge,
                "2001 points; the limit is 2000"
            ),
            (
                "times that do not match", with("strokes", [[[1, 2], [3, 4], [5]]]), .badRequest,
                "2 points but 1 times"
            ),
            ("a negative time", with("strokes", [[[1, 2], [3, 4], [5, -1]]]), .badRequest, "time 1"),
            (
                "a coordinate out of range", with("strokes", [[[1, 1e300], [3, 4]]]), .badRequest,
                "out of range"
            ),
            ("an unknown model", with("model", "giraffes"), .badRequest, "unknown model 'giraffes'"),
            (
                "a confidence above 1", with("guesses", [["label": "cat", "confidence": 2]]), .badRequest,
                "not in 0...1"
            ),
            (
                "eleven guesses",
                with("guesses", Array(repeating: ["label": "cat", "confidence": 0.1], count: 11)),
                .badRequest, "at most 10"
            ),
        ]
    }

    @Test(arguments: bad.indices)
    func aBadDrawingGetsA4xxNamingTheProblem(index: Int) async throws {
        let (name, fields, status, message) = Self.bad[index]
        let body = ServerFixtures.json(fields)
        let (app, folder, store) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/drawings", method: .post, body: body) {
                #expect($0.status == status, "\(name)")
                let error = try JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: $0.body))
                #expect(error.error.message.contains(message), "\(name): \(error.error.message)")
            }
        }
        #expect(try await store!.stats().total == 0, "\(name): nothing is saved")
    }

    @Test func malformedAndEmptyBodiesAreRefused() async throws {
        let (app, folder, _) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            for (body, message) in [
                ("", "body is empty"), ("{\"label\": ", "malformed JSON"), ("[1]", "should be"),
            ] {
                try await client.execute(uri: "/api/drawings", method: .post, body: ByteBuffer(string: body))
                {
                    #expect($0.status == .badRequest)
                    #expect(String(buffer: $0.body).contains(message), "\(String(buffer: $0.body))")
                }
            }
        }
    }

    @Test func savesBeyondTheClientsLimitGet429WithRetryAfter() async throws {
        let (app, folder, store) = try Self.application(saveLimits: SaveLimits(perMinute: 0.01, burst: 3))
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            for attempt in 0..<5 {
                try await client.execute(
                    uri: "/api/drawings", method: .post, body: ServerFixtures.json(Self.drawing)
                ) {
                    if attempt < 3 {
                        #expect($0.status == .created)
                    } else {
                        #expect($0.status == .tooManyRequests)
                        #expect(Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1)
                        #expect(String(buffer: $0.body).contains("at most 3 at once and 0.01 a minute"))
                    }
                }
            }
        }
        #expect(try await store!.stats().total == 3)
    }

    @Test func withoutAStoreSavingAnswers503() async throws {
        let (app, folder, _) = try Self.application(store: false)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await app.test(.router) { client in
            for (uri, method) in [("/api/drawings", HTTPRequest.Method.post), ("/api/drawings/stats", .get)] {
                try await client.execute(uri: uri, method: method, body: ServerFixtures.json(Self.drawing)) {
                    #expect($0.status == .serviceUnavailable)
                    #expect(String(buffer: $0.body).contains("--no-store"))
                }
            }
        }
    }

    /// On a real socket from this machine, the admin needs no token.
    @Test func fromThisMachineTheAdminNeedsNoToken() async throws {
        let (app, folder, _) = try Self.application()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withTaskExecutorPreference(ServerExecutor.shared) {
            try await app.test(.live) { client in
                try await client.execute(
                    uri: "/api/drawings", method: .post, body: ServerFixtures.json(Self.drawing)
                ) {
                    #expect($0.status == .created)
                }
                try await client.execute(uri: "/api/drawings?limit=1", method: .get) {
                    #expect($0.status == .ok)
                    #expect(String(buffer: $0.body).contains("\"next_after\":1"))
                }
                try await client.execute(uri: "/api/drawings?limit=0", method: .get) {
                    #expect($0.status == .badRequest)
                    #expect(String(buffer: $0.body).contains("limit must be a whole number in 1...1000"))
                }
                // An empty label is a 400 naming it (schemathesis found it answered 500).
                try await client.execute(uri: "/api/drawings?label=", method: .get) {
                    #expect($0.status == .badRequest)
                    #expect(String(buffer: $0.body).contains("label: the label is empty"))
                }
            }
        }
    }
}
