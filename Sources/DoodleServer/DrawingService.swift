import DoodleStore
import Hummingbird

/// What the drawings and words controllers share: the store (nil with --no-store), the models, the
/// request limits, each client's allowance of saves (one bucket for drawings and taught words alike),
/// and who is the admin.
public struct DrawingService<Context: RequestContext>: Sendable {
    let store: (any DrawingStore)?
    let models: ModelRegistry
    let limits: RequestLimits
    let rateLimiter: SaveRateLimiter
    let admin: AdminCheck<Context>
    /// The key of a request's client, for its allowance of saves.
    let clientKey: @Sendable (Context) -> String

    /// The service of `store` (none: saving and teaching answer 503).
    ///
    /// - Parameters:
    ///   - store: where drawings are kept; nil for none.
    ///   - models: the served models, which a drawing's `model` must name.
    ///   - limits: the request limits, the same as for predictions.
    ///   - saveLimits: how many drawings each client may save.
    ///   - adminToken: the token that lets a client beyond this machine act as the admin.
    ///   - clientKey: the key of a request's client, for its rate limit.
    ///   - isLoopback: whether a request came from this machine.
    public init(
        store: (any DrawingStore)?, models: ModelRegistry, limits: RequestLimits, saveLimits: SaveLimits,
        adminToken: String?, clientKey: @escaping @Sendable (Context) -> String,
        isLoopback: @escaping @Sendable (Context) -> Bool
    ) {
        (self.store, self.models, self.limits) = (store, models, limits)
        rateLimiter = SaveRateLimiter(saveLimits)
        admin = AdminCheck(token: adminToken, isLoopback: isLoopback)
        self.clientKey = clientKey
    }

    /// The store, or 503 saying the server keeps none (`why`, appended, says what that prevents).
    func requireStore(_ why: String = "") throws -> any DrawingStore {
        guard let store else {
            throw HTTPError(
                .serviceUnavailable, message: "this server keeps no drawings (it runs with --no-store)\(why)")
        }
        return store
    }

    /// A store operation; a failure of the database is a 503 that says so, not a crash.
    func storing<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as StoreError {
            throw HTTPError(.serviceUnavailable, message: "the drawing store failed: \(error.description)")
        }
    }

    /// Takes `count` saves from the request's client, or throws 429.
    func admit(_ context: Context, count: Int = 1) throws {
        try rateLimiter.admit(clientKey(context), count: count)
    }
}

/// Who may do what only an admin may: a client on the server's own machine, or one that sends the
/// server's token (`--admin-token`, or `--metrics-token` for the metrics) as a Bearer token.
struct AdminCheck<Context: RequestContext>: Sendable {
    let token: String?
    /// The option that gives the token, named in the refusal.
    var option = "--admin-token"
    let isLoopback: @Sendable (Context) -> Bool

    /// Throws 403 naming `action` unless the request comes from an admin.
    func require(_ request: Request, _ context: Context, doing action: String) throws {
        let bearer = request.headers[.authorization].map {
            $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : ""
        }
        guard isLoopback(context) || (token != nil && bearer == token) else {
            throw HTTPError(
                .forbidden,
                message:
                    "\(action) is for the admin: ask from the server's own machine, or send "
                    + "'Authorization: Bearer <token>' with the server's \(option)")
        }
    }
}
