import DoodleData
import DoodleStore
import Foundation
import Hummingbird

/// `POST /api/drawings` saves a drawing a player chose to give, `GET /api/drawings/stats` counts them,
/// and `GET /api/drawings` reads them back, for an admin only.
public struct DrawingsController<Context: RequestContext>: Sendable {
    /// A drawing to save: its strokes (as `/api/predict` takes them, times kept), its label, where it
    /// came from, and optionally the model and its guesses at the time.
    public struct SaveRequest: Decodable, Sendable {
        public var strokes: [[[Double]]]
        public var label: String
        public var source: String
        public var model: String?
        public var guesses: [SavedGuess]?
    }

    /// The answer to a save: the drawing's id and the label as stored.
    public struct Saved: ResponseCodable, Sendable {
        public var id: Int64
        public var label: String
    }

    /// One drawing as `GET /api/drawings` lists it.
    public struct Listed: Codable, Sendable {
        public var id: Int64
        public var label: String
        public var source: String
        public var model: String?
        public var guesses: [SavedGuess]
        /// Seconds since 1970.
        public var createdAt: Double
        /// Google's raw form: `[[x, ...], [y, ...], [t, ...]]` per stroke.
        public var strokes: [[[Double]]]

        enum CodingKeys: String, CodingKey {
            case id, label, source, model, guesses, strokes
            case createdAt = "created_at"
        }
    }

    /// A page of `GET /api/drawings`; `next_after` asks for the next page when there may be one.
    public struct ListedPage: ResponseCodable, Sendable {
        public var drawings: [Listed]
        public var nextAfter: Int64?

        enum CodingKeys: String, CodingKey {
            case drawings
            case nextAfter = "next_after"
        }
    }

    let service: DrawingService<Context>

    /// A controller saving to the store of `service`.
    public init(_ service: DrawingService<Context>) {
        self.service = service
    }

    /// The sources a client may name: `taught` drawings come with their word through `POST /api/words`,
    /// and `imported` is the command line's.
    static var clientSources: [DrawingSource] { [.game, .correction] }

    /// Adds the routes to `group` (mounted at `/api`).
    public func addRoutes(to group: RouterGroup<Context>) {
        group.post("drawings", use: save)
        group.get("drawings/stats", use: stats)
        group.get("drawings", use: list)
    }

    @Sendable func save(_ request: Request, context: Context) async throws -> EditedResponse<Saved> {
        let store = try service.requireStore()
        let body = try await service.limits.readBody(request)
        let drawing = try newDrawing(fromJSON: body)
        try service.admit(context)
        let id = try await service.storing { try await store.save(drawing) }
        return EditedResponse(status: .created, response: Saved(id: id, label: drawing.label))
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> DrawingStatsResponse {
        let store = try service.requireStore()
        return DrawingStatsResponse(stats: try await service.storing { try await store.stats() })
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> ListedPage {
        let store = try service.requireStore()
        try service.admin.require(request, context, doing: "reading drawings back")
        let query = request.uri.queryParameters
        let after =
            try query["after"].map { try Self.integer(String($0), name: "after", in: 0...Int64.max) } ?? 0
        let limit =
            try query["limit"].map { try Self.integer(String($0), name: "limit", in: 1...1000) } ?? 100
        let label = try query["label"].map { text in
            do {
                return try DrawingLabel.normalize(String(text))
            } catch let error as StoreError {
                throw HTTPError(.badRequest, message: "label: \(error.description)")
            }
        }
        let drawings = try await service.storing {
            try await store.drawings(label: label, after: after, limit: Int(limit))
        }
        return ListedPage(
            drawings: drawings.map { stored in
                let d = stored.drawing
                return Listed(
                    id: stored.id, label: d.label, source: d.source.rawValue, model: d.model,
                    guesses: d.guesses,
                    createdAt: d.createdAt.timeIntervalSince1970,
                    strokes: d.strokes.map { [$0.x, $0.y] + ($0.t.map { [$0] } ?? []) })
            }, nextAfter: drawings.count == Int(limit) ? drawings.last?.id : nil)
    }

    /// The drawing a JSON body describes, checked as `/api/predict` checks strokes.
    ///
    /// - Throws: `HTTPError` 400 naming the field at fault, or 413 for too many points.
    package func newDrawing(fromJSON body: [UInt8]) throws -> NewDrawing {
        guard !body.isEmpty else {
            throw HTTPError(
                .badRequest, message: "the request body is empty; send JSON with strokes and a label")
        }
        let request: SaveRequest
        do {
            request = try JSONDecoder().decode(SaveRequest.self, from: Data(body))
        } catch let error as DecodingError {
            throw HTTPError(.badRequest, message: PredictController<Context>.describe(error))
        }
        guard let source = DrawingSource(rawValue: request.source), Self.clientSources.contains(source) else {
            let names = Self.clientSources.map(\.rawValue).joined(separator: ", ")
            throw HTTPError(
                .badRequest, message: "source '\(request.source.prefix(40))' is not one of \(names)")
        }
        try service.limits.checkPointCount(request.strokes, else: "nothing to save")
        if let model = request.model { _ = try service.models.served(model) }
        let guesses = request.guesses ?? []
        guard guesses.count <= 10 else {
            throw HTTPError(.badRequest, message: "guesses has \(guesses.count) entries; at most 10 are kept")
        }
        do {
            let strokes = try StrokeJSON.strokes(
                fromArrays: request.strokes, name: "strokes", maxCoordinate: service.limits.maxCoordinate)
            let label = try DrawingLabel.normalize(request.label)
            let checked = try guesses.enumerated().map { index, guess in
                guard guess.confidence.isFinite, (0...1).contains(guess.confidence) else {
                    throw StoreError("guesses[\(index)].confidence \(guess.confidence) is not in 0...1")
                }
                return SavedGuess(
                    label: try DrawingLabel.normalize(guess.label), confidence: guess.confidence)
            }
            return NewDrawing(
                strokes: strokes, label: label, source: source, model: request.model, guesses: checked)
        } catch let error as DataError {
            throw HTTPError(.badRequest, message: error.description)
        } catch let error as StoreError {
            throw HTTPError(.badRequest, message: error.description)
        }
    }

    static func integer(_ text: String, name: String, in range: ClosedRange<Int64>) throws -> Int64 {
        guard let value = Int64(text), range.contains(value) else {
            throw HTTPError(
                .badRequest, message: "\(name) must be a whole number in \(range), not '\(text.prefix(20))'")
        }
        return value
    }
}

/// The body of `GET /api/drawings/stats`.
public struct DrawingStatsResponse: ResponseCodable, Sendable {
    public var total: Int
    public var labels: [String: Int]
    public var sources: [String: Int]

    init(stats: DrawingStats) {
        (total, labels, sources) = (stats.total, stats.labels, stats.sources)
    }
}
