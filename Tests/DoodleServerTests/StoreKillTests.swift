import DoodleServer
import DoodleStore
import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `doodle serve` as a user runs it, killed with SIGKILL while clients are saving drawings: every save
/// it had acknowledged is in the store afterwards, and the store opens and reads cleanly.
@Suite struct StoreKillTests {
    @Test(.enabled(if: doodleBinary != nil, "the doodle binary is not built beside the tests (swift build)"))
    func aKilledServerLosesNoAcknowledgedDrawing() async throws {
        let folder = try ServerFixtures.writeModels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let storePath = folder.appendingPathComponent("drawings.sqlite").path
        let process = Process()
        process.executableURL = doodleBinary
        process.arguments = [
            "serve", "--models", folder.path, "--store", storePath, "--port", "0", "--save-burst", "1000000",
            "--save-rate", "1000000", "--threads", "1",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = try #require(
            Self.port(from: output.fileHandleForReading), "the server said where it listens")

        let acknowledged = Acknowledged()
        let pid = process.processIdentifier
        let body = try JSONSerialization.data(withJSONObject: [
            "strokes": [[[10, 200, 105], [300, 300, 40], [0, 17, 33]]], "label": "tent",
            "source": "correction",
        ])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/drawings")!)
                    request.httpMethod = "POST"
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    request.httpBody = body
                    request.timeoutInterval = 5
                    while !acknowledged.killed.withLock({ $0 }) {
                        // Until the kill, a failed request (a loaded machine) is tried again.
                        guard let (data, response) = try? await URLSession.shared.data(for: request),
                            (response as? HTTPURLResponse)?.statusCode == 201,
                            let saved = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                            let id = (saved["id"] as? NSNumber)?.int64Value
                        else { continue }
                        acknowledged.ids.withLock { $0.append(id) }
                    }
                }
            }
            group.addTask {
                // Kill it mid-stream, once it has acknowledged a few hundred saves. Counted in turns,
                // not seconds: when other tests hold every thread of the pool, the clients and this
                // task wait alike, and the kill still comes after their saves.
                for _ in 0..<3000 where acknowledged.ids.withLock({ $0.count }) < 300 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                kill(pid, SIGKILL)
                acknowledged.killed.withLock { $0 = true }
            }
            try await group.waitForAll()
        }
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let acked = acknowledged.ids.withLock { $0 }
        #expect(acked.count >= 50, "the server acknowledged saves before it was killed")
        let store = try SQLiteDrawingStore(path: storePath)
        let kept = Set(try await store.drawings(label: nil, after: 0, limit: 1_000_000).map(\.id))
        let lost = Set(acked).subtracting(kept)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.sorted().prefix(10))")
        print(
            "store kill: \(acked.count) saves acknowledged before SIGKILL, \(kept.count) in the store, \(lost.count) lost"
        )
    }

    final class Acknowledged: Sendable {
        let ids = Mutex<[Int64]>([])
        let killed = Mutex(false)
    }

    /// The port from the server's "listening on HOST:PORT" line.
    static func port(from handle: FileHandle) -> Int? {
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { return nil }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: #"listening on [^\s]+:(\d+)"#, options: .regularExpression) {
                return Int(text[range].split(separator: ":").last ?? "")
            }
        }
        return nil
    }
}
