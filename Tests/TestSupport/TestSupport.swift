import Foundation

/// Whether every element of `actual` is within `atol + rtol * |expected|` of `expected`.
///
/// - Returns: `nil` when they agree, else a message naming the first element that does not.
public func mismatch(
    _ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6
) -> String? {
    guard actual.count == expected.count else {
        return "count \(actual.count) != expected \(expected.count)"
    }
    var worst = (index: -1, excess: Float(0))
    for i in actual.indices {
        let error = abs(actual[i] - expected[i])
        let excess = error - (atol + rtol * abs(expected[i]))
        if !(excess <= 0) && (worst.index < 0 || excess > worst.excess || excess.isNaN) {
            worst = (i, excess)
        }
    }
    guard worst.index >= 0 else { return nil }
    let i = worst.index
    return "element \(i): \(actual[i]) vs expected \(expected[i]) (rtol \(rtol), atol \(atol))"
}

/// Where the shared real data lives (`../shared/data` beside the repository), if it is present.
///
/// Tests that need it skip with a message when this is `nil`. `DOODLE_SHARED_DATA` overrides the path.
public let sharedDataDirectory: URL? = {
    let fm = FileManager.default
    if let override = ProcessInfo.processInfo.environment["DOODLE_SHARED_DATA"] {
        return fm.fileExists(atPath: override) ? URL(fileURLWithPath: override) : nil
    }
    // #filePath is .../Tests/TestSupport/TestSupport.swift; the repository is two levels up.
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let candidate = repository.deletingLastPathComponent().appendingPathComponent("shared/data")
    return fm.fileExists(atPath: candidate.path) ? candidate : nil
}()

/// A fresh empty directory under the system's temporary directory.
public func makeTemporaryDirectory(_ label: String = "doodle-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `work` on a thread of its own rather than on one of Swift concurrency's few threads (one a
/// core): a test that computes for minutes there would starve the servers and browsers other tests
/// run in the same process, whose handlers need those threads.
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// A task executor with threads of its own, for the servers the tests start: their request handlers
/// then never wait behind tests that hold Swift concurrency's few threads with minutes of computing
/// or blocking waits (a training run, a browser, a child process).
public final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    /// The one every test server runs on.
    public static let shared = ServerExecutor(threads: 4)

    // @unchecked Sendable: the queue of jobs is only touched under `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "test-server-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// The `doodle` binary built beside the tests (`swift build`), or nil when it is not there.
public let doodleBinary: URL? = {
    let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("doodle")
    return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
}()

/// A Python that can import every one of `modules`: `$DOODLE_PYTHON` (the venv `.ci/run` makes), else
/// the peer environment's `/tmp/peer/bin/python`; nil when neither can. Tests that need one skip,
/// saying which modules they need.
public func python(importing modules: [String]) -> String? {
    let environment = ProcessInfo.processInfo.environment
    let candidates = [environment["DOODLE_PYTHON"], "/tmp/peer/bin/python"].compactMap { $0 }
    return candidates.first { path in
        guard FileManager.default.isExecutableFile(atPath: path) else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

/// Runs `python` with `arguments` and returns what it printed.
///
/// - Throws: an error with its standard error when it exits with a failure.
public func runPythonScript(_ python: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = arguments
    let output = Pipe()
    // Standard error to a file: a pipe read only at the end could fill and stall the process.
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent(
        "doodle-python-\(UUID()).err")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    process.standardOutput = output
    process.standardError = try FileHandle(forWritingTo: errorFile)
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        let message = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        throw PythonError(description: "\(python) \(arguments.joined(separator: " ")) failed: \(message)")
    }
    return data
}

/// A Python run that failed, with what it printed on standard error.
public struct PythonError: Error, CustomStringConvertible {
    public var description: String
}
