import DoodleData
import DoodleStore
import Foundation
import TestSupport
import Testing

/// `doodle words`, the built binary: a model of three classes taught the fourth from five drawings and
/// scored, and the taught words of a real store listed and forgotten.
@Suite("doodle words", .serialized)
struct WordsCommandTests {
    struct Evaluation: Decodable {
        struct Word: Decodable {
            var word: String
            var count: Int
            var top1: Double
            var top5: Double
        }
        var shots: Int
        var words: [Word]
        var taughtTop1: Double
        var originalCount: Int
        var originalTop1Before: Double
        var originalTop1After: Double
    }

    @Test(.enabled(if: TrainCommandTests.reason == nil, "\(TrainCommandTests.reason ?? "")"))
    func aModelIsTaughtTheClassItLacksAndScored() throws {
        let fixture = try TrainCommandTests.Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let base = try fixture.trainBase()
        let run = try TrainCommandTests.Launch(
            [
                "words", "eval", "--model", base.path, "--data",
                fixture.folder.appendingPathComponent("data").path,
                "--words", "1", "--shots", "5", "--min-drawings", "20", "--json",
            ], in: fixture.folder
        ).finish()
        try #require(run.status == 0, "\(run.error)")
        let result = try JSONDecoder().decode(
            Evaluation.self,
            from: Data(run.output.split(separator: "\n").last.map { Data($0.utf8) } ?? Data()))
        #expect(result.shots == 5)
        #expect(result.words.map(\.word) == ["pole"], "the one category the model lacks")
        let pole = try #require(result.words.first)
        #expect(pole.count > 50, "every further drawing of it")
        print(
            "words eval: pole top-1 \(pole.top1), own classes \(result.originalTop1Before) → \(result.originalTop1After)"
        )
        // Four classes in all: a word learnt from its drawings is guessed far above chance (1 in 4).
        #expect(pole.top1 > 0.5)
        #expect(result.originalCount > 0)
        // A new competitor can take a drawing's first place from its class, never give it one.
        #expect(result.originalTop1After <= result.originalTop1Before)

        let refused = try TrainCommandTests.Launch(
            [
                "words", "eval", "--model", base.path, "--data",
                fixture.folder.appendingPathComponent("data").path,
                "--words", "2", "--min-drawings", "20",
            ], in: fixture.folder
        ).finish()
        #expect(refused.status != 0)
        #expect(refused.error.contains("only 1 categories the model lacks"), "\(refused.error)")
    }

    @Test(.enabled(if: TrainCommandTests.reason == nil, "\(TrainCommandTests.reason ?? "")"))
    func taughtWordsAreListedAndForgotten() async throws {
        let folder = try makeTemporaryDirectory("doodle-words-command")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("drawings.sqlite").path
        let store = try SQLiteDrawingStore(path: path)
        let drawing = NewDrawing(
            strokes: [Stroke(x: [1, 9], y: [1, 9])], label: "kite", source: .taught, model: "doodles")
        _ = try await store.teach(Array(repeating: drawing, count: 5))

        let listed = try TrainCommandTests.Launch(["words", "list", "--store", path], in: folder).finish()
        #expect(listed.status == 0, "\(listed.error)")
        #expect(listed.output.contains("doodles\tkite\t5 drawings"), "\(listed.output)")
        let forgot = try TrainCommandTests.Launch(["words", "forget", "--store", path, "Kite"], in: folder)
            .finish()
        #expect(forgot.status == 0, "\(forgot.error)")
        #expect(forgot.output.contains("doodles forgot 'kite'"))
        let again = try TrainCommandTests.Launch(["words", "forget", "--store", path, "kite"], in: folder)
            .finish()
        #expect(again.status != 0)
        #expect(again.error.contains("doodles was taught no word 'kite'"), "\(again.error)")
        #expect(try await store.stats().total == 5, "the drawings stay")
    }
}
