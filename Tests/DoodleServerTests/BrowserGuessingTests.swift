import DoodleData
import DoodleNN
import DoodleServer
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Guessing in the browser: the page downloads the weights once and guesses without the server, with
/// the server's answers.
@Suite("Guessing in the browser", .serialized)
struct BrowserGuessingTests {
    /// Two drawings of every simplified stroke file and five of each sketch-rnn file.
    static func drawings() throws -> [(category: String, drawing: Drawing)] {
        try FidelityTests.allDrawings().reduce(into: [(String, Drawing)]()) { kept, next in
            let limit =
                next.category.hasPrefix("alarm") || ["face", "pig", "radio"].contains(next.category) ? 5 : 2
            if kept.filter({ $0.0 == next.category }).count < limit { kept.append(next) }
        }
    }

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func theBrowserGuessesWhatTheServerGuessesOnEveryDrawingTried() async throws {
        let registry = try BrowserTests.registry()
        let drawings = try Self.drawings()
        try await LiveServer.with(registry) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            try await page.waitForNetworks(registry.names)
            var compared = 0
            var times: [Double] = []
            for model in registry.names {
                // Every drawing with the default model; a hundred with the other, to cover its framing.
                let tried = model == registry.defaultName ? drawings : Array(drawings.prefix(100))
                // In parts of 25, so that the page answers every few seconds even on a loaded machine.
                for start in stride(from: 0, to: tried.count, by: 25) {
                    let part = tried[start..<min(start + 25, tried.count)]
                    let results = try await page.drawBothWays(part.map(\.drawing), model: model)
                    #expect(results.count == part.count)
                    for ((category, _), result) in zip(part, results) {
                        let what = "\(model), \(category)"
                        #expect(result.browser.engine == "browser", "\(what): guessed on the server")
                        #expect(result.server.engine == "server", "\(what): guessed in the browser")
                        #expect(result.browser.sent == result.server.sent, "\(what): different strokes")
                        #expect(result.browser.bitmap == result.server.bitmap, "\(what): different bitmaps")
                        if let problem = Self.disagreement(
                            result.browser.predictions, result.server.predictions)
                        {
                            Issue.record("\(what): \(problem)")
                        }
                        times.append(result.browser.took)
                        compared += 1
                    }
                }
            }
            times.sort()
            print(
                "browser guessing: \(compared) drawings guessed in the browser and on the server; median "
                    + "browser guess (normalise, rasterise, forward) \(String(format: "%.2f", times[times.count / 2])) ms, "
                    + "p90 \(String(format: "%.2f", times[times.count * 9 / 10])) ms")
            #expect(compared >= 500)
        }
    }

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func everyNamedArchitectureGuessesInTheBrowserAsOnTheServer() async throws {
        let models = try ArchitectureSpec.named.keys.sorted().enumerated().map { index, name in
            try ServedModel(
                name: name,
                model: NetworkScriptTests.randomModel(
                    ArchitectureSpec.named[name]!, classes: 9, seed: UInt64(index)),
                poolSize: 1)
        }
        let registry = ModelRegistry(models)
        let drawings = try BrowserTests.drawings(["cat", "house", "bicycle", "star"], count: 3)
        try await LiveServer.with(registry) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            try await page.waitForNetworks(registry.names)
            for name in registry.names {
                let results = try await page.drawBothWays(drawings, model: name)
                #expect(results.count == drawings.count)
                for result in results {
                    #expect(result.browser.engine == "browser" && result.server.engine == "server")
                    #expect(result.browser.bitmap == result.server.bitmap, "\(name): different bitmaps")
                    if let problem = Self.disagreement(result.browser.predictions, result.server.predictions)
                    {
                        Issue.record("\(name): \(problem)")
                    }
                }
            }
        }
    }

    /// Where two top-5 lists disagree beyond 1e-4 in a probability; two labels within 1e-4 of each
    /// other may swap places.
    static func disagreement(_ browser: [Guess], _ server: [Guess]) -> String? {
        guard browser.count == server.count, !browser.isEmpty else {
            return "\(browser.count) browser guesses, \(server.count) server guesses"
        }
        let floor = server.last!.confidence
        for guess in browser {
            if let match = server.first(where: { $0.label == guess.label }) {
                if abs(match.confidence - guess.confidence) > 1e-4 {
                    return
                        "\(guess.label): \(guess.confidence) in the browser, \(match.confidence) on the server"
                }
            } else if guess.confidence > floor + 1e-4 {
                return "\(guess.label) (\(guess.confidence)) is in the browser's top 5 only"
            }
        }
        return nil
    }

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func thePageKeepsGuessingWithTheServerGone() async throws {
        let registry = try BrowserTests.registry()
        let drawings = try BrowserTests.drawings(["cat", "house"], count: 2)
        let server = try await LiveServer.start(registry)
        let page = try await BrowserPage.open(
            url: "http://127.0.0.1:\(server.port)/", width: 1200, height: 900)
        try await page.waitForNetworks(registry.names)
        // The weights come with an entity tag: loaded again, they are revalidated, not sent again.
        let url = "/api/models/\(registry.defaultName)/weights"
        let timing = try await page.evaluate(
            """
            (async () => {
              await (await fetch("\(url)")).arrayBuffer();
              const loads = performance.getEntriesByType("resource").filter((e) => e.name.endsWith("\(url)"));
              return loads.map((e) => [e.transferSize, e.encodedBodySize]);
            })()
            """)
        let loads = try #require(timing as? [[Double]])
        #expect(loads.count == 2)
        if loads.count == 2 {
            #expect(loads[0][0] > loads[0][1], "the first load sends the file: \(loads)")
            #expect(loads[1][0] < 2_000 && loads[1][1] == loads[0][1], "the second is a 304: \(loads)")
        }
        await server.stop()
        // The server answers no more (in this process its socket may linger, unanswered).
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/healthz")!)
        request.timeoutInterval = 3
        await #expect(throws: (any Error).self) { _ = try await URLSession.shared.data(for: request) }
        // A connection the browser kept alive can outlive the stopped server in this test process; taking
        // the browser offline closes that way too.
        _ = try await page.browser.call("Network.enable", [:], session: page.session)
        _ = try await page.browser.call(
            "Network.emulateNetworkConditions",
            ["offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1],
            session: page.session)
        let results = try await page.draw(drawings)
        #expect(results.count == drawings.count)
        for result in results {
            #expect(result.shown.count == 5)
        }
        let state = try await page.evaluate(
            "JSON.stringify([document.body.dataset.engine, document.getElementById('error').hidden])")
        #expect(state as? String == #"["browser",true]"#)
        // On the server instead, the page says it cannot guess, and does not break.
        let failed = try await page.evaluate(
            """
            (async () => {
              document.querySelector('input[name="engine"][value="server"]').click();
              await doodle.predict();
              return document.getElementById("error").textContent;
            })()
            """)
        #expect((failed as? String)?.hasPrefix("Could not guess") == true, "\(failed ?? "nothing")")
    }
}

/// One guess as the page shows it.
struct Guess: Decodable {
    var label: String
    var confidence: Double
}

/// One drawing guessed once each way.
struct BothWays: Decodable {
    struct Answer: Decodable {
        var engine: String
        var predictions: [Guess]
        var bitmap: [UInt8]
        var took: Double
        var sent: [[[Double]]]
    }
    var browser: Answer
    var server: Answer
}

extension BrowserPage {
    /// Waits until the page has built a network for each of `names`.
    func waitForNetworks(_ names: [String]) async throws {
        let wanted = names.sorted().joined(separator: " ")
        try await wait(
            for: "document.body.dataset.networks === \"\(wanted)\"",
            failure: "the page did not load the weights of \(wanted)")
    }

    /// Draws each drawing twice on the canvas with `model` chosen, guessing in the browser and then on
    /// the server, and returns both answers the page showed.
    func drawBothWays(_ drawings: [Drawing], model: String) async throws -> [BothWays] {
        let strokes = drawings.map { $0.strokes.map { [$0.x, $0.y] } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: strokes), as: UTF8.self)
        let script = Self.bothWaysScript.replacingOccurrences(of: "DRAWINGS", with: json)
            .replacingOccurrences(of: "MODEL", with: model)
        guard let text = try await evaluate(script) as? String else {
            throw PageError(description: "no result from the page")
        }
        return try JSONDecoder().decode([BothWays].self, from: Data(text.utf8))
    }

    static let bothWaysScript = """
        (async () => {
          const drawings = DRAWINGS;
          \(quickDrawHelpers)
          const choose = (name, value) => {
            const input = document.querySelector(`input[name="${name}"][value="${value}"]`);
            if (!input.checked) input.click();
          };
          const draw = async (drawing) => {
            await drawFitted(drawing);
            const answer = doodle.state.latest;
            return { engine: answer.engine, predictions: answer.predictions, bitmap: answer.bitmap,
              took: answer.took_ms, sent: doodle.pad.apiStrokes.map(([x, y]) => [x, y]) };
          };
          choose("model", "MODEL");
          const results = [];
          for (const drawing of drawings) {
            choose("engine", "browser");
            const browser = await draw(drawing);
            choose("engine", "server");
            const server = await draw(drawing);
            results.push({ browser, server });
          }
          choose("engine", "browser");
          return JSON.stringify(results);
        })()
        """
}
