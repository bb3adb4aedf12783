import DoodleData
import DoodleServer
import Foundation
import TestSupport
import Testing

/// Every stroke drawing in ../shared/data, drawn on the page's canvas: the guess the page shows is the
/// guess Swift makes from the original strokes.
@Suite("Fidelity of the page's drawing path", .serialized)
struct FidelityTests {
    /// Every drawing of the simplified and sketch-rnn stroke files, with its file's name.
    static func allDrawings() throws -> [(category: String, drawing: Drawing)] {
        let strokes = sharedDataDirectory!.appendingPathComponent("quickdraw/strokes")
        var drawings: [(String, Drawing)] = []
        for folder in ["simplified_ndjson", "sketchrnn_ndjson"] {
            let url = strokes.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            where file.hasSuffix(".ndjson") {
                let category = String(file.dropLast(".ndjson".count))
                let read = try QuickDrawNDJSON.read(from: url.appendingPathComponent(file))
                drawings += read.drawings.map { (category, $0) }
            }
        }
        return drawings
    }

    @Test(.enabled(if: BrowserTests.reason == nil, "\(BrowserTests.reason ?? "")"))
    func thePageGuessesWhatSwiftGuessesForEveryStrokeDrawing() async throws {
        let registry = try BrowserTests.registry()
        let model = try #require(registry.models[registry.defaultName])
        let drawings = try Self.allDrawings()
        let clock = ContinuousClock()
        let started = clock.now
        try await LiveServer.with(registry) { port in
            let page = try await BrowserPage.open(url: "http://127.0.0.1:\(port)/", width: 1200, height: 900)
            var (same, compared) = (0, 0)
            var differing: [String] = []
            for chunk in stride(from: 0, to: drawings.count, by: 100) {
                let part = drawings[chunk..<min(chunk + 100, drawings.count)]
                let shown = try await page.drawQuickly(part.map(\.drawing))
                for ((category, drawing), label) in zip(part, shown) {
                    let pixels = try ImageInput.modelInput(strokes: drawing.strokes, framing: model.framing)
                    let direct = model.predict(pixels, top: 1).first?.label
                    compared += 1
                    if direct == label {
                        same += 1
                    } else if differing.count < 10 {
                        differing.append("\(category): page \(label ?? "none"), Swift \(direct ?? "none")")
                    }
                }
            }
            let seconds = (clock.now - started) / .seconds(1)
            print(
                "fidelity: \(compared) stroke drawings drawn on the canvas in \(Int(seconds)) s; page top-1 = "
                    + "Swift top-1 for \(same) (\(String(format: "%.2f", 100 * Double(same) / Double(compared)))%)"
            )
            if !differing.isEmpty { print("fidelity: differing, first \(differing.count): \(differing)") }
            #expect(compared == drawings.count)
            #expect(Double(same) >= 0.99 * Double(compared))
        }
    }
}

extension BrowserPage {
    /// Draws each drawing on the canvas as fast as the page takes pointer events (each drawing fitted
    /// to the canvas with a margin, whatever its coordinates), and returns the top guess the page shows
    /// once its last request is answered.
    func drawQuickly(_ drawings: [Drawing]) async throws -> [String?] {
        let strokes = drawings.map { $0.strokes.map { [$0.x, $0.y] } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: strokes), as: UTF8.self)
        let value = try await evaluate(Self.quickDrawScript.replacingOccurrences(of: "DRAWINGS", with: json))
        guard let text = value as? String else { throw PageError(description: "no result from the page") }
        return try JSONDecoder().decode([String?].self, from: Data(text.utf8))
    }

    /// Page-side helpers the quick scripts share: `BrowserPage.settledHelpers`, and `drawFitted(drawing)`,
    /// which clears the canvas and draws a drawing on it with pen events, as fast as the page takes
    /// them, fitted to the canvas with a margin whatever its coordinates.
    static let quickDrawHelpers = """
        \(BrowserPage.settledHelpers)
        const drawFitted = async (drawing) => {
          const canvas = document.getElementById("pad");
          doodle.pad.clear();
          const rect = canvas.getBoundingClientRect();
          const xs = drawing.flatMap(([x]) => x), ys = drawing.flatMap(([, y]) => y);
          const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
          const extent = Math.max(1, Math.max(...xs) - minX, Math.max(...ys) - minY);
          const scale = rect.width * 0.8 / extent;
          for (const [sx, sy] of drawing) {
            const event = (type, i, buttons) => canvas.dispatchEvent(new PointerEvent(type, {
              pointerId: 7, pointerType: "pen", isPrimary: true, button: 0, buttons, bubbles: true,
              cancelable: true, clientX: rect.left + rect.width * 0.1 + (sx[i] - minX) * scale,
              clientY: rect.top + rect.height * 0.1 + (sy[i] - minY) * scale }));
            event("pointerdown", 0, 1);
            for (let i = 1; i < sx.length; i++) event("pointermove", i, 1);
            event("pointerup", sx.length - 1, 0);
          }
          await settled();
        };
        """

    static let quickDrawScript = """
        (async () => {
          const drawings = DRAWINGS;
          \(quickDrawHelpers)
          const shown = [];
          for (const drawing of drawings) {
            await drawFitted(drawing);
            shown.push(document.querySelector("#guess-list li")?.dataset.label ?? null);
          }
          return JSON.stringify(shown);
        })()
        """
}
