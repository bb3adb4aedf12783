import DoodleData
import Foundation
import Synchronization
import TestSupport
import Testing

/// The page's `sketch.js` against the server's preprocessing: the same strokes must give the same
/// bytes, so a guess made in the browser is the guess the API would make.
@Suite("sketch.js gives ImageInput's bitmaps")
struct SketchScriptTests {
    static let nodeMissing: String? =
        SketchHarness.node == nil ? "no node on PATH or at /usr/bin/node (apt-get install nodejs)" : nil
    static let dataMissing: String? =
        nodeMissing ?? (sharedDataDirectory == nil ? "no ../shared/data with Quick, Draw! strokes" : nil)

    /// Swift's answer to a `.modelInputs` request: both framings' bytes and the normalised strokes as
    /// JSON, or the error it threw.
    struct Expected: Sendable {
        var bytes: [UInt8] = []
        var normalized = ""
        var error: String?
    }

    static func expected(_ strokes: [Stroke]) -> Expected {
        do {
            let quickdraw = try ImageInput.modelInput(strokes: strokes, framing: .quickdraw)
            let mnist = try ImageInput.modelInput(strokes: strokes, framing: .mnist)
            let normalized = try StrokeNormalizer().normalize(Drawing(strokes: strokes))
            return Expected(
                bytes: quickdraw + mnist, normalized: SketchHarness.integerJSON(normalized.strokes))
        } catch {
            return Expected(error: "\(error)")
        }
    }

    /// `expected` for every drawing, on every core: Swift's half of the comparison is as slow as Node's.
    static func expected(_ drawings: [Drawing]) -> [Expected] {
        let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let results = Mutex([Int: [Expected]]())
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = (drawings.count * part / parts)..<(drawings.count * (part + 1) / parts)
            let answers = drawings[range].map { expected($0.strokes) }
            results.withLock { $0[part] = answers }
        }
        return results.withLock { all in (0..<parts).flatMap { all[$0]! } }
    }

    /// Every drawing of every `strokes/*/*.ndjson` file of the shared data (simplified, sketch-rnn, and
    /// raw files when present), with the folder it came from.
    static func strokeFileDrawings() throws -> [(folder: String, drawing: Drawing)] {
        let root = sharedDataDirectory!.appendingPathComponent("quickdraw/strokes")
        let fm = FileManager.default
        var drawings: [(String, Drawing)] = []
        for folder in try fm.contentsOfDirectory(atPath: root.path).sorted() {
            let directory = root.appendingPathComponent(folder)
            for file in try fm.contentsOfDirectory(atPath: directory.path).sorted()
            where file.hasSuffix(".ndjson") {
                let read = try QuickDrawNDJSON.read(from: directory.appendingPathComponent(file))
                drawings += read.drawings.map { (folder, $0) }
            }
        }
        return drawings
    }

    @Test(.enabled(if: dataMissing == nil, "\(dataMissing ?? "")"))
    func everyStrokeFileDrawingGivesTheSameBytes() throws {
        let started = Date()
        let drawings = try Self.strokeFileDrawings()
        let simplified = drawings.filter { $0.folder == "simplified_ndjson" }.map(\.drawing)
        #expect(
            drawings.count >= 15_000, "the shared data has 7,360 simplified and 8,000 sketch-rnn drawings")
        let requests =
            drawings.map { SketchHarness.Request($0.drawing.strokes) }
            + simplified.map { SketchHarness.Request($0.strokes, .render(side: 28)) }
        let (answers, timing, expected) = try SketchHarness.run(requests) {
            Self.expected(drawings.map(\.drawing))
        }

        var (quickdraw, mnist, normalized, rendered) = (0, 0, 0, 0)
        var mismatches: [String] = []
        for (i, (folder, _)) in drawings.enumerated() {
            let answer = answers[i]
            let (bytes, strokes) = (expected[i].bytes, expected[i].normalized)
            guard expected[i].error == nil, answer.error == nil else {
                mismatches.append("drawing \(i) (\(folder)): \(answer.error ?? expected[i].error ?? "")")
                continue
            }
            if answer.bytes.prefix(784) == bytes.prefix(784) {
                quickdraw += 1
            } else {
                mismatches.append("drawing \(i) (\(folder)) quickdraw")
            }
            if answer.bytes.suffix(784) == bytes.suffix(784) {
                mnist += 1
            } else {
                mismatches.append("drawing \(i) (\(folder)) mnist")
            }
            if answer.normalized == strokes {
                normalized += 1
            } else {
                mismatches.append("drawing \(i) (\(folder)) normalised")
            }
        }
        let rasterizer = Rasterizer()
        for (i, (drawing, answer)) in zip(simplified, answers[drawings.count...]).enumerated() {
            if answer.bytes == (try rasterizer.render(drawing)) {
                rendered += 1
            } else {
                mismatches.append("simplified drawing \(i) rendered")
            }
        }
        print(
            "sketch.js vs Swift: \(drawings.count) drawings, identical: quickdraw \(quickdraw), mnist \(mnist), "
                + "normalised strokes \(normalized); \(simplified.count) simplified drawings rendered at 28, "
                + "identical \(rendered). Median modelInput in node: quickdraw \(timing.quickdraw) µs, "
                + "mnist \(timing.mnist) µs. "
                + String(format: "%.1f s in all", Date().timeIntervalSince(started)))
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, the first: \(mismatches.prefix(5))")
        #expect(quickdraw == drawings.count && mnist == drawings.count && normalized == drawings.count)
        #expect(rendered == simplified.count)
    }

    @Test(.enabled(if: nodeMissing == nil, "\(nodeMissing ?? "")"))
    func edgeCasesGiveTheSameBytesOrBothThrow() throws {
        let cases = Self.edgeCases()
        let renders = Self.renderCases()
        let requests =
            cases.map { SketchHarness.Request($0.strokes) }
            + renders.map { SketchHarness.Request($0.strokes, .render(side: $0.side)) }
        let (answers, _) = try SketchHarness.run(requests)
        var (same, throwing) = (0, 0)
        // Identical black bitmaps would prove little: most cases must draw something.
        let inked = answers.count { $0.bytes.contains { $0 > 0 } }
        for (edgeCase, answer) in zip(cases, answers) {
            let expected = Self.expected(edgeCase.strokes)
            if let error = expected.error {
                #expect(answer.error != nil, "\(edgeCase.name): Swift threw \(error) but sketch.js did not")
                if answer.error != nil { throwing += 1 }
                continue
            }
            #expect(answer.error == nil, "\(edgeCase.name): sketch.js threw \(answer.error ?? "")")
            #expect(answer.bytes == expected.bytes, "\(edgeCase.name): bitmaps differ")
            #expect(answer.normalized == expected.normalized, "\(edgeCase.name): normalised strokes differ")
            if answer.bytes == expected.bytes && answer.normalized == expected.normalized { same += 1 }
        }
        for (render, answer) in zip(renders, answers[cases.count...]) {
            do {
                let bytes = try Rasterizer(side: render.side).render(Drawing(strokes: render.strokes))
                #expect(answer.bytes == bytes, "\(render.name) at side \(render.side): bitmaps differ")
                if answer.bytes == bytes { same += 1 }
            } catch {
                #expect(answer.error != nil, "\(render.name): Swift threw \(error) but sketch.js did not")
                if answer.error != nil { throwing += 1 }
            }
        }
        print(
            "sketch.js edge cases: \(same) identical (\(inked) with ink), \(throwing) throwing in both, "
                + "of \(requests.count)")
        #expect(inked > requests.count * 9 / 10)
        #expect(same + throwing == requests.count)
    }

    @Test(.enabled(if: nodeMissing == nil, "\(nodeMissing ?? "")"))
    func malformedStrokesThrowAClearError() throws {
        let cases: [(json: String, call: SketchHarness.Request.Call, message: String)] = [
            (#""cat""#, .modelInputs, "strokes: expected an array of strokes"),
            (#"[[[1, 2, 3]]]"#, .modelInputs, "strokes: stroke 0 has 1 arrays"),
            (#"[[1, 2], [3, 4]]"#, .modelInputs, "stroke 0 has coordinates that are not arrays"),
            (#"[[[1, 2], [3, 4]], [[1, 2, 3], [4, 5]]]"#, .modelInputs, "stroke 1 has 3 x but 2 y"),
            (#"[[[1, "a"], [3, 4]]]"#, .modelInputs, "stroke 0, point 1: (a, 4) is not a pair of numbers"),
            (#"[[[1, null], [3, 4]]]"#, .modelInputs, "is not a pair of numbers"),
            (
                #"[[[1, "NaN"], [3, 4]]]"#, .modelInputs,
                "drawing: stroke 0 has a non-finite coordinate (NaN, 4)"
            ),
            (#"[[[1, 2], [3, "Infinity"]]]"#, .modelInputs, "non-finite coordinate (2, Infinity)"),
            (#"[[[1, "-Infinity"], [3, 4]]]"#, .modelInputs, "non-finite coordinate (-Infinity, 4)"),
            (
                #"[[[-1e308, 1e308], [3, 4]]]"#, .modelInputs,
                "drawing: its size Infinity is not a finite number"
            ),
            (#"[[[1, 2], [3, 4]]]"#, .modelInput(framing: "pixels"), #"unknown framing "pixels""#),
            (#"[[[1, 2], [3, 4]]]"#, .render(side: 0), "side: 0 is not a bitmap side"),
            (#"[[[1, 2], [3, 70000]]]"#, .render(side: 28), "(2, 70000) is not a finite value within ±65536"),
            (#"[[[1, "NaN"], [3, 4]]]"#, .render(side: 28), "(NaN, 4) is not a finite value within ±65536"),
        ]
        let (answers, _) = try SketchHarness.run(cases.map { SketchHarness.Request(json: $0.json, $0.call) })
        for (bad, answer) in zip(cases, answers) {
            #expect(answer.error?.contains(bad.message) == true, "\(bad.json): \(answer.error ?? "no error")")
        }
    }
}
