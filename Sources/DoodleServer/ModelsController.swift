import Foundation
import Hummingbird

/// `GET /api/models`, what the server can recognise, and `GET /healthz`.
public struct ModelsController<Context: RequestContext>: Sendable {
    /// One model as `/api/models` lists it.
    public struct ModelInfo: Codable, Sendable {
        /// The name to ask for in `/api/predict`.
        public var name: String
        /// The class names, in output order.
        public var classes: [String]
        /// The architecture's name.
        public var architecture: String
        /// `quickdraw` or `mnist`: how inputs are framed.
        public var preprocessing: String
        /// Top-1 validation accuracy at training, when recorded.
        public var accuracy: Double?
        /// Top-5 validation accuracy at training, when recorded.
        public var top5: Double?
        /// The words the game asks for, those with a validation top-1 of at least 80%; absent for a
        /// model that is not for the game.
        public var gameWords: [String]?
        /// Each class's validation top-1 at training, when recorded.
        public var classAccuracy: [String: Double]?

        enum CodingKeys: String, CodingKey {
            case name, classes, architecture, preprocessing, accuracy, top5
            case gameWords = "game_words"
            case classAccuracy = "class_accuracy"
        }
    }

    /// The body of `GET /api/models`.
    public struct ModelList: ResponseCodable, Sendable {
        /// The models, sorted by name.
        public var models: [ModelInfo]
        /// The model used when a request names none.
        public var defaultModel: String

        enum CodingKeys: String, CodingKey {
            case models
            case defaultModel = "default"
        }
    }

    /// The body of `GET /healthz`.
    public struct Health: ResponseCodable, Sendable {
        /// `ok` while the server serves.
        public var status: String
        /// The names of the models served.
        public var models: [String]
    }

    let models: ModelRegistry

    /// A controller listing `models`.
    public init(models: ModelRegistry) {
        self.models = models
    }

    /// Adds `GET /api/models`, `GET /api/models/{name}/weights` and `GET /healthz`.
    ///
    /// The weights are the model's file, served with a strong entity tag: a browser that has them asks
    /// with `If-None-Match` and gets `304 Not Modified` until the model changes.
    public func addRoutes(to router: some RouterMethods<Context>) {
        let list = ModelList(
            models: models.names.compactMap { models.models[$0] }.map { model in
                ModelInfo(
                    name: model.name, classes: model.labels, architecture: model.architecture,
                    preprocessing: model.framing.rawValue, accuracy: model.accuracy,
                    top5: model.training["val_top5"].flatMap(Double.init), gameWords: model.gameWords,
                    classAccuracy: model.validationTop1PerClass)
            },
            defaultModel: models.defaultName)
        let health = Health(status: "ok", models: models.names)
        router.get("api/models") { _, _ in list }
        router.get("healthz") { _, _ in health }
        let files = models.models.mapValues(\.file)
        router.get("api/models/:name/weights") { request, context in
            let name = try context.parameters.require("name")
            guard let file = files[name] else {
                throw HTTPError(
                    .notFound,
                    message:
                        "no model named '\(name)'; the models are \(models.names.joined(separator: ", "))")
            }
            var headers: HTTPFields = [.eTag: file.entityTag, .cacheControl: "no-cache"]
            if request.headers[values: .ifNoneMatch].contains(where: { Self.matches($0, file.entityTag) }) {
                return Response(status: .notModified, headers: headers)
            }
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
        }
    }

    /// Whether an `If-None-Match` value (`*`, or a comma-separated list of tags) names `tag`.
    static func matches(_ ifNoneMatch: String, _ tag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains {
            let candidate = $0.trimmingCharacters(in: .whitespaces)
            return candidate == "*" || candidate == tag || candidate == "W/" + tag
        }
    }
}
