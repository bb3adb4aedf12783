import DoodleData
import Foundation
import GRDB
import TestSupport
import Testing

@testable import DoodleStore

/// The SQLite store on real files: a new file migrated from nothing, saves read back exactly, many
/// concurrent saves, a reopened file, and files it must refuse with a message naming them.
@Suite struct SQLiteDrawingStoreTests {
    static func drawing(_ label: String, source: DrawingSource = .correction, points: Int = 3) -> NewDrawing {
        let x = (0..<points).map { Double($0 * 10) + 0.5 }
        let y = (0..<points).map { Double($0 * 7) }
        let t = (0..<points).map { Double($0 * 16) }
        return NewDrawing(
            strokes: [Stroke(x: x, y: y, t: t), Stroke(x: [1, 2], y: [3, 4])], label: label, source: source,
            model: "doodles", guesses: [SavedGuess(label: "cat", confidence: 0.75)],
            createdAt: Date(timeIntervalSince1970: 1_790_000_000.25))
    }

    @Test func aNewFileIsMigratedAndSavesReadBackExactly() async throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/drawings.sqlite").path
        let store = try SQLiteDrawingStore(path: path)
        #expect(try store.appliedMigrations() == ["v1: drawings", "v2: taught words"])
        let first = try await store.save(Self.drawing("cat"))
        let second = try await store.save(Self.drawing("alarm clock", source: .game))
        #expect(second > first)
        let read = try await store.drawings(label: nil, after: 0, limit: 10)
        #expect(read.map(\.id) == [first, second])
        #expect(read[0].drawing == Self.drawing("cat"))
        #expect(read[1].drawing == Self.drawing("alarm clock", source: .game))
        #expect(try await store.drawings(label: "cat", after: 0, limit: 10).map(\.id) == [first])
        #expect(try await store.drawings(label: nil, after: first, limit: 10).map(\.id) == [second])

        // A second process's view: the same file opened again has everything.
        let reopened = try SQLiteDrawingStore(path: path)
        let stats = try await reopened.stats()
        #expect(
            stats
                == DrawingStats(
                    total: 2, labels: ["cat": 1, "alarm clock": 1], sources: ["correction": 1, "game": 1]))
    }

    @Test func concurrentSavesAllLandWithDistinctIDs() async throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("drawings.sqlite").path)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<200 {
                group.addTask { try await store.save(Self.drawing("word \(i % 7)", points: 1 + i % 50)) }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(ids).count == 200)
        let stats = try await store.stats()
        #expect(stats.total == 200)
        #expect(stats.labels.count == 7)
        let read = try await store.drawings(label: nil, after: 0, limit: 1000)
        #expect(read.map(\.id) == ids.sorted())
        #expect(read.allSatisfy { $0.drawing.strokes[0].x.count == $0.drawing.strokes[0].t?.count })
    }

    @Test func aFileThatIsNotADatabaseIsRefusedByName() throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("drawings.sqlite").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try SQLiteDrawingStore(path: path) }
        #expect(error?.description.contains(path) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("not a SQLite database") == true, "\(error?.description ?? "")")
    }

    @Test func aFolderThatCannotBeMadeIsRefusedByName() throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("drawings.sqlite").path
        let error = #expect(throws: StoreError.self) { try SQLiteDrawingStore(path: path) }
        #expect(error?.description.contains(blocker.path) == true, "\(error?.description ?? "")")
    }

    @Test(arguments: [
        ("  Alarm   Clock ", "alarm clock"), ("The Eiffel Tower", "the eiffel tower"),
        ("crème brûlée", "crème brûlée"),
        ("t-shirt", "t-shirt"), ("o'clock 2", "o'clock 2"),
    ])
    func labelsAreNormalised(text: String, label: String) throws {
        #expect(try DrawingLabel.normalize(text) == label)
    }

    @Test(arguments: ["", "   ", "<script>", "cat\u{0}", "a\"b", String(repeating: "a", count: 41)])
    func badLabelsAreRefused(text: String) {
        #expect(throws: StoreError.self) { try DrawingLabel.normalize(text) }
    }
}

/// Taught words: their drawings saved with the word in one transaction, read back per model, grown by
/// a second teaching, and forgotten without losing the drawings; and a file of the first schema brought
/// forward.
@Suite struct TaughtWordStoreTests {
    static func taught(_ label: String, model: String = "doodles", points: Int = 3) -> NewDrawing {
        var drawing = SQLiteDrawingStoreTests.drawing(label, source: .taught, points: points)
        drawing.model = model
        drawing.guesses = []
        return drawing
    }

    @Test func wordsAreTaughtGrownListedAndForgotten() async throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("drawings.sqlite").path)
        let kite = try await store.teach((1...5).map { Self.taught("kite", points: $0 + 1) })
        #expect(kite.count == 5)
        _ = try await store.teach((1...5).map { _ in Self.taught("kite", model: "digits") })
        _ = try await store.teach([Self.taught("toaster"), Self.taught("toaster")])
        _ = try await store.teach([Self.taught("kite", points: 9)])

        let words = try await store.taughtWords(model: "doodles")
        #expect(words.map(\.label) == ["kite", "toaster"], "in the order first taught")
        #expect(words[0].drawings.count == 6, "a second teaching adds to the word")
        #expect(words[0].drawings.map { $0[0].x.count } == [2, 3, 4, 5, 6, 9])
        #expect(words[0].model == "doodles")
        #expect(try await store.taughtWords(model: nil).count == 3)
        #expect(try await store.stats().sources == ["taught": 13])

        #expect(try await store.forget(label: "kite", model: "doodles"))
        #expect(try await store.forget(label: "kite", model: "doodles") == false)
        #expect(try await store.taughtWords(model: "doodles").map(\.label) == ["toaster"])
        #expect(try await store.taughtWords(model: "digits").map(\.label) == ["kite"])
        #expect(try await store.stats().total == 13, "the drawings stay")
        // Taught again, the word starts afresh: the old drawings are not its examples any more.
        _ = try await store.teach([Self.taught("kite")])
        #expect(
            try await store.taughtWords(model: "doodles").first { $0.label == "kite" }?.drawings.count == 1)
    }

    @Test func theDrawingsOfATeachingAreOfOneWordAndModel() async throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("drawings.sqlite").path)
        await #expect(throws: StoreError.self) {
            try await store.teach([Self.taught("kite"), Self.taught("toaster")])
        }
        await #expect(throws: StoreError.self) {
            try await store.teach([SQLiteDrawingStoreTests.drawing("kite", source: .correction)])
        }
        #expect(try await store.stats().total == 0, "nothing of a refused teaching is saved")
    }

    @Test func aFileOfTheFirstSchemaIsBroughtForward() async throws {
        let folder = try makeTemporaryDirectory("doodle-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("drawings.sqlite").path
        let old = try DatabaseQueue(path: path)
        try SQLiteDrawingStore.migrator.migrate(old, upTo: "v1: drawings")
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO drawing (label, source, strokes, model, guesses, created_at)
                    VALUES ('cat', 'game', '[[[1,2],[3,4]]]', 'doodles', '[]', 0)
                    """)
        }
        try old.close()
        let store = try SQLiteDrawingStore(path: path)
        #expect(try store.appliedMigrations() == ["v1: drawings", "v2: taught words"])
        #expect(try await store.stats().total == 1)
        _ = try await store.teach([TaughtWordStoreTests.taught("kite")])
        #expect(try await store.taughtWords(model: nil).count == 1)
    }
}

/// What `doodle drawings export` writes: Google's raw ndjson, which the Quick, Draw! reader (and so
/// `doodle train` and `doodle eval`) reads back to the same strokes, times and word.
@Suite struct DrawingExportTests {
    @Test func anExportedLineReadsBackAsTheSameDrawing() throws {
        let saved = SQLiteDrawingStoreTests.drawing("alarm clock")
        let line = StoredDrawing(id: 42, drawing: saved).ndjsonLine
        let read = try QuickDrawNDJSON.parseDrawing(line)
        #expect(read.word == "alarm clock")
        #expect(read.keyID == "42")
        #expect(read.recognized == false)
        #expect(read.strokes == saved.strokes)
    }
}
