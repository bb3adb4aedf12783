import DoodleData
import Foundation
import Hummingbird

/// `POST /api/predict`: what a drawing is, from its strokes, its 28×28 pixels, or a PNG.
public struct PredictController<Context: RequestContext>: Sendable {
    /// A JSON prediction request: `strokes` or `pixels`, for `model`, the `top` guesses.
    public struct PredictRequest: Decodable, Sendable {
        /// The model's name; the server's default when absent.
        public var model: String?
        /// Strokes `[[x, ...], [y, ...]]` (a third array of times is ignored), in any coordinates.
        public var strokes: [[[Double]]]?
        /// A ready 28×28 input, row by row, 0 (background) to 255 (ink).
        public var pixels: [Double]?
        /// How many guesses to answer; 5 when absent.
        public var top: Int?
    }

    /// One guess: a class name and the model's probability for it.
    public struct Guess: Codable, Sendable {
        /// The class name.
        public var label: String
        /// The probability, 0 to 1.
        public var confidence: Float
    }

    /// The answer: the guesses, the image the model saw, and the server-side time taken.
    ///
    /// It is written as JSON by hand (`PredictController+Response.swift`): `JSONEncoder` spent more
    /// time on the 784 bitmap values than the network spent on the guess.
    public struct PredictResponse: Codable, Sendable {
        /// The model that answered.
        public var model: String
        /// The most likely classes, most likely first.
        public var predictions: [Guess]
        /// The model's input, row by row, 0 to 255.
        public var bitmap: [UInt8]
        /// Milliseconds from the whole body being read to the answer being ready.
        public var tookMs: Double

        enum CodingKeys: String, CodingKey {
            case model, predictions, bitmap
            case tookMs = "took_ms"
        }
    }

    let models: ModelRegistry
    let limits: RequestLimits

    /// A controller predicting with `models` under `limits`.
    public init(models: ModelRegistry, limits: RequestLimits) {
        self.models = models
        self.limits = limits
    }

    /// Adds `POST predict` to `group` (mounted at `/api`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("predict", use: predict)
    }

    @Sendable func predict(_ request: Request, context: Context) async throws -> PredictResponse {
        let body = try await limits.readBody(request)
        let start = ContinuousClock.now
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let input: (model: ServedModel, pixels: [UInt8], top: Int)
        if contentType.hasPrefix("image/png") || body.starts(with: PNG.signature) {
            let model = try models.served(request.uri.queryParameters["model"].map(String.init))
            let top = try topCount(request.uri.queryParameters["top"].map { Int($0) ?? 0 }, model: model)
            input = (model, try pixels(fromPNG: body, model: model), top)
        } else {
            input = try self.input(fromJSON: body)
        }
        let guesses = await input.model.batchedPredict(input.pixels, top: input.top)
        let elapsed = ContinuousClock.now - start
        return PredictResponse(
            model: input.model.name,
            predictions: guesses.map { Guess(label: $0.label, confidence: $0.confidence) },
            bitmap: input.pixels,
            tookMs: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    }

    /// The model, its input and the number of guesses a JSON request asks for: everything `POST predict`
    /// does with a JSON body before inference.
    ///
    /// - Parameter body: the request body, as a client sent it.
    /// - Throws: `HTTPError` (400, or 413 for too many points) saying what is wrong with the request.
    package func input(fromJSON body: [UInt8]) throws -> (model: ServedModel, pixels: [UInt8], top: Int) {
        let decoded = try decodeRequest(body)
        let model = try models.served(decoded.model)
        return (model, try pixels(from: decoded, model: model), try topCount(decoded.top, model: model))
    }

    /// `top`, 5 by default, at most the number of classes and taught words; 400 when it is not positive.
    func topCount(_ top: Int?, model: ServedModel) throws -> Int {
        let top = top ?? 5
        guard top > 0 else { throw HTTPError(.badRequest, message: "top must be a positive number") }
        return min(top, model.labels.count + (model.taught?.words.count ?? 0))
    }
}
