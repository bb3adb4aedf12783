import DoodleNN
import DoodleServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What operations tools see: `X-Request-Id` on every answer, Prometheus metrics at `/metrics` that
/// move by what the traffic did, and JSON log lines that carry the request's id.
@Suite struct ObservabilityTests {
    static let requestID = HTTPField.Name("X-Request-Id")!

    @Test func everyAnswerHasARequestIDAndAPlainOneIsKept() async throws {
        let app = try ServerFixtures.application()
        try await app.test(.router) { client in
            var seen: Set<String> = []
            for (uri, method) in [
                ("/healthz", HTTPRequest.Method.get), ("/api/predict", .post), ("/nowhere", .get),
            ] {
                try await client.execute(uri: uri, method: method) {
                    let id = try #require($0.headers[Self.requestID], "\(uri) \($0.status)")
                    #expect(id.count == 16 && id.allSatisfy(\.isHexDigit))
                    seen.insert(id)
                }
            }
            #expect(seen.count == 3, "a new id for each request")
            try await client.execute(uri: "/healthz", method: .get, headers: [Self.requestID: "trace-42.a_b"])
            {
                #expect($0.headers[Self.requestID] == "trace-42.a_b")
            }
            try await client.execute(
                uri: "/healthz", method: .get, headers: [Self.requestID: "no spaces <here>"]
            ) {
                #expect($0.headers[Self.requestID] != "no spaces <here>")
            }
        }
    }

    @Test func theMetricsAreForThisMachineOrTheToken() async throws {
        let router = try buildRouter(models: ServerFixtures.registry, metricsToken: "a-metrics-token-16")
        try await Application(router: router).test(.router) { client in
            // The router test has no socket, so it is not this machine.
            try await client.execute(uri: "/metrics", method: .get) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/metrics", method: .get, headers: [.authorization: "Bearer a-metrics-token-16"]
            ) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: $0.body).contains("process_resident_memory_bytes"))
            }
        }
    }

    /// Traffic of known amounts, on a model of a name no other test serves, and on the one route no
    /// other test asks for (tests in other suites run at the same time and share the process's metrics).
    @Test func aScrapeAfterTrafficShowsExactlyThatTraffic() async throws {
        let name = "metrics-\(UUID().uuidString.prefix(8).lowercased())"
        let model = ServerFixtures.makeModels()[0].model
        let registry = ModelRegistry([try ServedModel(name: name, model: model, poolSize: 1)])
        let app = Application(router: try buildRouter(models: registry))
        try await withTaskExecutorPreference(ServerExecutor.shared) {
            try await app.test(.live) { client in
                func scrape() async throws -> [String: Double] {
                    try await client.execute(uri: "/metrics", method: .get) { response in
                        #expect(response.status == .ok, "from this machine, no token is needed")
                        return Self.samples(String(buffer: response.body))
                    }
                }
                let before = try await scrape()
                for _ in 0..<3 {
                    try await client.execute(
                        uri: "/api/predict", method: .post,
                        body: ServerFixtures.json(["model": name, "strokes": ServerFixtures.strokes])
                    ) { #expect($0.status == .ok) }
                }
                for count in [5, 7] {
                    try await client.execute(
                        uri: "/api/guesses", method: .post,
                        body: ServerFixtures.json(["model": name, "count": count])
                    ) { #expect($0.status == .noContent) }
                }
                try await client.execute(
                    uri: "/api/guesses", method: .post,
                    body: ServerFixtures.json(["model": name, "count": 0])
                ) { #expect($0.status == .badRequest) }
                let after = try await scrape()
                func moved(_ key: String) -> Double { (after[key] ?? 0) - (before[key] ?? 0) }
                #expect(moved(#"doodle_guesses_total{model="\#(name)",where="server"}"#) == 3)
                #expect(moved(#"doodle_guesses_total{model="\#(name)",where="browser"}"#) == 12)
                #expect(
                    moved(#"doodle_inference_batch_size_count{model="\#(name)"}"#) == 3, "one pass a request")
                #expect(
                    moved(#"doodle_inference_batch_size_sum{model="\#(name)"}"#) == 3, "of one drawing each")
                #expect(moved(#"doodle_inference_queue_wait_count{model="\#(name)"}"#) == 3)
                let route = #"http_route="/api/guesses",http_request_method="POST",http_response_status_code"#
                #expect(moved(#"hb_requests{\#(route)="204"}"#) == 2)
                #expect(moved(#"hb_requests{\#(route)="400"}"#) == 1)
                #expect(moved(#"http_server_request_duration_count{\#(route)="204"}"#) == 2)
                #expect((after["process_resident_memory_bytes"] ?? 0) > 1_000_000)
                #expect((after["process_open_fds"] ?? 0) > 0)
            }
        }
    }

    /// Each sample line of a Prometheus text exposition, by its name and labels.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// `doodle serve --log-format json` as a user runs it: every line a JSON object with the time, level,
    /// logger and message, and a request's lines carry the id its answer gave.
    @Test(.enabled(if: doodleBinary != nil, "the doodle binary is not built beside the tests (swift build)"))
    func jsonLogLinesCarryTheRequestID() async throws {
        let folder = try ServerFixtures.writeModels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = doodleBinary
        process.arguments = [
            "serve", "--models", folder.path, "--no-store", "--port", "0", "--log-format", "json",
            "--log-level", "debug",
        ]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var lines: [[String: String]] = []
        var buffer = Data()
        func readLines(until done: ([String: String]) -> Bool) throws {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let data = errors.fileHandleForReading.availableData
                if data.isEmpty { return }
                buffer += data
                while let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[buffer.startIndex..<end]
                    buffer = buffer[(end + 1)...]
                    let object = try #require(
                        try? JSONDecoder().decode([String: String].self, from: Data(line)),
                        "not a JSON object of strings: \(String(decoding: line, as: UTF8.self))")
                    lines.append(object)
                    if done(object) { return }
                }
            }
        }
        try readLines { $0["message"]?.contains("listening on") == true }
        let listening = try #require(lines.last?["message"])
        let port = try #require(Int(listening.split(separator: ":").last ?? ""), "\(listening)")

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/predict")!)
        request.httpMethod = "POST"
        request.httpBody = Data("not json".utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        let id = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Request-Id"))
        try readLines { $0["request_id"] == id && $0["status"] == "400" }
        let line = try #require(lines.last)
        #expect(line["request_id"] == id)
        #expect(line["level"] == "info" && line["message"] == "POST /api/predict 400")
        #expect(line["path"] == "/api/predict" && line["method"] == "POST")
        #expect(Double(line["duration_ms"] ?? "") != nil)
        for object in lines {
            #expect(
                object["time"]?.hasSuffix("Z") == true && object["level"] != nil && object["message"] != nil)
            #expect(object["logger"] != nil)
        }
    }
}
