import DoodleData
import Foundation
import TestSupport

/// The page's `sketch.js` run in Node through `Scripts/sketch_harness.mjs`: many requests, one process.
enum SketchHarness {
    /// One call of sketch.js, its strokes as JSON text in the API's form.
    struct Request {
        /// What to call: both framings and `normalize`, one framing, or `render` at a side.
        enum Call {
            case modelInputs
            case modelInput(framing: String)
            case render(side: Int)
        }

        var strokesJSON: String
        var call: Call

        /// A request for `strokes`, sent as `[[x...], [y...]]` per stroke (plus times, when present).
        init(_ strokes: [Stroke], _ call: Call = .modelInputs) {
            strokesJSON = SketchHarness.json(strokes.map { [$0.x, $0.y] + ($0.t.map { [$0] } ?? []) })
            self.call = call
        }

        /// A request whose strokes are the JSON text `strokesJSON`, as a client might send them.
        init(json strokesJSON: String, _ call: Call = .modelInputs) {
            self.strokesJSON = strokesJSON
            self.call = call
        }

        var line: String {
            switch call {
            case .modelInputs: #"{"strokes": \#(strokesJSON)}"#
            case .modelInput(let framing): #"{"strokes": \#(strokesJSON), "framing": "\#(framing)"}"#
            case .render(let side): #"{"strokes": \#(strokesJSON), "side": \#(side)}"#
            }
        }

        var byteCount: Int {
            switch call {
            case .modelInputs: 2 * 784
            case .modelInput: 784
            case .render(let side): side * side
            }
        }
    }

    /// What sketch.js answered to one request.
    struct Answer {
        /// The message sketch.js threw, if it threw.
        var error: String?
        /// The bitmaps: quickdraw then mnist for `.modelInputs`, else the one bitmap.
        var bytes: [UInt8] = []
        /// For `.modelInputs`, `normalize`'s strokes as the JSON text `[[[x...], [y...]], ...]`.
        var normalized = ""
    }

    /// Node, when installed.
    static let node: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates =
            path.split(separator: ":").map { "\($0)/node" } + ["/usr/bin/node", "/usr/local/bin/node"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The repository: this file is `Tests/DoodleServerTests/SketchHarness.swift`.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The harness's median time for one `modelInput` call, per framing, in microseconds.
    struct Timing {
        var quickdraw: Double
        var mnist: Double
    }

    /// Runs every request in one Node process.
    ///
    /// - Returns: one answer per request, and the median times of the `.modelInputs` calls.
    static func run(_ requests: [Request]) throws -> (answers: [Answer], timing: Timing) {
        let (answers, timing, _) = try run(requests) {}
        return (answers, timing)
    }

    /// Runs every request in one Node process, and `meanwhile` while Node works.
    ///
    /// - Returns: one answer per request, the median times of the `.modelInputs` calls, and what
    ///   `meanwhile` returned.
    static func run<T>(
        _ requests: [Request], meanwhile: () throws -> T
    ) throws -> (answers: [Answer], timing: Timing, meanwhile: T) {
        let directory = try makeTemporaryDirectory("doodle-sketch")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("requests.jsonl")
        let output = directory.appendingPathComponent("bitmaps.bin")
        let errors = directory.appendingPathComponent("stderr.txt")
        try Data(requests.map(\.line).joined(separator: "\n").utf8).write(to: input)
        try Data().write(to: errors)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: node!)
        process.arguments = [
            repository.appendingPathComponent("Scripts/sketch_harness.mjs").path, output.path,
        ]
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardError = try FileHandle(forWritingTo: errors)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // Node writes its bitmaps to the file and then its answers, which wait in the pipe until read.
        let result = Result { try meanwhile() }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw HarnessError(description: "node exited with \(process.terminationStatus): \(message)")
        }

        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last == "" { lines.removeLast() }
        // The last line: "timing quickdraw <µs> mnist <µs> calls <n>".
        let timing = lines.popLast()?.split(separator: " ") ?? []
        guard lines.count == requests.count, timing.count == 7, timing[0] == "timing",
            let quickdraw = Double(timing[2]), let mnist = Double(timing[4])
        else {
            throw HarnessError(
                description: "expected \(requests.count) answers and a timing line: \(text.prefix(500))")
        }
        let bytes = [UInt8](try Data(contentsOf: output))
        var offset = 0
        var answers: [Answer] = []
        for (request, line) in zip(requests, lines) {
            if line.hasPrefix("error ") {
                answers.append(Answer(error: String(line.dropFirst(6))))
                continue
            }
            guard line.hasPrefix("ok"), offset + request.byteCount <= bytes.count else {
                throw HarnessError(description: "unexpected answer '\(line.prefix(200))'")
            }
            var answer = Answer(bytes: Array(bytes[offset..<offset + request.byteCount]))
            offset += request.byteCount
            if case .modelInputs = request.call {
                answer.normalized = String(line.dropFirst(3))
            }
            answers.append(answer)
        }
        guard offset == bytes.count else {
            throw HarnessError(description: "\(bytes.count - offset) extra bytes")
        }
        return (answers, Timing(quickdraw: quickdraw, mnist: mnist), try result.get())
    }

    /// Normalised strokes as JSON.stringify writes them: integers without a fraction.
    static func integerJSON(_ strokes: [Stroke]) -> String {
        func number(_ value: Double) -> String { Int(exactly: value).map(String.init) ?? "\(value)" }
        let arrays = strokes.map { stroke in
            "[[" + stroke.x.map(number).joined(separator: ",") + "],["
                + stroke.y.map(number).joined(separator: ",") + "]]"
        }
        return "[" + arrays.joined(separator: ",") + "]"
    }

    /// Strokes as JSON; NaN and ±infinity as the strings the harness turns back into numbers.
    static func json(_ strokes: [[[Double]]]) -> String {
        func number(_ value: Double) -> String {
            if value.isNaN { return #""NaN""# }
            if value.isInfinite { return value > 0 ? #""Infinity""# : #""-Infinity""# }
            return "\(value)"  // the shortest text that reads back as the same Double
        }
        let arrays = strokes.map { stroke in
            "[" + stroke.map { "[" + $0.map(number).joined(separator: ",") + "]" }.joined(separator: ",")
                + "]"
        }
        return "[" + arrays.joined(separator: ",") + "]"
    }
}

/// The Node harness failed to run or answered something unexpected.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
}
