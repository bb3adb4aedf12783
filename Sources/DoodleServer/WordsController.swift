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
public struct WordsController<Context: RequestContext>: Sendable {
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

    let service: DrawingService<Context>

    /// A controller teaching the models of `service`, keeping the drawings in its store.
    public init(_ service: DrawingService<Context>) {
        self.service = service
    }

    /// Adds the routes to `group` (mounted at `/api`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("words", use: teach)
        group.get("words", use: list)
        group.delete("words/{model}/{word}", use: forget)
    }

    @Sendable func teach(_ request: Request, context: Context) async throws -> EditedResponse<Taught> {
        let store = try service.requireStore(", so it cannot learn words")
        let body = try await service.limits.readBody(request)
        let (model, word, drawings) = try teaching(fromJSON: body)
        try service.admit(context, count: drawings.count)
        _ = try await service.storing { try await store.teach(drawings) }
        // Every drawing of the word, earlier teachings' too: the word is their mean.
        let taught = try await service.storing { try await store.taughtWords(model: model.name, label: word) }
        let strokes = taught.first?.drawings ?? drawings.map(\.strokes)
        try Self.learn(word, from: strokes, into: model)
        return EditedResponse(
            status: .created,
            response: Taught(
                model: model.name, word: word, examples: strokes.count,
                words: model.taught?.words.map(\.label) ?? []))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> WordList {
        let model = try service.models.served(request.uri.queryParameters["model"].map(String.init))
        return WordList(
            model: model.name,
            words: (model.taught?.words ?? []).map {
                .init(word: $0.label, examples: $0.examples, bias: $0.bias, weight: $0.weight)
            })
    }

    @Sendable func forget(_ request: Request, context: Context) async throws -> Response {
        try service.admin.require(request, context, doing: "forgetting a taught word")
        let store = try service.requireStore()
        let model = try service.models.served(try context.parameters.require("model"))
        let word = try label(try context.parameters.require("word"))
        guard try await service.storing({ try await store.forget(label: word, model: model.name) }) else {
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
        let model = try service.models.served(request.model)
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
                try service.limits.checkPointCount(arrays, else: "drawings[\(index)] is empty")
                do {
                    let strokes = try StrokeJSON.strokes(
                        fromArrays: arrays, name: "drawings[\(index)]",
                        maxCoordinate: service.limits.maxCoordinate)
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
