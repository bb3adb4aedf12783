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
        let rows = try drawings.map { drawing in
            let guesses = String(decoding: try JSONEncoder().encode(drawing.guesses), as: UTF8.self)
            return [
                drawing.label, drawing.source.rawValue, StrokeJSON.encode(drawing.strokes), drawing.model,
                guesses, drawing.createdAt.timeIntervalSince1970,
            ] as StatementArguments
        }
        return try await run {
            try await self.pool.write { db in
                try rows.map { arguments in
                    try db.execute(
                        sql: """
                            INSERT INTO drawing (label, source, strokes, model, guesses, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """, arguments: arguments)
                    return db.lastInsertedRowID
                }
            }
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
