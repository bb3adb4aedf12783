import DoodleData
import Foundation

/// Where a saved drawing came from.
public enum DrawingSource: String, Sendable, Codable, CaseIterable {
    /// A game round: the label is the word the game asked for.
    case game
    /// A player's correction of a wrong guess in free draw: the label is what they say it was.
    case correction
    /// One of the drawings a player made to teach Doodle a word of their own.
    case taught
    /// Brought in from an ndjson file by `doodle drawings import`.
    case imported
}

/// One guess the model made when the drawing was saved.
public struct SavedGuess: Sendable, Codable, Equatable {
    /// The class name.
    public var label: String
    /// The probability, 0 to 1.
    public var confidence: Double

    public init(label: String, confidence: Double) {
        self.label = label
        self.confidence = confidence
    }
}

/// A drawing to keep: its strokes as the player drew them (Google's raw form, with times when the
/// canvas gave them), what it is, where it came from, and what the model guessed then.
public struct NewDrawing: Sendable, Equatable {
    /// The strokes, in the canvas's coordinates.
    public var strokes: [Stroke]
    /// What the drawing is, normalised by `DrawingLabel`.
    public var label: String
    /// Where it came from.
    public var source: DrawingSource
    /// The model that guessed, if one did.
    public var model: String?
    /// Its top guesses at the time, most likely first.
    public var guesses: [SavedGuess]
    /// When the drawing was saved.
    public var createdAt: Date

    public init(
        strokes: [Stroke], label: String, source: DrawingSource, model: String? = nil,
        guesses: [SavedGuess] = [], createdAt: Date = Date()
    ) {
        (self.strokes, self.label, self.source) = (strokes, label, source)
        (self.model, self.guesses, self.createdAt) = (model, guesses, createdAt)
    }
}

/// A drawing as the store keeps it, with the id it was given.
public struct StoredDrawing: Sendable, Equatable {
    /// The store's id, increasing in the order drawings were saved.
    public var id: Int64
    /// The drawing.
    public var drawing: NewDrawing

    public init(id: Int64, drawing: NewDrawing) {
        self.id = id
        self.drawing = drawing
    }
}

extension StoredDrawing {
    /// The drawing as one line of Google's raw ndjson: `key_id` is the store's id, `recognized` whether
    /// the model's first guess was the label, `drawing` the strokes with their times.
    public var ndjsonLine: String {
        let timestamp = ISO8601DateFormatter().string(from: drawing.createdAt)
        let recognized = drawing.guesses.first?.label == drawing.label
        // Labels hold no quote or backslash (DrawingLabel), so they need no escaping.
        return #"{"key_id":"\#(id)","word":"\#(drawing.label)","countrycode":"","timestamp":"\#(timestamp)","#
            + #""recognized":\#(recognized),"drawing":\#(StrokeJSON.encode(drawing.strokes))}"#
    }
}

/// How many drawings the store holds, by label and by source.
public struct DrawingStats: Sendable, Equatable, Codable {
    /// Every drawing.
    public var total: Int
    /// Drawings per label.
    public var labels: [String: Int]
    /// Drawings per source (`game`, `correction`, `taught`, `imported`).
    public var sources: [String: Int]

    public init(total: Int = 0, labels: [String: Int] = [:], sources: [String: Int] = [:]) {
        (self.total, self.labels, self.sources) = (total, labels, sources)
    }
}

/// A word taught to a model, with the drawings it was taught from, oldest first.
public struct TaughtWordRecord: Sendable, Equatable {
    /// The model that learnt it.
    public var model: String
    /// The word, normalised by `DrawingLabel`.
    public var label: String
    /// The strokes of each drawing it was taught from.
    public var drawings: [[Stroke]]
    /// When it was first taught.
    public var createdAt: Date

    public init(model: String, label: String, drawings: [[Stroke]], createdAt: Date) {
        (self.model, self.label, self.drawings, self.createdAt) = (model, label, drawings, createdAt)
    }
}

/// The drawings players chose to give, behind one small interface so that another database (a
/// PostgreSQL store shared by replicated servers) can take SQLite's place without touching the server.
///
/// A save that returns has been committed: a server killed right after loses nothing it acknowledged.
public protocol DrawingStore: Sendable {
    /// Saves `drawing` and returns its id.
    func save(_ drawing: NewDrawing) async throws -> Int64
    /// Saves every drawing in one transaction, all or none, and returns their ids.
    func save(all drawings: [NewDrawing]) async throws -> [Int64]
    /// Counts by label and source.
    func stats() async throws -> DrawingStats
    /// Up to `limit` drawings with ids above `after`, in id order, of `label` only when given.
    func drawings(label: String?, after: Int64, limit: Int) async throws -> [StoredDrawing]
    /// Saves `drawings` (of source `taught`) as examples of the word they are labelled with, for their
    /// model, in one transaction: the word is created, or its examples grow. Returns the drawings' ids.
    func teach(_ drawings: [NewDrawing]) async throws -> [Int64]
    /// The words taught to `model` (every model when nil), only `label` when given, each with its
    /// drawings, in the order taught.
    func taughtWords(model: String?, label: String?) async throws -> [TaughtWordRecord]
    /// Forgets the word `label` of `model`; its drawings stay in the store. False when there was none.
    func forget(label: String, model: String) async throws -> Bool
}

extension DrawingStore {
    /// Every word taught to `model` (to every model when nil), with its drawings, in the order taught.
    public func taughtWords(model: String?) async throws -> [TaughtWordRecord] {
        try await taughtWords(model: model, label: nil)
    }
}

/// A store that cannot be opened or used, naming the file and the reason.
public struct StoreError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
