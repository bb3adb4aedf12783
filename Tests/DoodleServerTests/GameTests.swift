import DoodleData
import DoodleServer
import Foundation
import TestSupport
import Testing

/// Game mode and the keyboard pen, played in headless Chromium.
@Suite("Game mode and keyboard drawing in headless Chromium", .serialized)
struct GameTests {
    /// A drawing of `word` from the shared stroke files that the model, given it directly, recognises.
    /// Google's simplified drawings come first; the Kaggle folder has words the first lacks (`zigzag`).
    /// Nil when neither has one the model is sure of.
    static func recognisedDrawing(of word: String, by model: ServedModel) throws -> Drawing? {
        for folder in ["simplified_ndjson", "kaggle_simplified_ndjson"] {
            let file = sharedDataDirectory!.appendingPathComponent(
                "quickdraw/strokes/\(folder)/\(word).ndjson")
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let found = try QuickDrawNDJSON.read(from: file).drawings.first { drawing in
                guard
                    let pixels = try? ImageInput.modelInput(strokes: drawing.strokes, framing: model.framing),
                    let top = model.predict(pixels, top: 2).first
                else { return false }
                return top.label == word && top.confidence > 0.8
            }
            if let found { return found }
        }
        return nil
    }

    /// Six rounds: five drawn from real drawings of the word (won), one left empty (lost when the timer
    /// runs out); then the summary lists all six with what the model saw.
    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func sixRoundsThenASummary() async throws {
        let registry = try BrowserTests.registry()
        let model = try #require(registry.models[registry.defaultName])
        try await LiveServer.with(registry) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            _ = try await page.evaluate(
                """
                (() => {
                  // Every banner shown, in order: a round won while the pen is still drawing (guesses in
                  // the browser come at once) may be followed by the next round's banner before the
                  // test looks.
                  window.banners = [];
                  const banner = document.getElementById("game-banner");
                  new MutationObserver(() => banners.push(banner.textContent))
                    .observe(banner, { childList: true, characterData: true, subtree: true });
                  // Long enough to draw a round on a loaded CI machine (at 3 s, two rounds timed out
                  // while the pen was still drawing; at 8 s, one did, in a full CI run). The empty
                  // round's deadline is brought forward once it has started, below.
                  doodle.game.seconds = 60;
                  document.querySelector('input[name="mode"][value="game"]').click();
                  document.getElementById("game-start").click();
                  return true;
                })()
                """)
            var expectedWins = 0
            for round in 0..<6 {
                let word = try #require(
                    try await page.wait(
                        for: "doodle.game.inRound && doodle.game.word",
                        failure: "round \(round + 1) did not start")
                        as? String)
                #expect(model.labels.contains(word))
                let drawing = round == 2 ? nil : try Self.recognisedDrawing(of: word, by: model)
                if drawing == nil {
                    // Nothing drawn: the round runs out, as the page's timer ends it, a second from now.
                    _ = try await page.evaluate("(doodle.game.deadline = performance.now() + 1000, true)")
                }
                if let drawing {
                    _ = try await page.draw([drawing])
                    expectedWins += 1
                }
                let banner = try #require(
                    try await page.wait(
                        for: """
                            doodle.game.results.length > \(round)
                              && (banners.filter((b) => /^(Oh, I know|Sorry)/.test(b)).at(-1) ?? "no verdict")
                            """,
                        failure: "round \(round + 1) did not end") as? String)
                if drawing != nil {
                    #expect(
                        banner.hasPrefix("Oh, I know, it's ") && banner.contains(word),
                        "round \(round + 1): \(banner)")
                } else {
                    #expect(
                        banner.hasPrefix("Sorry, I couldn't guess") && banner.contains(word),
                        "round \(round + 1): \(banner)")
                }
            }
            let summary = try #require(
                try await page.wait(
                    for: """
                        document.getElementById("summary").open && JSON.stringify({
                          score: document.getElementById("summary-score").textContent,
                          items: [...document.querySelectorAll("#summary-list li")].map((li) => ({
                            won: li.classList.contains("won"), images: li.querySelectorAll("img").length,
                            text: li.textContent })) })
                        """,
                    failure: "no summary") as? String)
            struct Summary: Decodable {
                struct Item: Decodable {
                    var won: Bool
                    var images: Int
                    var text: String
                }
                var score: String
                var items: [Item]
            }
            let decoded = try JSONDecoder().decode(Summary.self, from: Data(summary.utf8))
            print("game: \(decoded.score)")
            #expect(decoded.score == "The network guessed \(expectedWins) of your 6 drawings.")
            #expect(decoded.items.count == 6)
            #expect(decoded.items.filter(\.won).count == expectedWins)
            // The empty round has no "what the model saw" picture and says nothing was drawn.
            #expect(decoded.items[2].won == false)
            #expect(decoded.items[2].images == 1)
            #expect(decoded.items[2].text.contains("nothing was drawn"))
            for item in decoded.items where item.won { #expect(item.images == 2) }
        }
    }

    /// Arrow keys and Space draw an L on the focused canvas, and the page guesses it.
    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func theKeyboardPenDraws() async throws {
        try await LiveServer.with(try BrowserTests.registry()) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            _ = try await page.evaluate("document.getElementById('pad').focus(), true")
            func press(_ key: String, code: String, keyCode: Int, times: Int = 1) async throws {
                for _ in 0..<times {
                    for type in ["rawKeyDown", "keyUp"] {
                        _ = try await page.browser.call(
                            "Input.dispatchKeyEvent",
                            ["type": type, "key": key, "code": code, "windowsVirtualKeyCode": keyCode],
                            session: page.session)
                    }
                }
            }
            try await press("ArrowUp", code: "ArrowUp", keyCode: 38, times: 20)
            try await press(" ", code: "Space", keyCode: 32)
            try await press("ArrowDown", code: "ArrowDown", keyCode: 40, times: 40)
            try await press("ArrowRight", code: "ArrowRight", keyCode: 39, times: 30)
            try await press(" ", code: "Space", keyCode: 32)
            let state = try #require(
                try await page.wait(
                    for: """
                        doodle.state.timer === null && document.body.dataset.sent
                          && document.body.dataset.sent === document.body.dataset.shown && doodle.state.latest
                          && JSON.stringify({ strokes: doodle.pad.strokes.map(([x, y]) => [x, y]),
                            guesses: document.querySelectorAll("#guess-list li").length,
                            ink: doodle.state.latest.bitmap.filter((v) => v > 0).length })
                        """,
                    failure: "no guess") as? String)
            struct State: Decodable {
                var strokes: [[[Double]]]
                var guesses: Int
                var ink: Int
            }
            let decoded = try JSONDecoder().decode(State.self, from: Data(state.utf8))
            // One stroke: the start, 40 steps down, 30 right, 10 pad units each, from 200 above the centre.
            #expect(decoded.strokes.count == 1)
            #expect(decoded.strokes.first?.first?.count == 71)
            #expect(decoded.strokes.first?.first?.first == 500)
            #expect(decoded.strokes.first?.last?.first == 300)
            #expect(decoded.strokes.first?.first?.last == 800)
            #expect(decoded.strokes.first?.last?.last == 700)
            #expect(decoded.guesses == 5)
            #expect(decoded.ink > 20)
        }
    }
}
