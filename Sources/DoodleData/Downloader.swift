import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Downloads files over HTTP(S) into a folder: streamed to `<name>.part`, resumed with `Range` after a
/// cut connection, retried with exponential backoff, checked against the sizes and MD5s known for them,
/// and only then renamed to `<name>`. A file already present (and matching what is known of it) is kept.
public struct Downloader: Sendable {
    /// How hard to try.
    public struct Options: Sendable {
        /// Requests per file before giving up on connection errors and 5xx answers.
        public var maxAttempts: Int
        /// The wait before the second attempt; it doubles before each later one.
        public var initialBackoff: Duration
        /// Seconds without any data before a request counts as failed.
        public var timeout: TimeInterval

        /// Options with `maxAttempts` requests per file, backing off from `initialBackoff`.
        public init(maxAttempts: Int = 5, initialBackoff: Duration = .seconds(1), timeout: TimeInterval = 60)
        {
            precondition(maxAttempts >= 1, "Downloader needs at least one attempt")
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.timeout = timeout
        }
    }

    /// A report on a file under way.
    public struct Progress: Sendable {
        /// The file's name on disk.
        public var fileName: String
        /// Bytes on disk so far.
        public var received: Int64
        /// The file's size, once the server (or the publisher's listing) says.
        public var total: Int64?
        /// Bytes that were already on disk when this request started.
        public var resumedFrom: Int64
    }

    /// What `download` did.
    public enum Outcome: Sendable, Equatable {
        /// Fetched: the file now has `bytes` bytes (some perhaps from an earlier, interrupted run).
        case downloaded(bytes: Int64)
        /// The file was already there and matches its known size and MD5.
        case alreadyPresent
    }

    /// The options in force.
    public let options: Options

    /// A downloader with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Fetches `file` into `folder` unless it is already there.
    ///
    /// - Parameters:
    ///   - file: What to fetch, and its size and MD5 when known.
    ///   - folder: Where to put it; created if missing.
    ///   - progress: Called from a background thread as bytes arrive.
    /// - Returns: Whether the file was fetched or already present.
    /// - Throws: `DataError` naming the URL and the problem: no such file (404), a refused or cut
    ///   connection after the last attempt, a wrong size or MD5 (the partial file is then deleted), or a
    ///   file that cannot be written. `CancellationError` when the task is cancelled; the partial file
    ///   is kept, so a later call resumes it.
    public func download(
        _ file: RemoteFile, into folder: URL, progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> Outcome {
        let destination = folder.appendingPathComponent(file.fileName).path
        if FileManager.default.fileExists(atPath: destination), try Self.mismatch(destination, file) == nil {
            return .alreadyPresent
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError(folder.path, "cannot create the folder (\(error.localizedDescription))")
        }
        let part = destination + ".part"
        if let size = file.size, let partSize = Self.size(of: part), partSize > size { unlink(part) }
        let name = file.fileName
        let report: @Sendable (Int64, Int64?, Int64) -> Void = { received, total, from in
            progress?(
                Progress(fileName: name, received: received, total: total ?? file.size, resumedFrom: from))
        }
        var attempt = 1
        while true {
            do {
                let bytes = try await fetch(file, into: part, report: report)
                if let problem = try Self.mismatch(part, file) {
                    unlink(part)
                    throw DataError(file.url.absoluteString, "the download \(problem); deleted it")
                }
                try Self.moveIntoPlace(part, destination)
                return .downloaded(bytes: bytes)
            } catch TransferFailure.retryable(let problem, let discardPart) {
                if discardPart { unlink(part) }
                guard attempt < options.maxAttempts else {
                    throw DataError(
                        file.url.absoluteString,
                        "\(problem) (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
                }
                try await Task.sleep(for: options.initialBackoff * (1 << min(attempt - 1, 16)))
                attempt += 1
            } catch TransferFailure.notFound {
                throw DataError(file.url.absoluteString, "no such \(file.kind) on the server (HTTP 404)")
            } catch TransferFailure.fatal(let problem) {
                throw DataError(file.url.absoluteString, problem)
            }
        }
    }

    /// One request: resumes `part` if it exists, and returns its size once the server says it is complete.
    ///
    /// - Throws: `TransferFailure.retryable` when the body stops short of the announced size.
    private func fetch(
        _ file: RemoteFile, into part: String, report: @escaping @Sendable (Int64, Int64?, Int64) -> Void
    ) async throws -> Int64 {
        let offset = Self.size(of: part) ?? 0
        let end = try await Transfer.run(
            file.url, into: part, from: offset, timeout: options.timeout, report: report)
        let onDisk = Self.size(of: part) ?? 0
        switch end {
        case .bodyEnded(let total):
            if let total, onDisk != total {
                throw TransferFailure.retryable("the connection closed after \(onDisk) of \(total) bytes")
            }
        case .rangeNotSatisfiable(let total):
            guard let expected = total ?? file.size, expected == onDisk else {
                throw TransferFailure.retryable(
                    "the server cannot resume at byte \(offset) (HTTP 416); starting again", discardPart: true
                )
            }
        }
        return onDisk
    }

    /// Why the file at `path` is not `file`, or nil when its size and MD5 match (those that are known).
    static func mismatch(_ path: String, _ file: RemoteFile) throws -> String? {
        let size = Self.size(of: path) ?? 0
        if let expected = file.size, size != expected {
            return "is \(size) bytes, not the \(expected) expected"
        }
        if let expected = file.md5 {
            let md5 = try MD5.hexDigest(ofFileAt: path)
            if md5 != expected.lowercased() { return "has MD5 \(md5), not the \(expected) expected" }
        }
        return nil
    }

    /// Syncs `part` and renames it to `destination`, so that a crash leaves either no file or all of it.
    private static func moveIntoPlace(_ part: String, _ destination: String) throws {
        let fd = open(part, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError(part, systemProblem("cannot open")) }
        let synced = fsync(fd) == 0
        close(fd)
        guard synced else { throw DataError(part, systemProblem("cannot sync")) }
        guard rename(part, destination) == 0 else {
            throw DataError(destination, systemProblem("cannot rename \(part) into place"))
        }
    }

    /// The size of the file at `path`, or nil when there is none.
    static func size(of path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }
}
