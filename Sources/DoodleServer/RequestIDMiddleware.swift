import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the client's `X-Request-Id` when it is a plain token (letters, digits,
/// `.`, `_`, `-`, at most 64), else a new random one. The id is on every log line the request's logger
/// writes (`request_id`) and in the answer's `X-Request-Id` header, errors included; and one access
/// line is logged per request: at debug when it succeeded, info for a client's error, error for the
/// server's.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let id = Self.id(from: request.headers[Self.header])
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        context.logger[metadataKey: "hb.request.id"] = nil
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[Self.header] = id
            log(request, status: response.status, since: start, context.logger)
            return response
        } catch var error as HTTPError {
            error.headers[Self.header] = id
            log(request, status: error.status, since: start, context.logger)
            throw error
        } catch {
            context.logger.error("request failed: \(error)")
            log(request, status: .internalServerError, since: start, context.logger)
            throw HTTPError(
                .internalServerError, headers: [Self.header: id], message: "the server failed (request \(id))"
            )
        }
    }

    func log(
        _ request: Request, status: HTTPResponse.Status, since start: ContinuousClock.Instant,
        _ logger: Logger
    ) {
        let level: Logger.Level = status.code >= 500 ? .error : status.code >= 400 ? .info : .debug
        guard logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - start
        let milliseconds =
            Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.log(
            level: level, "\(request.method) \(request.uri.path) \(status.code)",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(String(request.uri.path.prefix(200))),
                "status": .stringConvertible(status.code),
                "duration_ms": .string(String(format: "%.3f", milliseconds)),
            ])
    }

    /// The client's id when it is a plain token, else a new one.
    static func id(from header: String?) -> String {
        if let header, (1...64).contains(header.utf8.count),
            header.utf8.allSatisfy({
                $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                    || $0 == UInt8(ascii: "-")
            })
        {
            return header
        }
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
