import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol through `--remote-debugging-pipe`: commands go
/// to the browser's fd 3 and answers come back on its fd 4, each a JSON message ending in a NUL byte.
/// No WebSocket client is needed.
final class Chromium: @unchecked Sendable {
    /// Debian's Chromium, when installed.
    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    struct ProtocolError: Error, CustomStringConvertible {
        var description: String
    }

    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private let profile: URL
    private var nextID = 1
    private var pending: [UInt8] = []
    // Calls block on the pipe, so they run here rather than on Swift concurrency's few threads.
    private let queue = DispatchQueue(label: "chromium-devtools")

    /// Starts Chromium with a fresh profile and a `width × height` window.
    init(executable: String, width: Int, height: Int) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("doodle-chromium-\(UUID())")
        var commands: [Int32] = [0, 0]
        var answers: [Int32] = [0, 0]
        guard pipe(&commands) == 0, pipe(&answers) == 0 else {
            throw ProtocolError(description: "pipe failed")
        }
        // Move the child's ends above 10 so that dup2 onto 3 and 4 cannot clobber one another.
        let childIn = fcntl(commands[0], F_DUPFD, 10)
        let childOut = fcntl(answers[1], F_DUPFD, 10)
        for fd in [commands[0], answers[1]] { close(fd) }
        for fd in [commands[1], answers[0], childIn, childOut] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childIn, 3)
        posix_spawn_file_actions_adddup2(&actions, childOut, 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        Self.closeOtherDescriptors(from: 5, in: &actions)
        let arguments = [
            executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)", "about:blank",
        ]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(childIn)
        close(childOut)
        guard status == 0 else { throw ProtocolError(description: "cannot start \(executable): \(status)") }
        pid = child
        toBrowser = commands[1]
        fromBrowser = answers[0]
    }

    /// Closes every descriptor from `first` up in the child. Without this the browser, which outlives
    /// many tests, inherits whatever the test process has open: NIO's accepted sockets are not
    /// close-on-exec, so a server's close of a connection a browser holds a copy of sends no FIN, and
    /// a test waiting for it (ReadTimeoutTests) waits forever.
    private static func closeOtherDescriptors(from first: Int32, in actions: inout posix_spawn_file_actions_t)
    {
        // glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which the Glibc module does not import.
        typealias CloseFrom =
            @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(
            UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
            unsafeBitCast(symbol, to: CloseFrom.self)(&actions, first) == 0
        {
            return
        }
        // An older C library: close each descriptor open now (glibc ignores one closed meanwhile).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap(Int32.init) where fd >= first {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }

    /// What each descriptor the browser's process holds refers to (`socket:[inode]`, a path, ...).
    var openDescriptors: [String] {
        let folder = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\($0)")
        }
    }

    deinit {
        close(toBrowser)
        close(fromBrowser)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(at: profile)
    }

    /// Sends one command and waits for its answer's `result`, skipping events.
    func call(_ method: String, _ params: [String: Any] = [:], session: String? = nil) async throws
        -> [String: Any]
    {
        var message: [String: Any] = ["method": method, "params": params]
        if let session { message["sessionId"] = session }
        let request = try JSONSerialization.data(withJSONObject: message)
        let answer: Data = try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.exchange(request) })
            }
        }
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] ?? [:]
        if let error = object["error"] { throw ProtocolError(description: "\(method): \(error)") }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// Writes `request` with a new id, then reads messages until the one with that id.
    private func exchange(_ request: Data) throws -> Data {
        let id = nextID
        nextID += 1
        var object = try JSONSerialization.jsonObject(with: request) as! [String: Any]
        object["id"] = id
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: object))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard n > 0 else { throw ProtocolError(description: "the browser closed its pipe") }
            written += n
        }
        while true {
            let message = try readMessage()
            if let answer = try JSONSerialization.jsonObject(with: message) as? [String: Any],
                answer["id"] as? Int == id
            {
                return message
            }
        }
    }

    /// How long the browser may send nothing before it is taken for hung, in seconds. A limit against
    /// hanging forever, not a speed check: in a full CI run on 2 cores, a page guessing 200 drawings
    /// twice each while other suites trained and a dozen browsers ran was silent for over 60 s.
    static let silenceLimit: Int32 = 300

    private func readMessage() throws -> Data {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = pending.firstIndex(of: 0) {
                let message = Data(pending[..<end])
                pending.removeSubrange(...end)
                return message
            }
            var poller = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Self.silenceLimit * 1000) > 0 else {
                throw ProtocolError(description: "the browser sent nothing for \(Self.silenceLimit) s")
            }
            let n = read(fromBrowser, &chunk, chunk.count)
            guard n > 0 else { throw ProtocolError(description: "the browser closed its pipe") }
            pending += chunk[..<n]
        }
    }
}
