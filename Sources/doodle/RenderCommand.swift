import ArgumentParser
import DoodleData
import Foundation

extension Doodle {
    /// Turns stroke files into numpy_bitmap files, as Google made its own.
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render a stroke file (.ndjson or .bin) into a numpy_bitmap .npy file.",
            discussion: """
                Each drawing becomes one row of 784 bytes (28 x 28, strokes 255 on 0), in input order,
                drawn with Google's recipe, so Google's simplified drawings give Google's own bitmaps.
                Raw drawings (any coordinates, e.g. from a canvas) need --raw, which first brings them
                to simplified 0-255 coordinates. The output appears only when complete.
                """)

        @Argument(help: "The stroke file: .ndjson (simplified or raw) or Quick, Draw! .bin.")
        var input: String

        @Option(help: "The .npy file to write.")
        var out: String

        @Flag(help: "Normalise raw strokes to simplified 0-255 coordinates before rendering.")
        var raw = false

        @Option(help: "What to do with a malformed ndjson line: skip or fail.")
        var onMalformed: MalformedChoice = .fail

        enum MalformedChoice: String, ExpressibleByArgument, CaseIterable {
            case skip, fail
        }

        func validate() throws {
            guard FileManager.default.fileExists(atPath: input) else {
                throw ValidationError("no such file: \(input)")
            }
            guard
                ["ndjson", "json", "jsonl", "bin"].contains(
                    URL(fileURLWithPath: input).pathExtension.lowercased())
            else { throw ValidationError("\(input) is not a stroke file: expected .ndjson or .bin") }
            guard out.lowercased().hasSuffix(".npy") else {
                throw ValidationError("--out must name a .npy file, not \(out)")
            }
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue
            else {
                throw ValidationError("the folder of --out does not exist: \(folder)")
            }
        }

        func run() async throws {
            let start = Date()
            var bar: ProgressBar?
            let summary: RenderSummary
            do {
                summary = try BitmapRendering.render(
                    input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: out), raw: raw,
                    onMalformedLine: onMalformed == .skip ? .skip : .fail
                ) { done, total in
                    if bar == nil { bar = ProgressBar("render", total: total, unit: "drawings") }
                    bar?.update(done)
                }
            } catch {
                bar?.finish()
                throw error
            }
            bar?.finish()
            for line in summary.skipped.prefix(5) {
                print("skipped line \(line.line): \(line.problem)")
            }
            if summary.skipped.count > 5 { print("... and \(summary.skipped.count - 5) more skipped lines") }
            if summary.notSimplified > 0 {
                print(
                    "note: \(summary.notSimplified) drawings are not in simplified 0-255 coordinates; "
                        + "use --raw for raw strokes")
            }
            let seconds = String(format: "%.2f", Date().timeIntervalSince(start))
            print(
                "rendered \(summary.drawings) drawings to \(out), skipped \(summary.skipped.count) lines, "
                    + "\(seconds) s")
        }
    }
}
