import DoodleStore
import Foundation
import Hummingbird
import Logging

/// What `buildApplication` needs to know: where to listen, which models, and the request limits.
public protocol AppArguments {
    /// The address to listen on (`127.0.0.1` by default: loopback only).
    var hostname: String { get }
    /// The port to listen on; 0 picks a free one.
    var port: Int { get }
    /// The folder of `*.safetensors` models to serve.
    var modelsFolder: URL { get }
    /// The limits on each request.
    var limits: RequestLimits { get }
    /// The drawing store's file; nil to keep no drawings.
    var storePath: String? { get }
    /// How many drawings each client may save.
    var saveLimits: SaveLimits { get }
    /// The token that lets a client read drawings back from beyond this machine; nil for none.
    var adminToken: String? { get }
    var metricsToken: String? { get }
    var logLevel: Logger.Level { get }
    /// How many forward passes of each model may run at once (`InferenceBatcher`'s lanes).
    var inferenceLanes: Int { get }
}

extension AppArguments {
    public var storePath: String? { nil }
    public var saveLimits: SaveLimits { SaveLimits() }
    public var adminToken: String? { nil }
    public var metricsToken: String? { nil }
    public var logLevel: Logger.Level { .info }
    public var inferenceLanes: Int { 1 }
}

/// How much one request may ask of the server.
public struct RequestLimits: Sendable {
    /// The largest request body, in bytes.
    public var maxBodyBytes: Int
    /// The most points, over all strokes, in one drawing.
    public var maxPoints: Int
    /// The most pixels in an uploaded PNG (width × height), checked before decompression.
    public var maxImagePixels: Int
    /// The largest absolute coordinate accepted in a stroke.
    public var maxCoordinate: Double
    /// How long a client may take to send a request's body, and how long a connection may sit idle
    /// (or send its headers) before the server closes it, so that slow or silent clients cannot hold
    /// connections forever.
    public var readTimeout: Duration

    /// Limits with the defaults: 1 MB bodies, 10,000 points, 4 megapixel PNGs, coordinates up to 10⁶,
    /// 30 seconds to send a request.
    public init(
        maxBodyBytes: Int = 1_000_000, maxPoints: Int = 10_000, maxImagePixels: Int = 4_194_304,
        maxCoordinate: Double = 1_000_000, readTimeout: Duration = .seconds(30)
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxPoints = maxPoints
        self.maxImagePixels = maxImagePixels
        self.maxCoordinate = maxCoordinate
        self.readTimeout = readTimeout
    }
}

/// The Doodle application: the page and the prediction API over the models in `arguments.modelsFolder`.
///
/// - Throws: `ModelRegistryError` or `ModelFileError` when the models cannot be loaded, `StoreError`
///   when the drawing store cannot be opened.
public func buildApplication(_ arguments: some AppArguments) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "doodle")
    logger.logLevel = arguments.logLevel
    let models = try ModelRegistry(
        folder: arguments.modelsFolder, poolSize: max(2, ProcessInfo.processInfo.activeProcessorCount),
        lanes: arguments.inferenceLanes)
    logger.info("serving models: \(models.names.joined(separator: ", "))")
    let store = try arguments.storePath.map { try SQLiteDrawingStore(path: $0) }
    logger.info("\(store.map { "keeping drawings players give in \($0.path)" } ?? "keeping no drawings")")
    if let store {
        let words = try await WordsController<DoodleRequestContext>.restore(from: store, into: models)
        if words > 0 { logger.info("rebuilt \(words) taught words from the store") }
    }
    let router = try buildRouter(
        models: models, limits: arguments.limits, store: store, saveLimits: arguments.saveLimits,
        adminToken: arguments.adminToken, metricsToken: arguments.metricsToken)
    let timeout = arguments.limits.readTimeout.components
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                idleTimeout: .nanoseconds(
                    timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000))),
        configuration: .init(
            address: .hostname(arguments.hostname, port: arguments.port), serverName: "doodle"),
        logger: logger)
}

/// The routes: the page at `/`, and `/api/predict`, `/api/models` and `/healthz`. `HEAD` works wherever
/// `GET` does, `OPTIONS` everywhere, and a known path asked with another method is answered 405.
///
/// - Parameters:
///   - models: the models to serve.
///   - limits: the limits on each request.
///   - store: where drawings players give are kept; nil for none (saving answers 503).
///   - saveLimits: how many drawings each client may save.
///   - adminToken: the token that lets a client beyond this machine read drawings back.
/// - Throws: `PageError` when the page's files are missing from the bundle.
public func buildRouter(
    models: ModelRegistry, limits: RequestLimits = RequestLimits(), store: (any DrawingStore)? = nil,
    saveLimits: SaveLimits = SaveLimits(), adminToken: String? = nil, metricsToken: String? = nil
) throws -> Router<DoodleRequestContext> {
    typealias Context = DoodleRequestContext
    // swift-metrics is bootstrapped before the metrics middleware makes its first metric.
    _ = ServerMetrics.registry
    let router = Router(context: Context.self, options: .autoGenerateHeadEndpoints)
    router.addMiddleware {
        RequestIDMiddleware()
        MetricsMiddleware()
        ErrorMessageMiddleware()
    }
    let routes = RouteTable(router)
    PredictController<Context>(models: models, limits: limits).addRoutes(to: routes.group("api"))
    // Saving drawings and teaching words share the store, each client's allowance of saves, and the admin.
    let drawings = DrawingService<Context>(
        store: store, models: models, limits: limits, saveLimits: saveLimits, adminToken: adminToken,
        clientKey: { $0.clientKey }, isLoopback: { $0.isLoopback })
    DrawingsController(drawings).addRoutes(to: routes.group("api"))
    WordsController(drawings).addRoutes(to: routes.group("api"))
    ModelsController<Context>(models: models).addRoutes(to: routes)
    MetricsController<Context>(
        models: models, limits: limits,
        access: AdminCheck(token: metricsToken, option: "--metrics-token", isLoopback: { $0.isLoopback })
    ).addRoutes(to: routes)
    try PageController<Context>().addRoutes(to: routes)
    routes.finish()
    return router
}
