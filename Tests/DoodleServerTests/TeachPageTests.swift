import DoodleData
import DoodleServer
import DoodleStore
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// "Teach Doodle a word" in headless Chromium, with the shipped model and a real SQLite store: a
/// player teaches a word the model does not know from five real drawings, and further drawings of it
/// are guessed as it, in the browser and on the server alike, and again after a restart.
@Suite("Teaching a word from the page in headless Chromium", .serialized)
struct TeachPageTests {
    /// A category with Google's stroke drawings that the shipped `doodles` does not know.
    static let word = "bucket"

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func aWordTaughtOnThePageIsGuessedHereOnTheServerAndAfterARestart() async throws {
        let registry = try BrowserTests.registry()
        let model = try #require(registry.models[registry.defaultName])
        try #require(!model.labels.contains(Self.word), "the shipped model knows \(Self.word) already")
        let folder = try makeTemporaryDirectory("doodle-teach")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("drawings.sqlite").path
        let store = try SQLiteDrawingStore(path: path)
        let drawings = try BrowserTests.drawings([Self.word], count: 20)
        let (teaching, further) = (Array(drawings.prefix(5)), Array(drawings.dropFirst(5)))
        var sent: [[[[Double]]]] = []
        try await LiveServer.with(registry, store: store) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            try await page.wait(
                for: #"(document.body.dataset.networks ?? "").includes("\#(registry.defaultName)")"#,
                failure: "the model did not load in the page")
            _ = try await page.evaluate(
                """
                (() => {
                  document.querySelector('input[name="mode"][value="teach"]').click();
                  document.getElementById("teach-word").value = "Bucket";
                  document.getElementById("teach-word").dispatchEvent(new Event("input"));
                  return true;
                })()
                """)
            #expect(try await page.evaluate("document.getElementById('teach-bar').hidden") as? Bool == false)
            for (index, drawing) in teaching.enumerated() {
                _ = try await page.draw([drawing])
                let kept =
                    try await page.evaluate(
                        """
                        (() => {
                          document.getElementById("teach-keep").click();
                          return JSON.stringify({ kept: document.body.dataset.teachKept,
                            teach: !document.getElementById("teach-done").disabled });
                        })()
                        """) as? String
                let state =
                    try JSONSerialization.jsonObject(with: Data((kept ?? "{}").utf8)) as? [String: Any]
                #expect(state?["kept"] as? String == "\(index + 1)")
                #expect(
                    state?["teach"] as? Bool == (index >= 4), "Teach is offered from the fifth drawing on")
            }
            _ = try await page.evaluate(#"document.getElementById("teach-done").click()"#)
            let status =
                try await page.wait(
                    for: #"""
                        (document.body.dataset.taughtHere ?? "").includes("\#(Self.word)")
                          && document.getElementById("teach-status").textContent
                        """#,
                    failure: "not taught", detail: #"document.getElementById("teach-status").textContent"#)
                as? String
            #expect(
                status?.contains("Doodle knows “\(Self.word)” now (5 drawings)") == true, "\(status ?? "")")

            // Further drawings of the word, guessed in the browser: what the page shows is what the
            // server answers for the same strokes, and the word is among the guesses.
            #expect(try await page.evaluate("document.body.dataset.engine") as? String == "browser")
            let results = try await page.draw(further)
            var top1 = 0
            var top5 = 0
            for result in results {
                let answer = try await LiveServer.predict(port: port, strokes: result.sent)
                #expect(result.shown == answer.predictions.map(\.label))
                if result.shown.first == Self.word { top1 += 1 }
                if result.shown.contains(Self.word) { top5 += 1 }
                sent.append(result.sent)
            }
            print(
                "teach: \(Self.word) first for \(top1) and in the top 5 for \(top5) of \(results.count) further drawings"
            )
            #expect(
                top5 * 2 >= results.count, "the taught word is among the guesses for most of its drawings")
            // The page tells the server how many guesses it made here, which its metrics count.
            _ = try await page.evaluate("doodle.reportGuesses(); true")
            let key = #"doodle_guesses_total{model="\#(registry.defaultName)",where="browser"}"#
            var reported = 0.0
            _ = try await BrowserPage.poll { () async throws -> Double? in
                let (data, _) = try await URLSession.shared.data(
                    from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
                reported = ObservabilityTests.samples(String(decoding: data, as: UTF8.self))[key] ?? 0
                return reported >= Double(results.count) ? reported : nil
            }
            #expect(reported >= Double(results.count), "the browser's guesses reach the server's metrics")
            #expect(top1 >= 1)
        }
        let words = try await store.taughtWords(model: registry.defaultName)
        #expect(words.map(\.label) == [Self.word])
        #expect(words.first?.drawings.count == 5)
        #expect(words.first?.drawings.first?.count == teaching.first?.strokes.count)
        #expect(try await store.stats().sources == ["taught": 5])

        // A new server on the same store knows the word, rebuilt from the drawings as `doodle serve`
        // rebuilds its words at start-up.
        let restarted = try BrowserTests.registry()
        let reopened = try SQLiteDrawingStore(path: path)
        let rebuilt = try await WordsController<DoodleRequestContext>.restore(from: reopened, into: restarted)
        #expect(rebuilt == 1)
        try await LiveServer.with(restarted, store: reopened) { port in
            var guessed = 0
            for strokes in sent {
                let answer = try await LiveServer.predict(port: port, strokes: strokes)
                if answer.predictions.contains(where: { $0.label == Self.word }) { guessed += 1 }
            }
            #expect(guessed * 2 >= sent.count, "after a restart: \(guessed) of \(sent.count)")
        }
    }
}
