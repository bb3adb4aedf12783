import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How one request for a file ended, when it did not fail.
enum TransferEnd {
    /// The body ended; the bytes on disk may still fall short of `total` if the connection was cut.
    case bodyEnded(total: Int64?)
    /// The server answered 416 to a `Range` request: the partial file is complete, or it is not a prefix
    /// of the file on the server. `total` is the server's size, when it says.
    case rangeNotSatisfiable(total: Int64?)
}

/// Why one request for a file failed.
enum TransferFailure: Error {
    /// Worth another attempt (connection errors, 5xx); with `discardPart`, from byte zero.
    case retryable(String, discardPart: Bool = false)
    /// The server has no such file (404).
    case notFound
    /// Not worth another attempt.
    case fatal(String)
}

/// One HTTP GET streamed into `<name>.part`: appended to from `offset` (a 206 answer to `Range`) or
/// rewritten from zero (a 200 answer).
///
/// `@unchecked Sendable` is safe: URLSession calls the delegate methods one at a time on its serial
/// delegate queue, and the state they share with the awaiting task (the continuation) is guarded by `lock`.
final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let partPath: String
    private let offset: Int64
    private let report: (@Sendable (_ received: Int64, _ total: Int64?, _ resumedFrom: Int64) -> Void)?
    private let lock = NSLock()
    private var continuation: CheckedContinuation<TransferEnd, Error>?
    private var handle: FileHandle?
    private var received: Int64 = 0
    private var resumedFrom: Int64 = 0
    private var total: Int64?
    /// Set when a response or a write decides the outcome before the body ends.
    private var decided: Result<TransferEnd, TransferFailure>?

    private init(
        partPath: String, offset: Int64,
        report: (@Sendable (_ received: Int64, _ total: Int64?, _ resumedFrom: Int64) -> Void)?
    ) {
        self.partPath = partPath
        self.offset = offset
        self.report = report
    }

    /// Fetches `url` into `partPath`, asking for the bytes from `offset` on when it is above zero.
    ///
    /// - Throws: `TransferFailure`, or `CancellationError` when the task is cancelled.
    static func run(
        _ url: URL, into partPath: String, from offset: Int64, timeout: TimeInterval,
        report: (@Sendable (_ received: Int64, _ total: Int64?, _ resumedFrom: Int64) -> Void)?
    ) async throws -> TransferEnd {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        // Compressed transfer encodings would make Content-Length and Range count other bytes than ours.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let transfer = Transfer(partPath: partPath, offset: offset, report: report)
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.lock.withLock { transfer.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 0
        var failure: TransferFailure?
        switch status {
        case 200:
            let encoding = http?.value(forHTTPHeaderField: "Content-Encoding") ?? "identity"
            total =
                response.expectedContentLength >= 0 && encoding == "identity"
                ? response.expectedContentLength : nil
            failure = open(from: 0)
        case 206:
            let range = ContentRange(http?.value(forHTTPHeaderField: "Content-Range"))
            if range?.start == offset {
                total = range?.total
                failure = open(from: offset)
            } else {
                failure = .retryable(
                    "the server resumed at the wrong byte (Content-Range: \(http?.value(forHTTPHeaderField: "Content-Range") ?? "none"))",
                    discardPart: true)
            }
        case 416 where offset > 0:
            decided = .success(
                .rangeNotSatisfiable(
                    total: ContentRange(http?.value(forHTTPHeaderField: "Content-Range"))?.total))
        case 404:
            failure = .notFound
        case 500...599:
            failure = .retryable(
                "the server failed (HTTP \(status) \(HTTPURLResponse.localizedString(forStatusCode: status)))"
            )
        default:
            failure = .fatal(
                "unexpected answer HTTP \(status) \(HTTPURLResponse.localizedString(forStatusCode: status))")
        }
        if let failure { decided = .failure(failure) }
        completionHandler(decided == nil ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard decided == nil, let handle else { return }
        do {
            try handle.write(contentsOf: data)
        } catch {
            decided = .failure(.fatal("cannot write \(partPath): \(error.localizedDescription)"))
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        report?(received, total, resumedFrom)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        try? handle?.close()
        handle = nil
        let result: Result<TransferEnd, Error>
        if let decided {
            result = decided.mapError { $0 }
        } else if let error = error as? URLError {
            result = .failure(error.code == .cancelled ? CancellationError() : Self.failure(for: error))
        } else if let error {
            result = .failure(TransferFailure.retryable(error.localizedDescription))
        } else {
            result = .success(.bodyEnded(total: total))
        }
        lock.withLock {
            continuation?.resume(with: result)
            continuation = nil
        }
    }

    /// Opens the partial file for writing at `start` (0 rewrites it), or says why it cannot.
    private func open(from start: Int64) -> TransferFailure? {
        do {
            if start == 0 {
                guard FileManager.default.createFile(atPath: partPath, contents: nil) else {
                    return .fatal("cannot create \(partPath)")
                }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: partPath))
            try handle.seekToEnd()
            self.handle = handle
            received = start
            resumedFrom = start
            report?(received, total, resumedFrom)
            return nil
        } catch {
            return .fatal("cannot open \(partPath): \(error.localizedDescription)")
        }
    }

    /// Connection trouble is worth another attempt; a bad URL or a refused certificate is not.
    private static func failure(for error: URLError) -> TransferFailure {
        switch error.code {
        case .networkConnectionLost: .retryable("the connection was cut")
        case .timedOut: .retryable("the server stopped answering (timed out)")
        case .cannotConnectToHost: .retryable("cannot connect to the server")
        case .cannotFindHost, .dnsLookupFailed: .retryable("cannot find the server (DNS lookup failed)")
        case .notConnectedToInternet: .retryable("no network connection")
        case .badServerResponse, .cannotParseResponse: .retryable("the server's answer was garbled")
        case .secureConnectionFailed: .retryable("the secure connection failed")
        // libcurl's errors without a URLError code of their own, such as a body cut short
        case .unknown: .retryable(error.localizedDescription)
        case .badURL, .unsupportedURL: .fatal("not a URL that can be downloaded")
        default: .fatal("network error \(error.code.rawValue): \(error.localizedDescription)")
        }
    }
}

/// A `Content-Range: bytes start-end/total` (or `bytes */total`) header.
struct ContentRange {
    var start: Int64?
    var total: Int64?

    init?(_ header: String?) {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        start = parts[0].split(separator: "-").first.flatMap { Int64($0) }
        total = Int64(parts[1])
    }
}
