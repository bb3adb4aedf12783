import DoodleData
import DoodleServer
import DoodleStore
import Foundation
import Hummingbird
import ServiceLifecycle
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The page in a real browser: real Quick, Draw! strokes drawn with pointer events on the canvas.
@Suite("The page in headless Chromium", .serialized)
struct BrowserTests {
    static let reason: String? = {
        guard Chromium.executable != nil else {
            return "no chromium at /usr/bin/chromium (apt-get install chromium)"
        }
        guard sharedDataDirectory != nil else { return "no ../shared/data with Quick, Draw! strokes" }
        return nil
    }()

    /// The shipped models when `models/` has them (the page then shows real guesses), else the fixtures.
    static func registry() throws -> ModelRegistry {
        let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models")
        if FileManager.default.fileExists(atPath: models.appendingPathComponent("doodles.safetensors").path) {
            return try ModelRegistry(folder: models)
        }
        return ServerFixtures.registry
    }

    /// The first `count` drawings of each of `classes`, from the shared simplified ndjson files.
    static func drawings(_ classes: [String], count: Int) throws -> [Drawing] {
        let folder = sharedDataDirectory!.appendingPathComponent("quickdraw/strokes/simplified_ndjson")
        return try classes.flatMap { name in
            try QuickDrawNDJSON.read(from: folder.appendingPathComponent("\(name).ndjson")).drawings.prefix(
                count)
        }
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func drawnStrokesShowTheGuessesTheAPIGives() async throws {
        let registry = try Self.registry()
        let drawings = try Self.drawings(["cat", "house", "apple", "star", "tree", "bicycle"], count: 5)
        try await LiveServer.with(registry) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            let results = try await page.draw(drawings)
            #expect(results.count == drawings.count)
            var sameTop1 = 0
            for (drawing, result) in zip(drawings, results) {
                // What the API answers for the strokes the page sent is what the page shows.
                let answer = try await LiveServer.predict(port: port, strokes: result.sent)
                #expect(result.shown == answer.predictions.map(\.label))
                #expect(result.bitmap == answer.bitmap)
                // And the browser path agrees with rendering the original strokes in Swift.
                let pixels = try ImageInput.modelInput(strokes: drawing.strokes, framing: .quickdraw)
                let direct = registry.models[registry.defaultName]!.predict(pixels, top: 1)
                if direct.first?.label == result.shown.first { sameTop1 += 1 }
            }
            let agreement = Double(sameTop1) / Double(max(1, results.count))
            print("browser: \(results.count) drawings, top-1 equal to Swift's rendering for \(sameTop1)")
            #expect(agreement >= 0.99)
        }
    }
}

/// One result of drawing on the page: the guesses shown, the strokes the page sent, what the model saw
/// (nil when the page shows no answer, as after a game round won mid-stroke clears the pad).
struct DrawResult: Decodable {
    var shown: [String]
    var sent: [[[Double]]]
    var bitmap: [UInt8]?
}

/// A server on 127.0.0.1 and a free port, for as long as a closure runs.
///
/// It stops by graceful shutdown, never by cancelling its task: a cancelled server can drop a
/// connection it accepted but had not begun to serve, which NIO traps on ("Deinited NIOAsyncWriter
/// without calling finish()", apple/swift-nio#3481).
enum LiveServer {
    static func with(
        _ registry: ModelRegistry, store: (any DrawingStore)? = nil, _ body: (Int) async throws -> Void
    ) async throws {
        let server = try await start(registry, store: store)
        do {
            try await body(server.port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A server that runs until `stop()`.
    struct Running {
        var port: Int
        var group: ServiceGroup
        var task: Task<Void, any Error>

        /// Shuts the server down gracefully and waits until it has; cancels it if that takes a minute.
        func stop() async {
            await group.triggerGracefulShutdown()
            let task = self.task
            let deadline = Task {
                try await Task.sleep(for: .seconds(60))
                task.cancel()
            }
            _ = await task.result
            deadline.cancel()
        }
    }

    /// Starts a server on a free port; the caller stops it.
    static func start(_ registry: ModelRegistry, store: (any DrawingStore)? = nil) async throws -> Running {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: try buildRouter(models: registry, store: store),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "doodle-test"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) })
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [], logger: app.logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw BrowserPage.PageError(description: "the server did not start")
        }
        return Running(port: port, group: group, task: task)
    }

    static func predict(port: Int, strokes: [[[Double]]]) async throws -> PredictAnswer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/predict")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["strokes": strokes, "top": 5])
        let (data, _) = try await URLSession.shared.data(for: request)
        return try JSONDecoder().decode(PredictAnswer.self, from: data)
    }
}
