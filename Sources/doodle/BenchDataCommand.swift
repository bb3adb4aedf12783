import ArgumentParser
import DoodleData
import Foundation

extension Doodle {
    /// Measures the data layer: loading numpy_bitmap files and rasterizing strokes.
    struct BenchData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-data",
            abstract:
                "Measure .npy loading and stroke rasterizing speed, beside pycairo running Google's recipe.")

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

        func benchRasterizing() throws {
            let folder = URL(fileURLWithPath: strokes)
            let files = try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: nil
            )
            .filter { $0.pathExtension == "ndjson" }.sorted { $0.path < $1.path }
            guard !files.isEmpty else { throw ValidationError("no .ndjson files in \(strokes)") }
            let drawings = try files.flatMap { try QuickDrawNDJSON.read(from: $0).drawings }
            let rasterizer = Rasterizer()
            var session = RasterizerSession(rasterizer)
            var bitmap: [UInt8] = []
            var best = (session: Double.infinity, fresh: Double.infinity)
            for _ in 0..<repeats {
                var ink = 0
                var start = clock()
                for drawing in drawings {
                    try session.render(drawing, into: &bitmap)
                    ink &+= Int(bitmap[14 * 28 + 14])
                }
                best.session = min(best.session, Double(clock() - start) / Double(CLOCKS_PER_SEC))
                start = clock()
                for drawing in drawings { ink &+= Int(try rasterizer.render(drawing)[14 * 28 + 14]) }
                best.fresh = min(best.fresh, Double(clock() - start) / Double(CLOCKS_PER_SEC))
                _ = ink
            }
            let ours = Double(drawings.count) / best.session
            print(
                String(
                    format:
                        "rasterize: %d drawings, one thread: %.0f drawings/s (Doodle, RasterizerSession; "
                        + "%.0f/s with a new bitmap and workspace each)",
                    drawings.count, ours, Double(drawings.count) / best.fresh))
            guard let cairoPython else { return }
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Scripts/pycairo_raster_bench.py")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cairoPython)
            process.arguments = [script.path] + files.map(\.path)
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            struct Row: Decodable { var drawings_per_s: Double }
            guard process.terminationStatus == 0, let row = try? JSONDecoder().decode(Row.self, from: output)
            else {
                throw ValidationError("the pycairo peer failed (does \(cairoPython) have pycairo and numpy?)")
            }
            print(
                String(
                    format: "rasterize: %.0f drawings/s (pycairo, Google's recipe); Doodle is %.2fx",
                    row.drawings_per_s,
                    ours / row.drawings_per_s))
        }
    }
}
