import DoodleData
import Foundation
import GRDB

/// The drawing store in one SQLite file, through GRDB: WAL journal, a full sync at every commit, and
/// the schema brought up to date by versioned migrations when the file is opened.
public final class SQLiteDrawingStore: DrawingStore {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    /// Opens (or creates) the store at `path` and migrates it to the current schema.
    ///
    /// - Throws: `StoreError` naming the file: its folder cannot be made, the file is not a SQLite
    ///   database, it is locked by another process, or it cannot be written.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                "cannot make the drawing store's folder \(folder.path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(2)
        configuration.prepareDatabase { db in
            // A committed save survives the server's death, and the machine's.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError("cannot open the drawing store \(path): \(Self.reason(error))")
        } catch {
            throw StoreError("cannot open the drawing store \(path): \(error)")
        }
    }

    /// The schema, one migration per version; a file made by an older Doodle is brought forward.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: drawings") { db in
            try db.create(table: "drawing") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("label", .text).notNull().indexed()
                t.column("source", .text).notNull()
                t.column("strokes", .text).notNull()
                t.column("model", .text)
                t.column("guesses", .text).notNull()
                t.column("created_at", .double).notNull()
            }
        }
        migrator.registerMigration("v2: taught words") { db in
            try db.create(table: "taught_word") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("model", .text).notNull()
                t.column("label", .text).notNull()
                t.column("created_at", .double).notNull()
                t.uniqueKey(["model", "label"])
            }
            try db.create(table: "taught_example") { t in
                t.column("word_id", .integer).notNull().indexed()
                    .references("taught_word", onDelete: .cascade)
                t.column("drawing_id", .integer).notNull().references("drawing")
                t.primaryKey(["word_id", "drawing_id"])
            }
        }
        return migrator
    }

    /// The versions of the schema applied to the file, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try Self.migrator.appliedMigrations($0) }
    }

    public func save(_ drawing: NewDrawing) async throws -> Int64 {
        try await save(all: [drawing])[0]
    }

    public func save(all drawings: [NewDrawing]) async throws -> [Int64] {
        let rows = try drawings.map(Self.arguments)
        return try await run {
            try await self.pool.write { db in try rows.map { try Self.insert($0, into: db) } }
        }
    }

    public func stats() async throws -> DrawingStats {
        try await run {
            try await self.pool.read { db in
                var stats = DrawingStats()
                let rows = try Row.fetchAll(
                    db, sql: "SELECT label, source, COUNT(*) AS n FROM drawing GROUP BY label, source")
                for row in rows {
                    let (label, source, n): (String, String, Int) = (row["label"], row["source"], row["n"])
                    stats.total += n
                    stats.labels[label, default: 0] += n
                    stats.sources[source, default: 0] += n
                }
                return stats
            }
        }
    }

    public func drawings(label: String?, after: Int64, limit: Int) async throws -> [StoredDrawing] {
        let path = self.path
        return try await run {
            try await self.pool.read { db in
                let rows =
                    if let label {
                        try Row.fetchAll(
                            db, sql: "SELECT * FROM drawing WHERE label = ? AND id > ? ORDER BY id LIMIT ?",
                            arguments: [label, after, limit])
                    } else {
                        try Row.fetchAll(
                            db, sql: "SELECT * FROM drawing WHERE id > ? ORDER BY id LIMIT ?",
                            arguments: [after, limit])
                    }
                return try rows.map { row in
                    let id: Int64 = row["id"]
                    let name = "\(path) drawing \(id)"
                    let sourceName: String = row["source"]
                    guard let source = DrawingSource(rawValue: sourceName) else {
                        throw StoreError("\(name): unknown source '\(sourceName)'")
                    }
                    let guessText: String = row["guesses"]
                    let guesses = try JSONDecoder().decode([SavedGuess].self, from: Data(guessText.utf8))
                    let drawing = NewDrawing(
                        strokes: try StrokeJSON.decode(row["strokes"], name: name), label: row["label"],
                        source: source, model: row["model"], guesses: guesses,
                        createdAt: Date(timeIntervalSince1970: row["created_at"]))
                    return StoredDrawing(id: id, drawing: drawing)
                }
            }
        }
    }

    public func teach(_ drawings: [NewDrawing]) async throws -> [Int64] {
        guard let first = drawings.first else { return [] }
        guard let model = first.model,
            drawings.allSatisfy({ $0.model == model && $0.label == first.label && $0.source == .taught })
        else {
            throw StoreError(
                "the drawings of a taught word are all of one word and one model, from source 'taught'")
        }
        let rows = try drawings.map(Self.arguments)
        return try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO taught_word (model, label, created_at) VALUES (?, ?, ?)",
                    arguments: [model, first.label, first.createdAt.timeIntervalSince1970])
                let wordID = try Int64.fetchOne(
                    db, sql: "SELECT id FROM taught_word WHERE model = ? AND label = ?",
                    arguments: [model, first.label])!
                return try rows.map { arguments in
                    let id = try Self.insert(arguments, into: db)
                    try db.execute(
                        sql: "INSERT INTO taught_example (word_id, drawing_id) VALUES (?, ?)",
                        arguments: [wordID, id])
                    return id
                }
            }
        }
    }

    public func taughtWords(model: String?, label: String?) async throws -> [TaughtWordRecord] {
        let path = self.path
        return try await run {
            try await self.pool.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT w.id AS word_id, w.model, w.label, w.created_at, d.id AS drawing_id, d.strokes
                        FROM taught_word w JOIN taught_example e ON e.word_id = w.id
                        JOIN drawing d ON d.id = e.drawing_id
                        WHERE (? IS NULL OR w.model = ?) AND (? IS NULL OR w.label = ?)
                        ORDER BY w.id, d.id
                        """, arguments: [model, model, label, label])
                var records: [TaughtWordRecord] = []
                var lastWord: Int64?
                for row in rows {
                    let wordID: Int64 = row["word_id"]
                    let drawingID: Int64 = row["drawing_id"]
                    let strokes = try StrokeJSON.decode(row["strokes"], name: "\(path) drawing \(drawingID)")
                    if wordID != lastWord {
                        records.append(
                            TaughtWordRecord(
                                model: row["model"], label: row["label"], drawings: [],
                                createdAt: Date(timeIntervalSince1970: row["created_at"])))
                        lastWord = wordID
                    }
                    records[records.count - 1].drawings.append(strokes)
                }
                return records
            }
        }
    }

    public func forget(label: String, model: String) async throws -> Bool {
        try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: "DELETE FROM taught_word WHERE model = ? AND label = ?", arguments: [model, label])
                return db.changesCount > 0
            }
        }
    }

    /// A drawing's row values, in the order `insert` takes them.
    private static func arguments(_ drawing: NewDrawing) throws -> StatementArguments {
        let guesses = String(decoding: try JSONEncoder().encode(drawing.guesses), as: UTF8.self)
        return [
            drawing.label, drawing.source.rawValue, StrokeJSON.encode(drawing.strokes), drawing.model,
            guesses, drawing.createdAt.timeIntervalSince1970,
        ]
    }

    /// Inserts one drawing's row and returns its id.
    private static func insert(_ arguments: StatementArguments, into db: Database) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO drawing (label, source, strokes, model, guesses, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: arguments)
        return db.lastInsertedRowID
    }

    /// Runs a database operation, its SQLite errors as `StoreError`s that name the file.
    private func run<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as DatabaseError {
            throw StoreError("the drawing store \(path): \(Self.reason(error))")
        }
    }

    static func reason(_ error: DatabaseError) -> String {
        switch error.resultCode {
        case .SQLITE_NOTADB: "the file is not a SQLite database (or is corrupt)"
        case .SQLITE_CORRUPT: "the database file is corrupt"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the database is locked by another process"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: "the file cannot be opened for writing"
        case .SQLITE_FULL: "the disk is full"
        default: error.message ?? "\(error)"
        }
    }
}
