import ArgumentParser
import DoodleData
import DoodleNN
import DoodleTraining
import Foundation

extension Doodle {
    /// Scores a model on a dataset.
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Score a model: top-1/3/5, MAP@3, per-class accuracy, confusion, calibration; an HTML report.",
            discussion: """
                --data is any folder of category files (categories the model lacks are left out, and named;
                the model's other classes simply get no examples), or a folder of MNIST IDX files (its test
                set). Without --data, the folders the model was trained on, as its metadata records them
                relative to the folder it was trained from. The test split is the training run's when the
                folders, --per-class, --seed and --duplicates are the run's, which they are by default.
                --split all scores every drawing of the folders.
                """)

        @Option(help: "A model file, or the name of a shipped model (doodles, digits).")
        var model = "doodles"

        @Option(
            name: .customLong("data"),
            help: "A folder of category files or of MNIST IDX files; repeat for several.")
        var folders: [String] = []

        @Option(help: "Which images: test, val or all.")
        var split: EvaluationSplit = .test

        @Option(
            help: "A category in several files: merge or first (default: what the model was trained with).")
        var duplicates: DatasetOptions.DuplicatePolicy?

        @Option(help: "Score only the images from files of this format: npy, ndjson or bin.")
        var format: CategoryFile.Format?

        @Option(
            name: .customLong("per-class"),
            help: "At most this many drawings of each category (default: what the model was trained with)."
        )
        var perClass: Int?

        @Option(help: "The split seed (default: the one the model was trained with).")
        var seed: UInt64?

        @Flag(help: "Print one JSON object with the metrics (fractions, not percentages).")
        var json = false

        @Option(help: "Write a self-contained HTML report here.")
        var report: String?

        @Option(help: "The training log (JSON lines) for the report's curves (default: beside the model).")
        var log: String?

        @Option(help: "Threads for the engine.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            if duplicates == .fail {
                throw ValidationError("--duplicates fail cannot score a model; use merge or first")
            }
            if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        }

        func run() async throws {
            doodleThreadCount = threads
            let modelURL = try ModelLocator.url(for: model)
            let model = try Model(contentsOf: modelURL)
            let folders = try self.folders.isEmpty ? Self.trainingFolders(of: model) : self.folders
            let urls = folders.map { URL(fileURLWithPath: $0) }
            let ignored = try model.ignoredCategories(in: urls)
            if !ignored.isEmpty && !json {
                let names = ignored.prefix(8).joined(separator: ", ") + (ignored.count > 8 ? ", ..." : "")
                print("left out \(ignored.count) categories the model does not know: \(names)")
            }
            let images = try model.evaluationImages(
                from: urls, split: split,
                perClass: perClass ?? model.training["per_class"].flatMap { Int($0) },
                seed: seed ?? model.training["split_seed"].flatMap { UInt64($0) } ?? 0,
                duplicates: duplicates ?? model.training["duplicates"].flatMap { .init(rawValue: $0) }
                    ?? .merge,
                format: format)
            guard images.count > 0 else {
                throw ValidationError("no images to score in \(folders.joined(separator: ", "))")
            }
            let bar = ProgressBar("eval", total: images.count, unit: "images")
            let evaluation = try model.evaluate(images) { bar.update($0) }
            bar.finish()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            } else {
                print(Self.summary(evaluation, model: modelURL.lastPathComponent))
            }
            if let report {
                let logURL = URL(fileURLWithPath: log ?? modelURL.deletingPathExtension().path + ".jsonl")
                let records = (try? TrainingLog.read(from: logURL).records) ?? []
                var bitmaps: [Int: [UInt8]] = [:]
                for example in evaluation.worstMisclassified {
                    bitmaps[example.index] = Array(images.image(example.index))
                }
                try EvaluationReport(
                    modelName: modelURL.lastPathComponent, architecture: model.spec.name,
                    data: "\(folders.joined(separator: ", ")) (\(split.rawValue))", evaluation: evaluation,
                    trainingLog: records, bitmaps: bitmaps
                ).write(to: URL(fileURLWithPath: report))
                if !json { print("report: \(report)") }
            }
        }

        static func summary(_ e: Evaluation, model: String) -> String {
            var lines = [
                "\(model): \(e.count) images, \(e.classes) classes",
                String(
                    format: "top-1 %.4f  top-3 %.4f  top-5 %.4f  MAP@3 %.4f  ECE %.4f", e.top1, e.top3,
                    e.top5, e.map3, e.expectedCalibrationError),
                "worst classes:",
            ]
            for c in e.perClass.filter({ $0.count > 0 }).sorted(by: { $0.accuracy < $1.accuracy }).prefix(5) {
                lines.append(String(format: "  %-20@ %.3f (%d images)", c.name, c.accuracy, c.count))
            }
            if !e.mostConfused.isEmpty {
                lines.append("most confused:")
                for pair in e.mostConfused.prefix(5) {
                    lines.append("  \(pair.trueName) → \(pair.predictedName): \(pair.count)")
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension EvaluationSplit: ExpressibleByArgument {}
extension CategoryFile.Format: ExpressibleByArgument {}

extension Doodle.Eval {
    /// The data folders the model's metadata records (relative to where it was trained).
    static func trainingFolders(of model: Model) throws -> [String] {
        guard let text = model.training["data"],
            let folders = try? JSONDecoder().decode([String].self, from: Data(text.utf8)), !folders.isEmpty
        else {
            throw ValidationError("the model does not record its training data; give a --data folder")
        }
        return folders
    }
}
