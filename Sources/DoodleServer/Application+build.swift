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

    /// Limits with the defaults: 1 MB bodies, 10,000 points, 4 megapixel PNGs, coordinates up to 10⁶.
    public init(
        maxBodyBytes: Int = 1_000_000, maxPoints: Int = 10_000, maxImagePixels: Int = 4_194_304,
        maxCoordinate: Double = 1_000_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.maxPoints = maxPoints
        self.maxImagePixels = maxImagePixels
        self.maxCoordinate = maxCoordinate
    }
}

/// The Doodle application: the page and the prediction API over the models in `arguments.modelsFolder`.
///
/// - Throws: `ModelRegistryError` or `ModelFileError` when the models cannot be loaded.
public func buildApplication(_ arguments: some AppArguments) async throws -> some ApplicationProtocol {
    var logger = Logger(label: "doodle")
    logger.logLevel = .info
    let models = try ModelRegistry(
        folder: arguments.modelsFolder, poolSize: max(2, ProcessInfo.processInfo.activeProcessorCount))
    logger.info("serving models: \(models.names.joined(separator: ", "))")
    let router = try buildRouter(models: models, limits: arguments.limits)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(arguments.hostname, port: arguments.port), serverName: "doodle"),
        logger: logger)
}

/// The routes: the page at `/`, and `/api/predict`, `/api/models` and `/healthz`.
///
/// - Parameters:
///   - models: the models to serve.
///   - limits: the limits on each request.
/// - Throws: `PageError` when the page's files are missing from the bundle.
public func buildRouter(models: ModelRegistry, limits: RequestLimits = RequestLimits()) throws
    -> Router<BasicRequestContext>
{
    let router = Router(context: BasicRequestContext.self)
    router.addMiddleware {
        LogRequestsMiddleware(.debug)
    }
    PredictController<BasicRequestContext>(models: models, limits: limits).addRoutes(to: router.group("api"))
    ModelsController<BasicRequestContext>(models: models).addRoutes(to: router)
    try PageController<BasicRequestContext>().addRoutes(to: router)
    return router
}
