import DoodleData
import DoodleStore
import Foundation
import TestSupport
import Testing

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
        #expect(try store.appliedMigrations() == ["v1: drawings"])
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
