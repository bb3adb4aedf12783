import DoodleData
import DoodleServer
import DoodleStore
import Foundation
import TestSupport
import Testing

/// Giving drawings from the page, in headless Chromium, into a real SQLite store: nothing is saved
/// until the player turns "Save my drawings" on; then a correction in free draw is, and the choice is
/// remembered; and a game round is saved with the word the game asked for.
@Suite("Giving drawings from the page in headless Chromium", .serialized)
struct ContributionPageTests {
    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func theSwitchACorrectionAndTheRememberedChoice() async throws {
        let registry = try BrowserTests.registry()
        let model = try #require(registry.models[registry.defaultName])
        let folder = try makeTemporaryDirectory("doodle-contribute")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("drawings.sqlite").path)
        let cat = try #require(try BrowserTests.drawings(["cat"], count: 1).first)
        try await LiveServer.with(registry, store: store) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            _ = try await page.draw([cat])
            let off =
                try await page.evaluate(
                    """
                    (() => {
                      const form = document.getElementById("correct");
                      return JSON.stringify({
                        switchOn: document.getElementById("save-switch").checked, formShown: !form.hidden,
                        saveDisabled: document.getElementById("correct-save").disabled,
                        words: document.getElementById("correct-words").options.length });
                    })()
                    """) as? String
            let offState = try JSONSerialization.jsonObject(with: Data((off ?? "{}").utf8)) as? [String: Any]
            #expect(offState?["switchOn"] as? Bool == false, "the switch is off by default")
            #expect(offState?["formShown"] as? Bool == true, "a drawing can be corrected in free draw")
            #expect(offState?["saveDisabled"] as? Bool == true, "but not sent before the switch is on")
            #expect(offState?["words"] as? Int == model.labels.count, "the model's words are offered")
            #expect(try await store.stats().total == 0)

            // The player turns the switch on and says what the drawing was.
            _ = try await page.evaluate(
                """
                document.getElementById("save-switch").click();
                document.getElementById("correct-label").value = "  Tiger ";
                document.getElementById("correct-save").click();
                """)
            let saved =
                try await page.wait(
                    for:
                        #"document.body.dataset.saved === "1" && document.getElementById("save-status").textContent"#,
                    failure: "the correction was not saved",
                    detail: #"document.getElementById("save-status").textContent"#) as? String
            #expect(saved?.contains("Saved as “tiger”") == true, "\(saved ?? "")")
            let corrections = try await store.drawings(label: "tiger", after: 0, limit: 10)
            #expect(corrections.count == 1)
            let correction = try #require(corrections.first?.drawing)
            #expect(correction.source == .correction)
            #expect(correction.model == registry.defaultName)
            #expect(correction.guesses.count == 5, "the model's top 5 at the time")
            #expect(correction.strokes.count == cat.strokes.count)
            #expect(correction.strokes.allSatisfy { $0.t?.count == $0.x.count }, "with the pen's times")

            // The choice is remembered.
            // The old page is marked, so that the wait below cannot be answered by it before the reload.
            _ = try await page.evaluate("window.beforeReload = true; location.reload(); true")
            // Asked from here, again and again: a promise left waiting in the old page would die with it.
            let reloaded = await BrowserPage.poll {
                (try? await page.evaluate(
                    """
                    !window.beforeReload && document.body?.dataset.ready === "true" && window.doodle
                      ? document.getElementById("save-switch").checked : null
                    """)) as? Bool
            }
            #expect(reloaded == true, "the switch stays on after a reload")
            _ = try await page.evaluate("doodle.game.stop(); true")
        }
    }

    /// With the switch on, a game round drawn from a real drawing of the word asked is saved with that
    /// word, the model and its guesses. The pen waits for the round to start, as GameTests' does.
    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func aGameRoundIsSavedWithTheWordAsked() async throws {
        let registry = try BrowserTests.registry()
        let model = try #require(registry.models[registry.defaultName])
        let folder = try makeTemporaryDirectory("doodle-contribute")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteDrawingStore(path: folder.appendingPathComponent("drawings.sqlite").path)
        var asked = ""
        try await LiveServer.with(registry, store: store) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            _ = try await page.evaluate(
                """
                (() => {
                  document.getElementById("save-switch").click();
                  // Long enough to draw on a loaded CI machine, as in GameTests.
                  doodle.game.seconds = 60;
                  document.querySelector('input[name="mode"][value="game"]').click();
                  document.getElementById("game-start").click();
                  return true;
                })()
                """)
            // A word with no drawing the model is sure of in the shared data is left empty: the round
            // runs out, and an empty round is not saved. The next round asks another word.
            var found: Drawing?
            for round in 0..<6 where found == nil {
                let word = try #require(
                    try await page.wait(
                        for:
                            "doodle.game.inRound && doodle.game.results.length === \(round) && doodle.game.word",
                        failure: "round \(round + 1) did not start")
                        as? String)
                asked = word
                found = try GameTests.recognisedDrawing(of: word, by: model)
                if found == nil {
                    _ = try await page.evaluate("(doodle.game.deadline = performance.now(), true)")
                }
            }
            let drawing = try #require(found, "no word asked in 6 rounds has a drawing the model is sure of")
            _ = try await page.draw([drawing])
            let saved =
                try await page.wait(
                    for: #"doodle.game.results.length > 0 && document.body.dataset.saved === "1""#,
                    failure: "the round was not saved",
                    detail: #"document.getElementById("save-status").textContent"#) as? Bool
            #expect(saved == true)
            _ = try await page.evaluate("doodle.game.stop(); true")
        }
        let rounds = try await store.drawings(label: nil, after: 0, limit: 10)
        #expect(rounds.count == 1)
        let round = try #require(rounds.first?.drawing)
        #expect(round.source == .game)
        #expect(round.label == asked)
        #expect(round.model == registry.defaultName)
        #expect(
            round.guesses.first?.label == round.label, "a won round: the model's first guess was the word")
        #expect(!round.strokes.isEmpty)
    }
}
