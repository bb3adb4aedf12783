import DoodleData
import Foundation
import Synchronization
import TestSupport
import Testing

/// Every stroke drawing in the shared data, rendered by Doodle's rasterizer in Swift and by the
/// page's sketch.js, against Google's own recipe run by pycairo (`Scripts/pycairo_render.py`). The
/// simplified and Kaggle sets are drawn as they are; the raw and sketch-rnn sets after
/// `StrokeNormalizer`, as training and the page draw them.
@Suite("Every shared drawing renders as pycairo renders it")
struct SharedRasterTests {
    /// A Python with pycairo and numpy: `$DOODLE_CAIRO_PYTHON`, the peer venv, or `python3` on PATH.
    static let cairoPython: String? = {
        let environment = ProcessInfo.processInfo.environment
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        let candidates =
            [environment["DOODLE_CAIRO_PYTHON"], "/tmp/peer/bin/python"].compactMap { $0 }
            + path.split(separator: ":").map { "\($0)/python3" }
        return candidates.first { candidate in
            guard FileManager.default.isExecutableFile(atPath: candidate) else { return false }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: candidate)
            process.arguments = ["-c", "import cairo, numpy"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
    }()

    static let missing: String? =
        sharedDataDirectory == nil
        ? "no ../shared/data with Quick, Draw! strokes"
        : cairoPython == nil
            ? "no Python with pycairo and numpy (apt-get install python3-cairo python3-numpy, or set "
                + "DOODLE_CAIRO_PYTHON)" : nil

    /// One drawing in simplified coordinates, and where it came from.
    struct Case {
        var set: String
        var file: String
        var index: Int
        var strokes: [Stroke]
    }

    /// The stroke sets of the shared data, and whether each is normalised before rendering.
    static let sets = [
        ("simplified_ndjson", false), ("kaggle_simplified_ndjson", false), ("raw_ndjson", true),
        ("sketchrnn_ndjson", true),
    ]

    static func cases(sets: [(String, Bool)]) throws -> [Case] {
        let root = sharedDataDirectory!.appendingPathComponent("quickdraw/strokes")
        let fm = FileManager.default
        let normalizer = StrokeNormalizer()
        var cases: [Case] = []
        for (set, normalize) in sets {
            let directory = root.appendingPathComponent(set)
            guard fm.fileExists(atPath: directory.path) else { continue }
            for file in try fm.contentsOfDirectory(atPath: directory.path).sorted()
            where file.hasSuffix(".ndjson") {
                let read = try QuickDrawNDJSON.read(from: directory.appendingPathComponent(file))
                for (index, drawing) in read.drawings.enumerated() {
                    let strokes = normalize ? try normalizer.normalize(drawing).strokes : drawing.strokes
                    cases.append(Case(set: set, file: file, index: index, strokes: strokes))
                }
            }
        }
        return cases
    }

    /// The bitmaps pycairo draws for `cases` at each of `sides`, in that order.
    static func pycairo(_ cases: [Case], sides: [Int]) throws -> [UInt8] {
        let directory = try makeTemporaryDirectory("doodle-pycairo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("drawings.ndjson")
        let output = directory.appendingPathComponent("bitmaps.bin")
        let lines = cases.map { #"{"drawing": \#(SketchHarness.integerJSON($0.strokes))}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cairoPython!)
        process.arguments =
            [SketchHarness.repository.appendingPathComponent("Scripts/pycairo_render.py").path]
            + [input.path, output.path] + sides.map(String.init)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let said = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "Scripts/pycairo_render.py failed")
        print(said.trimmingCharacters(in: .whitespacesAndNewlines))
        return [UInt8](try Data(contentsOf: output))
    }

    /// Swift's bitmaps of `cases` at `side`, on every core.
    static func swift(_ cases: [Case], side: Int) -> [[UInt8]] {
        let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let results = Mutex([Int: [[UInt8]]]())
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var session = RasterizerSession(Rasterizer(side: side))
            var bitmap: [UInt8] = []
            let range = (cases.count * part / parts)..<(cases.count * (part + 1) / parts)
            let bitmaps = cases[range].map { drawing -> [UInt8] in
                do {
                    try session.render(strokes: drawing.strokes, into: &bitmap)
                    return bitmap
                } catch {
                    return []  // pycairo's bitmap is never empty, so this counts as a mismatch
                }
            }
            results.withLock { $0[part] = bitmaps }
        }
        return results.withLock { all in (0..<parts).flatMap { all[$0]! } }
    }

    struct Comparison: Sendable {
        var mismatches: [String]
        var summary: String
    }

    /// Renders `cases` at each side in Swift and (when Node is there) in sketch.js, and lists every
    /// bitmap that is not pycairo's, byte for byte.
    static func compare(_ cases: [Case], sides: [Int]) throws -> Comparison {
        let started = Date()
        let reference = try pycairo(cases, sides: sides)
        guard reference.count == cases.count * sides.reduce(0, { $0 + $1 * $1 }) else {
            throw HarnessError(description: "pycairo gave \(reference.count) bytes")
        }
        let requests = sides.flatMap { side in
            cases.map { SketchHarness.Request($0.strokes, .render(side: side)) }
        }
        let script = try SketchHarness.node.map { _ in try SketchHarness.run(requests).answers }
        var offset = 0
        var mismatches: [String] = []
        var summary: [String] = []
        for (s, side) in sides.enumerated() {
            let bitmaps = swift(cases, side: side)
            var exact: [String: (swift: Int, script: Int, count: Int)] = [:]
            for (i, drawing) in cases.enumerated() {
                let expected = reference[offset..<offset + side * side]
                offset += side * side
                var tally = exact[drawing.set] ?? (0, 0, 0)
                tally.count += 1
                let name = "\(drawing.set)/\(drawing.file) drawing \(drawing.index) at \(side)"
                if bitmaps[i].elementsEqual(expected) {
                    tally.swift += 1
                } else {
                    mismatches.append("Swift: \(name)")
                }
                if let script {
                    if script[s * cases.count + i].bytes.elementsEqual(expected) {
                        tally.script += 1
                    } else {
                        mismatches.append("sketch.js: \(name)")
                    }
                }
                exact[drawing.set] = tally
            }
            for (set, _) in Self.sets {
                guard let tally = exact[set] else { continue }
                let js = script == nil ? "sketch.js not run (no node)" : "sketch.js \(tally.script)"
                summary.append(
                    "\(set) at \(side): \(tally.count) drawings, exact: Swift \(tally.swift), \(js)")
            }
        }
        return Comparison(
            mismatches: mismatches,
            summary: "bit-exact against pycairo: " + summary.joined(separator: "; ")
                + String(format: " (%.1f s)", Date().timeIntervalSince(started)))
    }

    /// Compares on a thread of its own (minutes of work) and expects every bitmap to be pycairo's.
    static func check(_ cases: [Case], sides: [Int]) async throws {
        let result = try await onOwnThread { try compare(cases, sides: sides) }
        print(result.summary)
        #expect(
            result.mismatches.isEmpty,
            "\(result.mismatches.count) not exact, the first: \(result.mismatches.prefix(8))")
    }

    @Test(.enabled(if: missing == nil, "\(missing ?? "")"))
    func everyDrawingAtGoogleSize() async throws {
        let cases = try Self.cases(sets: Self.sets)
        #expect(cases.count >= 44_000, "shared has 7,360 + 28,830 + 462 + 8,000 stroke drawings")
        try await Self.check(cases, sides: [28])
    }

    /// The bigger bitmaps a model may train on: Google's recipe with the surface scaled.
    @Test(.enabled(if: missing == nil, "\(missing ?? "")"))
    func simplifiedDrawingsAt64And128() async throws {
        let cases = try Self.cases(sets: [("simplified_ndjson", false)])
        #expect(cases.count >= 7_000)
        try await Self.check(cases, sides: [64, 128])
    }
}
