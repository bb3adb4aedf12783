import DoodleServer
import Foundation
import TestSupport
import Testing

/// The pad's tools in headless Chromium, with the browser's own mouse, touch and key input: a straight
/// line, freehand, selecting, moving and scaling, each undone; the guesses follow every edit.
@Suite("Drawing modes in headless Chromium", .serialized)
struct DrawingModeTests {
    typealias Strokes = [[[Double]]]

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func lineFreehandMoveScaleAndUndo() async throws {
        try await LiveServer.with(try BrowserTests.registry()) { port in
            let pad = try await PadDriver.open(port: port, model: "digits")
            let page = pad.page

            // Line: press, drag through the middle, release: two points, from press to release.
            try await pad.choose("line")
            var guesses = try await pad.guessCount()
            try await pad.mouseDrag([(150, 150), (300, 260), (420, 180), (550, 250)])
            let line = try await pad.strokes()
            #expect(line.count == 1)
            #expect(line.first?.map(\.count) == [2, 2, 2])
            #expect(mismatch(line[0][0].map(Float.init), [150, 550], rtol: 0, atol: 2) == nil)
            #expect(mismatch(line[0][1].map(Float.init), [150, 250], rtol: 0, atol: 2) == nil)
            #expect(line[0][2][1] >= line[0][2][0])
            #expect(try await pad.guessCount() > guesses)
            #expect(try await pad.lastSent() == line)
            #expect(try await page.evaluate("doodle.state.latest.model") as? String == "digits")

            // Freehand, with a finger.
            try await pad.choose("draw")
            let wave = (0..<20).map { (i: Int) -> (Double, Double) in
                let t = Double(i)
                return (800 + 30 * sin(t / 3), 450 + t * 20)
            }
            try await pad.touchDrag(wave)
            let drawn = try await pad.strokes()
            #expect(drawn.count == 2)
            #expect(drawn.first == line.first)
            #expect((drawn.last?.first?.count ?? 0) > 10)
            #expect(try await page.evaluate("pointerTypes.join()") as? String == "mouse,touch")

            // Move: press on the line, which selects it, and drag it by (100, 150).
            try await pad.choose("move")
            let bitmapBefore = try await page.evaluate("doodle.state.latest.bitmap.join()") as? String
            guesses = try await pad.guessCount()
            try await pad.mouseDrag([(350, 200), (380, 240), (420, 300), (450, 350)])
            let moved = try await pad.strokes()
            #expect(try await pad.selection() == [0])
            let dx = moved[0][0].map { $0 - drawn[0][0][0] }
            let dy = moved[0][1].map { $0 - drawn[0][1][0] }
            #expect(abs(dx[0] - 100) < 2 && abs(dy[0] - 150) < 2, "moved by (\(dx[0]), \(dy[0]))")
            #expect(isShifted(moved[0][0], from: drawn[0][0], by: dx[0]))
            #expect(isShifted(moved[0][1], from: drawn[0][1], by: dy[0]))
            #expect(moved[0][2] == drawn[0][2])
            #expect(moved[1] == drawn[1])
            // The guess after the move is of the moved strokes: the request's, and what the model saw.
            #expect(try await pad.guessCount() > guesses)
            #expect(try await pad.lastSent() == moved)
            #expect(try await page.evaluate("doodle.state.latest.bitmap.join()") as? String != bitmapBefore)

            // A box dragged on empty space selects what it touches: the wave, not the line.
            try await pad.mouseDrag([(950, 600), (850, 800), (700, 950)])
            #expect(try await pad.selection() == [1])
            #expect(try await pad.strokes() == moved)

            // Scale: select all, then a finger drags the bottom-right handle in; the top-left corner stays.
            try await pad.run("document.getElementById('select-all').click()")
            #expect(try await pad.selection() == [0, 1])
            let handle = try #require(
                try await page.evaluate("doodle.pad.tools.move.handles()[2]") as? [Double])
            let boxBefore = try await pad.box()
            try await pad.touchDrag([
                (handle[0], handle[1]), (handle[0] - 80, handle[1] - 80), (handle[0] - 150, handle[1] - 150),
            ])
            let scaled = try await pad.strokes()
            let boxAfter = try await pad.box()
            let sx = (boxAfter[2] - boxAfter[0]) / (boxBefore[2] - boxBefore[0])
            let sy = (boxAfter[3] - boxAfter[1]) / (boxBefore[3] - boxBefore[1])
            #expect(abs(boxAfter[0] - boxBefore[0]) < 0.02 && abs(boxAfter[1] - boxBefore[1]) < 0.02)
            #expect(abs(sx - sy) < 0.01 && sx < 0.9 && sx > 0.5, "scaled by \(sx) × \(sy)")
            #expect(try await pad.lastSent() == scaled)

            // Arrow keys move the selection, ten pad units a press.
            try await pad.run("doodle.pad.canvas.focus()")
            for _ in 0..<3 { try await pad.press("ArrowRight", code: "ArrowRight", keyCode: 39) }
            let keyed = try await pad.strokes()
            for (after, before) in zip(keyed, scaled) {
                #expect(isShifted(after[0], from: before[0], by: 30))
                #expect(after[1] == before[1])
            }

            // Undo takes back each step exactly: the keys (one step), the scale, the move, the wave, the line.
            for expected in [scaled, moved, drawn, line, []] {
                guesses = try await pad.guessCount()
                try await pad.run("document.getElementById('undo').click()")
                #expect(try await pad.strokes() == expected)
                #expect(try await pad.guessCount() > guesses)
                if !expected.isEmpty { #expect(try await pad.lastSent() == expected) }
            }
        }
    }

    /// In a game round the tools draw too, and the round sees the guesses of the edited strokes.
    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func aGameRoundGuessesTheEditedStrokes() async throws {
        try await LiveServer.with(try BrowserTests.registry()) { port in
            let pad = try await PadDriver.open(port: port, model: "doodles")
            let page = pad.page
            _ = try await page.evaluate(
                """
                doodle.game.seconds = 60;
                document.querySelector('input[name="mode"][value="game"]').click();
                document.getElementById("game-start").click();
                """)
            // No drawing here is meant to win: a word no model knows, set as the round starts, keeps it going.
            try await page.wait(
                for: #"doodle.game.inRound && (doodle.game.word = "(no such word)")"#,
                failure: "the round did not start")
            let roundSaw = "doodle.game.lastAnswer !== null && doodle.game.lastAnswer === doodle.state.latest"

            try await pad.choose("line")
            try await pad.mouseDrag([(200, 500), (500, 520), (800, 540)])
            let line = try await pad.strokes()
            #expect(line.count == 1 && line.first?.first?.count == 2)
            #expect(try await pad.lastSent() == line)
            #expect(try await page.evaluate(roundSaw) as? Bool == true)

            try await pad.choose("move")
            try await pad.mouseDrag([(500, 520), (500, 420), (500, 320)])
            let moved = try await pad.strokes()
            #expect(isShifted(moved[0][1], from: line[0][1], by: -200))
            #expect(try await pad.lastSent() == moved)
            #expect(try await page.evaluate(roundSaw) as? Bool == true)

            try await pad.run("document.getElementById('undo').click()")
            #expect(try await pad.strokes() == line)
            #expect(try await pad.lastSent() == line)
            #expect(try await page.evaluate("doodle.game.inRound") as? Bool == true)
        }
    }
}

/// Whether `actual` is `original` moved by `offset`, to the pad's rounding (0.01 pad units).
private func isShifted(_ actual: [Double], from original: [Double], by offset: Double) -> Bool {
    mismatch(actual.map(Float.init), original.map { Float($0 + offset) }, rtol: 0, atol: 0.02) == nil
}

/// Drives the pad with the browser's input events, at positions given in pad units (0–1000).
struct PadDriver {
    let page: BrowserPage

    /// Opens the page with `model` chosen and guessing on the server, recording the strokes of each
    /// request to /api/predict (`sentStrokes`) and each pointerdown's pointer type (`pointerTypes`).
    static func open(port: Int, model: String) async throws -> PadDriver {
        let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
        let pad = PadDriver(page: page)
        try await pad.run(
            """
            document.querySelector('input[name="model"][value="\(model)"]').click();
            document.querySelector('input[name="engine"][value="server"]').click();
            window.sentStrokes = [];
            const fetched = window.fetch;
            window.fetch = (url, options) => {
              if (String(url).endsWith("/api/predict")) sentStrokes.push(JSON.parse(options.body).strokes);
              return fetched(url, options);
            };
            window.pointerTypes = [];
            doodle.pad.canvas.addEventListener("pointerdown", (e) => pointerTypes.push(e.pointerType));
            """)
        return pad
    }

    /// Chooses a tool with its radio button: "draw", "line" or "move".
    func choose(_ tool: String) async throws {
        try await run(#"document.querySelector('input[name="tool"][value="\#(tool)"]').click()"#)
    }

    /// A function from pad units to the viewport's CSS pixels, where the canvas is now.
    func client() async throws -> ((Double, Double)) -> [String: Double] {
        let value = try await page.evaluate(
            "(() => { const r = doodle.pad.canvas.getBoundingClientRect(); return [r.left, r.top, r.width]; })()"
        )
        let rect = try #require(value as? [Double])
        return { ["x": rect[0] + $0.0 * rect[2] / 1000, "y": rect[1] + $0.1 * rect[2] / 1000] }
    }

    /// Runs `script` in the page (statements), then waits until the page has shown its latest answer.
    func run(_ script: String) async throws {
        _ = try await page.evaluate("(() => { \(script) ; return true; })()")
        try await settle()
    }

    func settle() async throws {
        try await page.wait(
            for:
                #"doodle.state.timer === null && (document.body.dataset.sent ?? "") === (document.body.dataset.shown ?? "")"#,
            failure: "the page did not settle")
    }

    func mouseDrag(_ points: [(Double, Double)]) async throws {
        let client = try await client()
        func send(_ type: String, _ point: (Double, Double), buttons: Int) async throws {
            var params: [String: Any] = ["type": type, "button": "left", "buttons": buttons, "clickCount": 1]
            params.merge(client(point)) { $1 }
            _ = try await page.browser.call("Input.dispatchMouseEvent", params, session: page.session)
        }
        try await send("mousePressed", points[0], buttons: 1)
        for point in points.dropFirst() { try await send("mouseMoved", point, buttons: 1) }
        try await send("mouseReleased", points[points.count - 1], buttons: 0)
        try await settle()
    }

    func touchDrag(_ points: [(Double, Double)]) async throws {
        let client = try await client()
        func send(_ type: String, _ point: (Double, Double)?) async throws {
            let touches = point.map { [client($0).merging(["id": 1]) { $1 }] } ?? []
            _ = try await page.browser.call(
                "Input.dispatchTouchEvent", ["type": type, "touchPoints": touches], session: page.session)
        }
        try await send("touchStart", points[0])
        for point in points.dropFirst() { try await send("touchMove", point) }
        try await send("touchEnd", nil)
        try await settle()
    }

    func press(_ key: String, code: String, keyCode: Int) async throws {
        for type in ["rawKeyDown", "keyUp"] {
            _ = try await page.browser.call(
                "Input.dispatchKeyEvent",
                ["type": type, "key": key, "code": code, "windowsVirtualKeyCode": keyCode],
                session: page.session)
        }
        try await settle()
    }

    func strokes() async throws -> DrawingModeTests.Strokes {
        try await decode("JSON.stringify(doodle.pad.apiStrokes)")
    }

    /// The strokes of the page's latest request to /api/predict.
    func lastSent() async throws -> DrawingModeTests.Strokes {
        try await decode("JSON.stringify(sentStrokes.at(-1) ?? null)")
    }

    func selection() async throws -> [Int] {
        try await decode("JSON.stringify(doodle.pad.tools.move.selected)")
    }

    /// The selection's ink box: x0, y0, x1, y1.
    func box() async throws -> [Double] {
        try await decode("JSON.stringify(doodle.pad.tools.move.box())")
    }

    /// How many answers the page has shown.
    func guessCount() async throws -> Int {
        Int(try await page.evaluate("document.body.dataset.shown ?? '0'") as? String ?? "") ?? 0
    }

    private func decode<T: Decodable>(_ expression: String) async throws -> T {
        let text = try #require(try await page.evaluate(expression) as? String)
        return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }
}
