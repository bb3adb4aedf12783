import Hummingbird

extension RequestLimits {
    /// The whole body of `request`; 413 when it is over `maxBodyBytes` (by its declared length, or as
    /// it arrives), 408 when it has not all arrived within `readTimeout`.
    func readBody(_ request: Request) async throws -> [UInt8] {
        let tooLarge = HTTPError(
            .contentTooLarge, message: "the request body is larger than \(maxBodyBytes) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw tooLarge
        }
        let (body, limit, timeout) = (request.body, maxBodyBytes, readTimeout)
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask { Array(try await body.collect(upTo: limit).readableBytesView) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let bytes = first else {
                    // The connection is closed after this answer: the rest of a trickled body is not
                    // worth waiting for.
                    throw HTTPError(
                        .requestTimeout, headers: [.connection: "close"],
                        message: "the request body did not arrive within \(timeout)")
                }
                return bytes
            }
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge  // NIO's too-many-bytes error, with a message
        }
    }

    /// Checks the points of strokes as a client sent them: 413 over `maxPoints`, 400 for none, saying
    /// `consequence` ("there is no drawing to guess").
    func checkPointCount(_ arrays: [[[Double]]], else consequence: String) throws {
        let points = arrays.reduce(0) { $0 + ($1.first?.count ?? 0) }
        guard points <= maxPoints else {
            throw HTTPError(
                .contentTooLarge, message: "the drawing has \(points) points; the limit is \(maxPoints)")
        }
        guard points > 0 else {
            throw HTTPError(.badRequest, message: "the strokes have no points: \(consequence)")
        }
    }
}
