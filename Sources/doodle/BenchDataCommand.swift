import ArgumentParser
import DoodleData
import Foundation

extension Doodle {
    /// Measures the data layer: loading numpy_bitmap files, parsing ndjson and rasterizing strokes.
    struct BenchData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-data",
            abstract:
                "Measure .npy loading, ndjson parsing and stroke rasterizing speed, beside pycairo running "
                + "Google's recipe.")

        @Option(help: "Categories of generated .npy files to load.")
        var categories = 100

        @Option(help: "Rows in each generated .npy file.")
        var rows = 10_000

        @Option(help: "Folder of simplified ndjson stroke files to rasterize.")
        var strokes = "../shared/data/quickdraw/strokes/simplified_ndjson"

        @Option(help: "A Python with pycairo and numpy, to run Google's recipe on the same strokes.")
        var cairoPython: String?

        @Option(help: "Rasterizing passes over the strokes (the best is reported).")
        var repeats = 3

        @Option(help: "Bitmap sides to rasterize at, comma-separated (Google's is 28).")
        var sides = "28,64,128"

        func run() async throws {
            try benchLoading()
            try benchRasterizing()
        }

        /// Writes `categories` files of `rows` × 784 bytes, then times opening them all (memory-mapped)
        /// and reading every byte, as the dataset builder does.
        func benchLoading() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "doodle-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var g = SplitMix64(seed: 1)
            let row = (0..<784).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            let file = [UInt8]((0..<rows).flatMap { _ in row })
            for c in 0..<categories {
                try NpyWriter.write(
                    file, shape: [rows, 784], to: folder.appendingPathComponent("category \(c).npy"))
            }
            let start = Date()
            var arrays: [NpyArray] = []
            for c in 0..<categories {
                arrays.append(try NpyArray(contentsOf: folder.appendingPathComponent("category \(c).npy")))
            }
            let opened = Date().timeIntervalSince(start)
            var checksum = 0
            for array in arrays {
                array.withUnsafeBytes { bytes in
                    var sum = 0
                    for i in stride(from: 0, to: bytes.count, by: 64) { sum &+= Int(bytes[i]) }
                    checksum &+= sum
                }
            }
            let touched = Date().timeIntervalSince(start)
            print(
                String(
                    format:
                        "npy: %d files × %d drawings: opened in %.3f s, every page read in %.3f s (checksum %d)",
                    categories, rows, opened, touched, checksum & 0xFFFF))
        }

        /// Times Doodle's rasterizer on every drawing of the stroke folder at each side, beside
        /// pycairo running Google's recipe on the same strokes when `--cairo-python` is given.
        func benchRasterizing() throws {
            let folder = URL(fileURLWithPath: strokes)
            let files = try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: nil
            )
            .filter { $0.pathExtension == "ndjson" }.sorted { $0.path < $1.path }
            guard !files.isEmpty else { throw ValidationError("no .ndjson files in \(strokes)") }
            let contents = try files.map { try Data(contentsOf: $0) }
            var drawings: [Drawing] = []
            var parseSeconds = Double.infinity
            for _ in 0..<max(1, repeats) {
                let start = Date()
                drawings = try zip(files, contents).flatMap {
                    try QuickDrawNDJSON.parse($1, name: $0.lastPathComponent).drawings
                }
                parseSeconds = min(parseSeconds, Date().timeIntervalSince(start))
            }
            let bytes = contents.reduce(0) { $0 + $1.count }
            print(
                String(
                    format:
                        "parse ndjson: %d drawings (%.1f MB) in %.3f s, one thread: %.0f drawings/s, %.0f MB/s",
                    drawings.count, Double(bytes) / 1e6, parseSeconds, Double(drawings.count) / parseSeconds,
                    Double(bytes) / 1e6 / parseSeconds))
            for side in try parsedSides() {
                let ours = try timeDoodle(drawings, side: side)
                print(
                    String(
                        format:
                            "rasterize %d×%d: %d drawings, one thread: %.0f drawings/s (Doodle, "
                            + "RasterizerSession; %.0f/s with a new bitmap and workspace each)",
                        side, side, drawings.count, ours.session, ours.fresh))
                guard let cairoPython else { continue }
                let peer = try timePycairo(cairoPython, files: files, side: side)
                print(
                    String(
                        format:
                            "rasterize %d×%d: %.0f drawings/s (pycairo, Google's recipe); Doodle is %.2fx",
                        side, side, peer, ours.session / peer))
            }
        }

        func parsedSides() throws -> [Int] {
            let parsed = sides.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parsed.isEmpty, parsed.allSatisfy({ $0.map { (1...4096).contains($0) } ?? false }) else {
                throw ValidationError("--sides takes bitmap sides 1...4096, comma-separated, e.g. 28,64,128")
            }
            return parsed.compactMap { $0 }
        }

        /// Drawings per second (best of `repeats` passes, CPU time of this thread) with one reused
        /// session, and with a new bitmap and workspace for each drawing.
        func timeDoodle(_ drawings: [Drawing], side: Int) throws -> (session: Double, fresh: Double) {
            let rasterizer = Rasterizer(side: side)
            var session = RasterizerSession(rasterizer)
            var bitmap: [UInt8] = []
            let middle = side / 2 * side + side / 2
            var best = (session: Double.infinity, fresh: Double.infinity)
            var ink = 0
            for _ in 0..<repeats {
                var start = clock()
                for drawing in drawings {
                    try session.render(drawing, into: &bitmap)
                    ink &+= Int(bitmap[middle])
                }
                best.session = min(best.session, Double(clock() - start) / Double(CLOCKS_PER_SEC))
                start = clock()
                for drawing in drawings { ink &+= Int(try rasterizer.render(drawing)[middle]) }
                best.fresh = min(best.fresh, Double(clock() - start) / Double(CLOCKS_PER_SEC))
            }
            precondition(ink >= 0)  // keeps the renders from being optimised away
            return (Double(drawings.count) / best.session, Double(drawings.count) / best.fresh)
        }

        /// pycairo's drawings per second at `side`, from `Scripts/pycairo_raster_bench.py`.
        func timePycairo(_ python: String, files: [URL], side: Int) throws -> Double {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Scripts/pycairo_raster_bench.py")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script.path, "--side", String(side)] + files.map(\.path)
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            struct Row: Decodable { var drawings_per_s: Double }
            guard process.terminationStatus == 0, let row = try? JSONDecoder().decode(Row.self, from: output)
            else {
                throw ValidationError("the pycairo peer failed (does \(python) have pycairo and numpy?)")
            }
            return row.drawings_per_s
        }
    }
}
