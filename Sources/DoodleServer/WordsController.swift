import DoodleData
import DoodleNN
import DoodleStore
import Foundation
import Hummingbird

/// Words players teach a model from a few drawings: `POST /api/words` teaches one, `GET /api/words`
/// lists a model's (with what the page needs to guess them in the browser), and `DELETE
/// /api/words/{model}/{word}` forgets one, for an admin only.
///
/// A word is a weight row on the model's penultimate features (`WordImprinter`): it needs no training
/// run, guesses cost one dot product more, and the drawings are kept in the store, so the word is
/// rebuilt from them when the server starts again.
public struct WordsController<Context: RequestContext>: StoreBackedController {
    /// A word to teach: `word`, drawn `drawings.count` times, each drawing's strokes as
    /// `/api/predict` takes them.
    public struct TeachRequest: Decodable, Sendable {
        public var model: String?
        public var word: String
        public var drawings: [[[[Double]]]]
    }

    /// The answer to a teaching: the word as stored, how many drawings it now has, and the model's words.
    public struct Taught: ResponseCodable, Sendable {
        public var model: String
        public var word: String
        public var examples: Int
        public var words: [String]
    }

    /// A model's taught words, each with its weight row and bias, which the page scores in the browser
    /// as the server does.
    public struct WordList: ResponseCodable, Sendable {
        public struct Word: Codable, Sendable {
            public var word: String
            public var examples: Int
            public var bias: Float
            public var weight: [Float]
        }
        public var model: String
        public var words: [Word]
    }

    /// The fewest drawings a word is taught from.
    public static var minDrawings: Int { 5 }
    /// The most drawings one request may teach.
    public static var maxDrawings: Int { 10 }
    /// The most words one model may be taught.
    public static var maxWords: Int { 100 }

    let store: (any DrawingStore)?
    let models: ModelRegistry
    let limits: RequestLimits
    let rateLimiter: SaveRateLimiter
    let admin: AdminCheck<Context>

    /// A controller teaching the models of `models`, keeping the drawings in `store` (none: teaching
    /// answers 503), with the limits and the rate of saving of the drawings controller.
    public init(
        store: (any DrawingStore)?, models: ModelRegistry, limits: RequestLimits, saveLimits: SaveLimits,
        adminToken: String?, clientKey: @escaping @Sendable (Context) -> String,
        isLoopback: @escaping @Sendable (Context) -> Bool
    ) {
        self.init(
            store: store, models: models, limits: limits, rateLimiter: SaveRateLimiter(saveLimits),
            admin: AdminCheck(token: adminToken, clientKey: clientKey, isLoopback: isLoopback))
    }

    init(
        store: (any DrawingStore)?, models: ModelRegistry, limits: RequestLimits,
        rateLimiter: SaveRateLimiter,
        admin: AdminCheck<Context>
    ) {
        (self.store, self.models, self.limits) = (store, models, limits)
        (self.rateLimiter, self.admin) = (rateLimiter, admin)
    }

    /// Adds the routes to `group` (mounted at `/api`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("words", use: teach)
        group.get("words", use: list)
        group.delete("words/{model}/{word}", use: forget)
    }

    @Sendable func teach(_ request: Request, context: Context) async throws -> EditedResponse<Taught> {
        let store = try requireStore(", so it cannot learn words")
        let body = try await limits.readBody(request)
        let (model, word, drawings) = try teaching(fromJSON: body)
        try rateLimiter.admit(admin.clientKey(context), count: drawings.count)
        _ = try await storing { try await store.teach(drawings) }
        let all = try await storing { try await store.taughtWords(model: model.name) }
        let strokes = all.first { $0.label == word }?.drawings ?? drawings.map(\.strokes)
        try Self.learn(word, from: strokes, into: model)
        return EditedResponse(
            status: .created,
            response: Taught(
                model: model.name, word: word, examples: strokes.count,
                words: model.taught?.words.map(\.label) ?? []))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> WordList {
        let name = request.uri.queryParameters["model"].map(String.init) ?? models.defaultName
        let model = try model(named: name)
        return WordList(
            model: model.name,
            words: (model.taught?.words ?? []).map {
                .init(word: $0.label, examples: $0.examples, bias: $0.bias, weight: $0.weight)
            })
    }

    @Sendable func forget(_ request: Request, context: Context) async throws -> Response {
        try admin.require(request, context, doing: "forgetting a taught word")
        let store = try requireStore()
        let model = try model(named: try context.parameters.require("model"))
        let word = try label(try context.parameters.require("word"))
        guard try await storing({ try await store.forget(label: word, model: model.name) }) else {
            throw HTTPError(.notFound, message: "\(model.name) was taught no word '\(word)'")
        }
        model.taught?.forget(word)
        return Response(status: .noContent)
    }

    /// The model, word and drawings a JSON body asks to teach, checked: a word the model does not
    /// know, 5 to 10 drawings within the stroke limits of `/api/predict`, room for one more word.
    ///
    /// - Throws: `HTTPError` 400 naming what is wrong, 409 for a word the model knows or a model with no
    ///   room left, 413 for a drawing of too many points.
    package func teaching(fromJSON body: [UInt8]) throws -> (
        model: ServedModel, word: String, drawings: [NewDrawing]
    ) {
        guard !body.isEmpty else {
            throw HTTPError(
                .badRequest, message: "the request body is empty; send JSON with a word and its drawings")
        }
        let request: TeachRequest
        do {
            request = try JSONDecoder().decode(TeachRequest.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: PredictController<Context>.describe(error))
        }
        let model = try model(named: request.model ?? models.defaultName)
        guard let book = model.taught else {
            throw HTTPError(
                .conflict, message: "\(model.name) cannot learn words: its last layer is not linear")
        }
        let word = try label(request.word)
        if model.labels.contains(word) {
            throw HTTPError(
                .conflict,
                message:
                    "\(model.name) already knows '\(word)'; draw it, and correct a wrong guess to help it learn"
            )
        }
        let known = book.words.map(\.label)
        if !known.contains(word) && known.count >= Self.maxWords {
            throw HTTPError(
                .conflict,
                message: "\(model.name) has \(known.count) taught words, the most it keeps; forget one first")
        }
        guard (Self.minDrawings...Self.maxDrawings).contains(request.drawings.count) else {
            throw HTTPError(
                .badRequest,
                message:
                    "drawings has \(request.drawings.count); teach a word with \(Self.minDrawings) to \(Self.maxDrawings) drawings of it"
            )
        }
        return (
            model, word,
            try request.drawings.enumerated().map { index, arrays in
                try limits.checkPointCount(arrays, else: "drawings[\(index)] is empty")
                do {
                    let strokes = try StrokeJSON.strokes(
                        fromArrays: arrays, name: "drawings[\(index)]", maxCoordinate: limits.maxCoordinate)
                    _ = try ImageInput.modelInput(strokes: strokes, framing: model.framing, side: model.side)
                    return NewDrawing(strokes: strokes, label: word, source: .taught, model: model.name)
                } catch let error as DataError {
                    throw HTTPError(.badRequest, message: error.description)
                }
            }
        )
    }

    /// Teaches `model` the word `word` from every drawing of it.
    ///
    /// - Throws: `DataError` for a drawing that cannot be rendered (none the server accepted).
    static func learn(_ word: String, from drawings: [[Stroke]], into model: ServedModel) throws {
        guard let book = model.taught, !drawings.isEmpty else { return }
        let images = try drawings.map {
            try ImageInput.modelInput(strokes: $0, framing: model.framing, side: model.side)
        }
        book.teach(word, features: model.features(images))
    }

    /// Rebuilds every model's taught words from the store, as the server starts.
    ///
    /// - Returns: how many words were taught, over all models.
    /// - Throws: `StoreError` when the store cannot be read.
    public static func restore(from store: any DrawingStore, into models: ModelRegistry) async throws -> Int {
        var count = 0
        for record in try await store.taughtWords(model: nil) {
            guard let model = models.models[record.model] else { continue }
            try learn(record.label, from: record.drawings, into: model)
            count += 1
        }
        return count
    }

    func label(_ text: String) throws -> String {
        do {
            return try DrawingLabel.normalize(text)
        } catch let error as StoreError {
            throw HTTPError(.badRequest, message: "word: \(error.description)")
        }
    }
}

/// What the drawings and words controllers share: the store (nil with --no-store) and the models.
protocol StoreBackedController: Sendable {
    var store: (any DrawingStore)? { get }
    var models: ModelRegistry { get }
}

extension StoreBackedController {
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

    /// The model called `name`, or 400 naming the models there are.
    func model(named name: String) throws -> ServedModel {
        guard let model = models.models[name] else {
            throw HTTPError(
                .badRequest,
                message:
                    "unknown model '\(name.prefix(40))'; this server has \(models.names.joined(separator: ", "))"
            )
        }
        return model
    }
}

/// Who may do what only an admin may: a client on the server's own machine, or one that sends the
/// server's `--admin-token` as a Bearer token.
struct AdminCheck<Context: RequestContext>: Sendable {
    let token: String?
    let clientKey: @Sendable (Context) -> String
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
                    + "'Authorization: Bearer <token>' with the server's --admin-token")
        }
    }
}
