import DoodleNN
import DoodleServer
import Foundation
import Glibc
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// Methods other than the one a route takes: 405 with `Allow`, `HEAD` wherever `GET` works, `OPTIONS`.
@Suite struct MethodTests {
    @Test(arguments: [HTTPRequest.Method.get, .put, .delete, .patch, .head])
    func predictAnswers405WithAllow(method: HTTPRequest.Method) async throws {
        try await ServerFixtures.application().test(.router) { client in
            try await client.execute(uri: "/api/predict", method: method) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST, OPTIONS")
                if method != .head {
                    let error = try JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: response.body))
                    #expect(
                        error.error.message == "\(method) is not allowed on /api/predict; use POST, OPTIONS")
                }
            }
        }
    }

    @Test(arguments: ["/healthz", "/api/models", "/api/models/doodles/weights", "/", "/sketch.js"])
    func readOnlyRoutesAnswer405ToWritesAndHEADLikeGET(path: String) async throws {
        try await ServerFixtures.application().test(.router) { client in
            let get = try await client.execute(uri: path, method: .get) { $0 }
            #expect(get.status == .ok)
            try await client.execute(uri: path, method: .head) { head in
                #expect(head.status == .ok)
                #expect(head.body.readableBytes == 0)
                #expect(head.headers[.contentType] == get.headers[.contentType])
                #expect(head.headers[.contentLength] == "\(get.body.readableBytes)")
            }
            for method in [HTTPRequest.Method.post, .put, .delete] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == "GET, HEAD, OPTIONS")
                }
            }
        }
    }

    @Test func optionsListsTheMethods() async throws {
        try await ServerFixtures.application().test(.router) { client in
            try await client.execute(uri: "/api/predict", method: .options) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.allow] == "POST, OPTIONS")
            }
        }
    }

    @Test func anUnknownPathIsStillA404WithAJSONError() async throws {
        try await ServerFixtures.application().test(.router) { client in
            for path in ["/api/nothing-here", "/%2e%2e/%2e%2e/etc/passwd", "/sketch.js/../../Package.swift"] {
                try await client.execute(uri: path, method: .put) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.allow] == nil)
                    let error = try JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: response.body))
                    #expect(error.error.message.hasPrefix("nothing is at /"), "\(error.error.message)")
                }
            }
            try await client.execute(uri: "/api/models/giraffes/weights", method: .get) { response in
                #expect(response.status == .notFound)
                let error = try JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: response.body))
                #expect(error.error.message.contains("no model named 'giraffes'"))
            }
        }
    }
}

/// Model files that must stop `doodle serve` at start, with an error that names the file.
@Suite struct ModelFolderTests {
    struct Arguments: AppArguments {
        var hostname = "127.0.0.1"
        var port = 0
        var modelsFolder: URL
        var limits = RequestLimits()
    }

    /// The fixture models' folder with `bad.safetensors` added, holding `bytes`.
    static func folder(withBadFile bytes: [UInt8]) throws -> URL {
        let folder = try ServerFixtures.writeModels()
        try Data(bytes).write(to: folder.appendingPathComponent("bad.safetensors"))
        return folder
    }

    static func startError(_ bytes: [UInt8]) async throws -> String {
        let folder = try folder(withBadFile: bytes)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try await buildApplication(Arguments(modelsFolder: folder))
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static var goodFile: [UInt8] {
        get throws {
            let folder = try ServerFixtures.writeModels()
            defer { try? FileManager.default.removeItem(at: folder) }
            return Array(try Data(contentsOf: folder.appendingPathComponent("doodles.safetensors")))
        }
    }

    @Test func aTruncatedFileIsNamed() async throws {
        let good = try Self.goodFile
        let message = try await Self.startError(Array(good.prefix(good.count / 2)))
        #expect(message.contains("bad.safetensors"), "\(message)")
        #expect(message.contains("truncated"), "\(message)")
    }

    @Test func garbageIsNamed() async throws {
        let message = try await Self.startError(Array("not a model at all".utf8))
        #expect(message.contains("bad.safetensors"), "\(message)")
    }

    @Test func aModelThatFailsTheArchitectureCheckNeverServes() async throws {
        // A `small` model's weights under the spec of `medium`.
        var file = try SafeTensors(bytes: try Self.goodFile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        file.metadata["spec"] = String(decoding: try encoder.encode(ArchitectureSpec.medium), as: UTF8.self)
        file.metadata["arch"] = "medium"
        let message = try await Self.startError(try file.serialized())
        #expect(message.contains("bad.safetensors"), "\(message)")
        #expect(message.contains("shape") || message.contains("missing"), "\(message)")
        // And a file whose summary names another architecture than its spec.
        file = try SafeTensors(bytes: try Self.goodFile)
        file.metadata["arch"] = "medium"
        let mismatch = try await Self.startError(try file.serialized())
        #expect(mismatch.contains("bad.safetensors: __metadata__ says arch 'medium' but its spec is 'small'"))
    }
}

/// Slow and silent clients on a real socket: each is cut off after the read timeout, and nobody else
/// waits for them.
@Suite struct ReadTimeoutTests {
    /// A blocking TCP connection to 127.0.0.1, with a receive timeout.
    final class Connection {
        let socket: Int32

        init(port: Int) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            try #require(connected == 0, "connect: errno \(errno)")
            var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(socket) }

        func send(_ text: String) {
            _ = text.utf8CString.withUnsafeBufferPointer {
                Glibc.send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL))
            }
        }

        /// Whether the server has neither sent anything nor closed the connection yet.
        var isOpen: Bool {
            var byte: UInt8 = 0
            let n = recv(socket, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        }

        /// The first answer's head, once it has all arrived, or nil if it had not within `seconds`.
        func readAnswer(within seconds: Double) -> String? {
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                let n = recv(socket, &buffer, buffer.count, 0)
                if n == 0 { return nil }
                if n > 0 { received += buffer[0..<n] }
                let text = String(decoding: received, as: UTF8.self)
                if text.contains("\r\n\r\n") { return text }
            }
            return nil
        }

        /// What the server sent until it closed the connection, or nil if it was still open after `seconds`
        /// (sending `trickle` every 200 ms meanwhile, when given).
        func readUntilClosed(within seconds: Double, trickle: String? = nil) -> String? {
            var received: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                if let trickle { send(trickle) }
                let n = recv(socket, &buffer, buffer.count, 0)
                if n == 0 { return String(decoding: received, as: UTF8.self) }
                if n > 0 { received += buffer[0..<n] }
                if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK {
                    return String(decoding: received, as: UTF8.self)
                }
            }
            return nil
        }
    }

    @Test func slowBodiesGet408AndIdleConnectionsAreClosed() async throws {
        let folder = try ServerFixtures.writeModels()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ModelFolderTests.Arguments(
            modelsFolder: folder, limits: RequestLimits(readTimeout: .seconds(10)))
        let app = try await buildApplication(arguments)
        try await withTaskExecutorPreference(ServerExecutor.shared) {
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let trickling = try Connection(port: port)
                trickling.send(
                    "POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100000\r\n\r\n{")
                let idle = try Connection(port: port)
                let slowHead = try Connection(port: port)
                slowHead.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
                // Meanwhile others are answered, before the slow ones time out: a server that waited on
                // them would answer only after the read timeout. (A connection of its own: the test
                // client's could itself sit idle past the timeout on a loaded machine.)
                let started = ContinuousClock.now
                let other = try Connection(port: port)
                other.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let health = try #require(other.readAnswer(within: 30), "a normal request is answered")
                #expect(health.hasPrefix("HTTP/1.1 200"), "\(health.prefix(200))")
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(
                    trickling.isOpen, "the normal answer came while the trickled body was still being read")

                let answer = try #require(
                    trickling.readUntilClosed(within: 40, trickle: " "), "a trickled body is cut off")
                #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
                #expect(answer.contains("did not arrive within"))
                #expect(idle.readUntilClosed(within: 40) == "", "an idle connection is closed")
                #expect(
                    slowHead.readUntilClosed(within: 40) == "",
                    "a connection that never finishes its head is closed")
            }
        }
    }
}
