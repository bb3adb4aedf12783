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

    /// Adds `GET /api/models` and `GET /healthz`.
    public func addRoutes(to router: some RouterMethods<Context>) {
        let list = ModelList(
            models: models.names.compactMap { models.models[$0] }.map { model in
                ModelInfo(
                    name: model.name, classes: model.labels, architecture: model.architecture,
                    preprocessing: model.framing.rawValue, accuracy: model.accuracy,
                    top5: model.training["val_top5"].flatMap(Double.init))
            },
            defaultModel: models.defaultName)
        let health = Health(status: "ok", models: models.names)
        router.get("api/models") { _, _ in list }
        router.get("healthz") { _, _ in health }
    }
}
