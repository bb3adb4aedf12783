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
                --data is any folder of category files named like the model's classes (a category the model
                lacks is an error; the model's other classes simply get no examples), or a folder of MNIST
                IDX files (its test set). --split all scores every drawing of the folder.
                """)

        @Option(help: "A model file, or the name of a shipped model (doodles, digits).")
        var model = "doodles"

        @Option(
            name: .customLong("data"),
            help: "A folder of category files or of MNIST IDX files; repeat for several.")
        var folders: [String] = []

        @Option(help: "Which images: test, val or all.")
        var split: Split = .test

        @Option(
            name: .customLong("per-class"),
            help: "At most this many drawings of each category (the same as in training, for the same split)."
        )
        var perClass: Int?

        @Option(help: "The split seed used in training.")
        var seed: UInt64 = 0

        @Flag(help: "Print one JSON object with the metrics (fractions, not percentages).")
        var json = false

        @Option(help: "Write a self-contained HTML report here.")
        var report: String?

        @Option(help: "The training log (JSON lines) for the report's curves (default: beside the model).")
        var log: String?

        @Option(help: "Threads for the engine.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        enum Split: String, ExpressibleByArgument, CaseIterable { case test, val, all }

        func validate() throws {
            guard !folders.isEmpty else { throw ValidationError("give a --data folder") }
            if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        }

        func run() async throws {
            doodleThreadCount = threads
            let modelURL = try ModelLocator.url(for: model)
            let model = try Model(contentsOf: modelURL)
            let images = try load(for: model)
            guard images.count > 0 else {
                throw ValidationError("no images to score in \(folders.joined(separator: ", "))")
            }
            let evaluation = try Self.evaluate(model, images)
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

        /// The chosen split of the data, labelled with the model's class indices.
        func load(for model: Model) throws -> LabeledImages {
            let urls = folders.map { URL(fileURLWithPath: $0) }
            let isMNIST = try urls.count == 1 && DatasetFolder.mnistFiles(in: urls[0]) != nil
            var selection = DatasetOptions.ClassSelection.all
            if !isMNIST {
                let present = Set(try DatasetFolder.categoryFiles(in: urls).map(\.category))
                let unknown = present.subtracting(model.labels).sorted()
                guard unknown.isEmpty else {
                    throw ValidationError(
                        "the model has no class for \(unknown.joined(separator: ", ")) (found in \(folders.joined(separator: ", ")))"
                    )
                }
                selection = .named(model.labels.filter(present.contains))
            }
            let options = DatasetOptions(classes: selection, perClass: perClass, seed: seed)
            let dataset = try DatasetCache().load(from: urls, options: options).dataset
            let splits = dataset.splits
            let parts: [LabeledImages]
            switch split {
            case .test: parts = [splits.test]
            case .val: parts = [splits.validation]
            case .all: parts = [splits.train, splits.validation, splits.test]
            }
            // Relabel from the dataset's class order to the model's.
            let index = Dictionary(uniqueKeysWithValues: model.labels.enumerated().map { ($1, $0) })
            let mapping = try dataset.classes.map { name -> Int in
                guard let i = index[name] else { throw ValidationError("the model has no class '\(name)'") }
                return i
            }
            return LabeledImages(
                classes: model.labels, pixels: parts.flatMap(\.pixels),
                labels: parts.flatMap { $0.labels.map { mapping[$0] } },
                origins: parts.flatMap(\.origins))
        }

        /// Runs the model over every image in batches and accumulates the metrics.
        static func evaluate(_ model: Model, _ images: LabeledImages) throws -> Evaluation {
            let network = model.network.inferenceCopy()
            var accumulator = EvaluationAccumulator(classNames: model.labels)
            let bar = ProgressBar("eval", total: images.count, unit: "images")
            var start = 0
            while start < images.count {
                let end = min(start + 512, images.count)
                let (input, labels) = Batches.make(Array(start..<end)[...], of: images)
                try accumulator.add(probabilities: softmax(network.forward(input)).scalars, labels: labels)
                start = end
                bar.update(start)
            }
            bar.finish()
            return try accumulator.finish()
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
