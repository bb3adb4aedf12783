import DoodleData
import Foundation

/// A tab in headless Chromium showing the Doodle page, driven by JavaScript evaluated in it.
struct BrowserPage {
    let browser: Chromium
    let session: String

    struct PageError: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens `url` in a new browser and waits for the page to have loaded its models.
    static func open(url: String, width: Int, height: Int) async throws -> BrowserPage {
        let browser = try Chromium(executable: Chromium.executable!, width: width, height: height)
        let target = try await browser.call("Target.createTarget", ["url": "about:blank"])
        let attached = try await browser.call(
            "Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true])
        let page = BrowserPage(browser: browser, session: attached["sessionId"] as? String ?? "")
        _ = try await browser.call("Page.navigate", ["url": url], session: page.session)
        try await page.wait(for: "document.body?.dataset.ready", failure: "the page did not load its models")
        return page
    }

    /// How long a page may take to reach a state a test waits for, in seconds. A readiness limit, not a
    /// speed check: in a full CI run a dozen browsers start at once on 2 cores while other suites train,
    /// and pages took longer than 20 s to load the 345-class model.
    static let readinessLimit = 120

    /// Waits until `condition`, JavaScript checked in the page every 20 ms, has a truthy value, and
    /// returns that value. After `seconds` it fails with `failure`, followed by the value of the
    /// JavaScript `detail`, evaluated then, when there is one, to say what the page showed instead.
    @discardableResult
    func wait(
        for condition: String, failure: String, detail: String? = nil,
        seconds: Int = BrowserPage.readinessLimit
    ) async throws -> Any? {
        let message = String(decoding: try JSONSerialization.data(withJSONObject: [failure]), as: UTF8.self)
        return try await evaluate(
            """
            new Promise((resolve, reject) => {
              const started = Date.now();
              const check = () => {
                const value = (\(condition));
                if (value) resolve(value);
                else if (Date.now() - started > \(seconds * 1000)) {
                  reject(new Error(\(message)[0] + " in \(seconds) s" + \(detail.map { "\": \" + (\($0))" } ?? "\"\"")));
                } else setTimeout(check, 20);
              };
              setTimeout(check, 20);
            })
            """)
    }

    /// Asks `probe` again and again from the test's side, every 100 ms, until it answers something or
    /// `readinessLimit` seconds have passed: for what the page cannot wait for itself (a reload that
    /// would kill a waiting promise, the server's metrics).
    static func poll<Value>(_ probe: () async throws -> Value?) async rethrows -> Value? {
        let deadline = ContinuousClock.now + .seconds(readinessLimit)
        while true {
            if let value = try await probe() { return value }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Evaluates `expression` (awaiting a promise) and returns its value.
    func evaluate(_ expression: String) async throws -> Any? {
        let result = try await browser.call(
            "Runtime.evaluate", ["expression": expression, "awaitPromise": true, "returnByValue": true],
            session: session)
        if let exception = result["exceptionDetails"] { throw PageError(description: "\(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Draws each drawing on the canvas with pointer events, stroke by stroke, as a pen would, waits for
    /// the page's last request to be answered, and reads what the page shows.
    func draw(_ drawings: [Drawing]) async throws -> [DrawResult] {
        let strokes = drawings.map { $0.strokes.map { [$0.x, $0.y] } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: strokes), as: UTF8.self)
        let value = try await evaluate(Self.drawScript.replacingOccurrences(of: "DRAWINGS", with: json))
        guard let text = value as? String else { throw PageError(description: "no result from the page") }
        return try JSONDecoder().decode([DrawResult].self, from: Data(text.utf8))
    }

    /// Page-side helpers: `sleep(ms)`, and `settled()`, which waits until the page's last guess is on
    /// screen, checking at once for a while, then every 5 ms, for up to `readinessLimit` seconds.
    static let settledHelpers = """
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        const settled = async () => {
          const started = Date.now();
          for (let i = 0; ; i++) {
            const d = document.body.dataset;
            if (doodle.state.timer === null && d.sent && d.sent === d.shown) return;
            if (Date.now() - started > \(readinessLimit * 1000)) {
              throw new Error("the page did not settle in \(readinessLimit) s");
            }
            await sleep(i < 50 ? 0 : 5);
          }
        };
        """

    /// The injected script: it maps each drawing into the canvas, leaving a margin, and dispatches
    /// pointerdown, pointermove and pointerup events with those client coordinates.
    static let drawScript = """
        (async () => {
          const drawings = DRAWINGS;
          const canvas = document.getElementById("pad");
          \(settledHelpers)
          const results = [];
          for (const drawing of drawings) {
            doodle.pad.clear();
            await settled();
            const rect = canvas.getBoundingClientRect();
            const scale = rect.width * 0.8 / 256;
            const at = (x, y) => [rect.left + rect.width * 0.1 + x * scale, rect.top + rect.height * 0.1 + y * scale];
            for (const [xs, ys] of drawing) {
              const event = (type, i, buttons) => {
                const [clientX, clientY] = at(xs[i], ys[i]);
                canvas.dispatchEvent(new PointerEvent(type, {
                  pointerId: 7, pointerType: "pen", isPrimary: true, button: 0, buttons,
                  clientX, clientY, bubbles: true, cancelable: true }));
              };
              event("pointerdown", 0, 1);
              for (let i = 1; i < xs.length; i++) {
                event("pointermove", i, 1);
                if (i % 8 === 0) await sleep(5);
              }
              event("pointerup", xs.length - 1, 0);
              await sleep(10);
            }
            await settled();
            results.push({
              shown: [...document.querySelectorAll("#guess-list li")].map((li) => li.dataset.label),
              sent: doodle.pad.apiStrokes.map(([x, y]) => [x, y]),
              // null when the page has no answer to show: in game mode a round won while the pen
              // was drawing has already cleared the pad for the next one.
              bitmap: doodle.state.latest?.bitmap ?? null,
            });
          }
          return JSON.stringify(results);
        })()
        """
}
