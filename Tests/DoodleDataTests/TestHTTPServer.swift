import DoodleData
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 (never any other address) that serves the files of a folder, one
/// connection at a time on a background thread, so the downloader's tests run the real HTTP client.
///
/// It honours `Range: bytes=N-` (206, or 416 past the end), answers 404 for missing files, and can be
/// told to fail: answer 500 to the next few requests, cut the next body short, or ignore `Range`.
///
/// `@unchecked Sendable` is safe: the switches and the request log are guarded by `lock`, and the
/// listening socket is only closed by `stop()`, which makes the serving thread's `accept` fail and return.
final class TestHTTPServer: @unchecked Sendable {
    /// A request as it arrived: the target exactly as sent (still percent-encoded) and the headers,
    /// their names lowercased.
    struct Request: Sendable {
        var target: String
        var headers: [String: String]
    }

    /// The folder whose files are served; a request for `/a%20b/c.npy` reads `root/a b/c.npy`.
    let root: URL
    /// The port the kernel chose.
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var log: [Request] = []
    private var failuresLeft = 0
    private var cutAfter: Int?
    private var ignoresRange = false

    /// Starts serving `root` on a free port of 127.0.0.1.
    init(root: URL) throws {
        self.root = root
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw DataError("127.0.0.1", "cannot create a socket") }
        let listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw DataError("127.0.0.1", "cannot listen")
        }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in serve() }
    }

    /// `http://127.0.0.1:<port>/`.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// The requests so far, oldest first.
    var requests: [Request] { lock.withLock { log } }

    /// Answers the next `count` requests with HTTP 500.
    func failNext(_ count: Int) { lock.withLock { failuresLeft = count } }

    /// Closes the connection after `bytes` bytes of the next body.
    func cutNextBody(after bytes: Int) { lock.withLock { cutAfter = bytes } }

    /// Whether to answer `Range` requests with the whole file (200), as some servers do.
    func ignoreRange(_ ignore: Bool) { lock.withLock { ignoresRange = ignore } }

    /// Stops accepting connections.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            answer(connection)
            shutdown(connection, Int32(SHUT_WR))
            close(connection)
        }
    }

    private func answer(_ connection: Int32) {
        guard let request = readRequest(connection) else { return }
        let (fail, cut, ignoreRange) = lock.withLock {
            log.append(request)
            defer {
                failuresLeft = max(0, failuresLeft - 1)
                cutAfter = nil
            }
            return (failuresLeft > 0, cutAfter, ignoresRange)
        }
        if fail { return respond(connection, "500 Internal Server Error", body: Array("try again\n".utf8)) }
        let path = request.target.removingPercentEncoding ?? request.target
        guard !path.contains(".."), let data = FileManager.default.contents(atPath: root.path + path) else {
            return respond(connection, "404 Not Found", body: Array("no such file\n".utf8))
        }
        let bytes = [UInt8](data)
        guard let range = request.headers["range"], !ignoreRange,
            range.hasPrefix("bytes="), range.hasSuffix("-"), let start = Int(range.dropFirst(6).dropLast())
        else { return respond(connection, "200 OK", body: bytes, cutAfter: cut) }
        guard start < bytes.count else {
            return respond(connection, "416 Range Not Satisfiable", ["Content-Range: bytes */\(bytes.count)"])
        }
        respond(
            connection, "206 Partial Content",
            ["Content-Range: bytes \(start)-\(bytes.count - 1)/\(bytes.count)"],
            body: Array(bytes[start...]), cutAfter: cut)
    }

    /// Reads up to the blank line that ends a request's headers (GETs have no body).
    private func readRequest(_ connection: Int32) -> Request? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !received.ends(with: Array("\r\n\r\n".utf8)) {
            let n = recv(connection, &chunk, chunk.count, 0)
            guard n > 0, received.count < 1 << 16 else { return nil }
            received += chunk[0..<n]
        }
        let lines = String(decoding: received, as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespaces)
        }
        return Request(target: String(requestLine[1]), headers: headers)
    }

    /// Sends a response announcing all of `body`, but only its first `cutAfter` bytes when that is set.
    private func respond(
        _ connection: Int32, _ status: String, _ extraHeaders: [String] = [], body: [UInt8] = [],
        cutAfter: Int? = nil
    ) {
        let head =
            (["HTTP/1.1 \(status)", "Content-Length: \(body.count)", "Connection: close"] + extraHeaders)
            .joined(separator: "\r\n") + "\r\n\r\n"
        sendAll(connection, Array(head.utf8))
        sendAll(connection, Array(body.prefix(cutAfter ?? body.count)))
    }

    private func sendAll(_ connection: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            sent += n
        }
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
