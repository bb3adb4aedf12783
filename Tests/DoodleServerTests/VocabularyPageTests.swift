import DoodleData
import DoodleNN
import DoodleServer
import Foundation
import TestSupport
import Testing

/// The page's vocabulary in headless Chromium: "What can I draw?", the full-vocabulary model in free
/// draw only, and the game's words dealt from the model's list of game words.
@Suite("The words a model knows, on the page", .serialized)
struct VocabularyPageTests {
    static let reason: String? =
        Chromium.executable == nil ? "no chromium at /usr/bin/chromium (apt-get install chromium)" : nil

    /// The fixture models, and a twelve-word model named like the full vocabulary, not for the game.
    static func registry() throws -> ModelRegistry {
        var generator = SeededGenerator(seed: 9)
        let words = [
            "cat", "dog", "house", "apple", "star", "sun", "tree", "car", "cake", "bed", "fish", "eye",
        ]
        let all = Model(
            spec: .small, labels: words, preprocessing: "quickdraw", training: ["val_top1": "0.5"],
            network: try ArchitectureSpec.small.build(classes: words.count, generator: &generator))
        return ModelRegistry(
            try ServerFixtures.makeModels().map {
                try ServedModel(name: $0.name, model: $0.model, poolSize: 1)
            }
                + [try ServedModel(name: "doodles-345", model: all, poolSize: 1)])
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func wordsAreListedSearchableAndTheGameUsesOnlyGameWords() async throws {
        try await LiveServer.with(try Self.registry()) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            let switchLabels = try await page.evaluate(
                ##"[...document.querySelectorAll("#model-switch span")].map((s) => s.textContent).join("|")"##
            )
            #expect(switchLabels as? String == "Digits|Doodles|All 12 words")

            let listed =
                try await page.evaluate(
                    """
                    (() => {
                      document.getElementById("words-open").click();
                      const items = [...document.querySelectorAll("#words-list li")];
                      return { open: document.getElementById("words").open, words: items.map((li) => li.dataset.word),
                               game: items.filter((li) => li.classList.contains("game")).map((li) => li.dataset.word),
                               bars: items.filter((li) => li.querySelector(".bar")).length };
                    })()
                    """) as? [String: Any]
            #expect(listed?["open"] as? Bool == true)
            #expect(listed?["words"] as? [String] == ServerFixtures.doodleLabels)
            #expect(listed?["game"] as? [String] == ["cat", "dog", "house", "apple", "star", "sun"])
            #expect(listed?["bars"] as? Int == 7)

            let searched = try await page.evaluate(
                """
                (() => {
                  const search = document.getElementById("words-search");
                  search.value = "S";
                  search.dispatchEvent(new Event("input"));
                  const words = [...document.querySelectorAll("#words-list li")].map((li) => li.dataset.word);
                  const count = document.getElementById("words-count").textContent;
                  document.getElementById("words").close();
                  return words.join(",") + "|" + count;
                })()
                """)
            #expect(searched as? String == #"house,star,sun|3 of 7 match "s""#)

            // The full vocabulary in free draw; in game mode it cannot be chosen and Doodles takes over.
            let game =
                try await page.evaluate(
                    """
                    (() => {
                      document.querySelector('input[name="model"][value="doodles-345"]').click();
                      const before = doodle.state.model;
                      document.querySelector('input[name="mode"][value="game"]').click();
                      const disabled = document.querySelector('input[name="model"][value="doodles-345"]').disabled;
                      document.getElementById("game-start").click();
                      const words = [...doodle.game.words];
                      doodle.game.stop();
                      document.querySelector('input[name="mode"][value="free"]').click();
                      const enabled = !document.querySelector('input[name="model"][value="doodles-345"]').disabled;
                      return { before, after: doodle.state.model, disabled, enabled, words };
                    })()
                    """) as? [String: Any]
            #expect(game?["before"] as? String == "doodles-345")
            #expect(game?["after"] as? String == "doodles")
            #expect(game?["disabled"] as? Bool == true && game?["enabled"] as? Bool == true)
            let words = try #require(game?["words"] as? [String])
            #expect(words.count == 6 && Set(words) == ["cat", "dog", "house", "apple", "star", "sun"])
        }
    }

    /// Games deal from a deck kept across games: every word comes up before any comes back, and no
    /// game repeats a word.
    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func gamesGoThroughTheWholeListBeforeRepeating() async throws {
        try await LiveServer.with(try Self.registry()) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 800, height: 600)
            let games =
                try await page.evaluate(
                    """
                    import("/game.js").then(({ deal }) => {
                      const store = new Map();
                      const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
                      const list = "abcdefghij".split("");
                      return [0, 1, 2, 3, 4].map(() => deal("m", list, 6, storage));
                    })
                    """) as? [[String]]
            let dealt = try #require(games)
            #expect(dealt.count == 5 && dealt.allSatisfy { $0.count == 6 && Set($0).count == 6 })
            // 30 words from a list of 10: the first 10 are all of them, and so are the next 10.
            let flat = dealt.flatMap { $0 }
            #expect(Set(flat.prefix(10)).count == 10 && Set(flat[10..<20]).count == 10)
            // The banners' article, for the words of the 345 that trip a vowel rule (a CI run's banner
            // said "Sorry, I couldn't guess a The Eiffel Tower").
            let said =
                try await page.evaluate(
                    """
                    import("/game.js").then(({ article }) =>
                      ["The Eiffel Tower", "apple", "unicorn", "umbrella", "hourglass", "cat", "7", "8"].map(article))
                    """) as? [String]
            #expect(
                said == [
                    "The Eiffel Tower", "an apple", "a unicorn", "an umbrella", "an hourglass", "a cat",
                    "a 7", "an 8",
                ])
        }
    }
}
