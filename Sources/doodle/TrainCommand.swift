import ArgumentParser
import DoodleData
import DoodleNN
import DoodleTraining
import Foundation

extension Doodle {
    /// Trains a model from the command line.
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a CNN on a dataset and save the best-by-validation model.",
            discussion: """
                Checkpoints go to --checkpoints (default: OUT's name + .checkpoints) after every epoch, on
                Ctrl-C, every --checkpoint-minutes (default 10) and, if given, every --checkpoint-every
                steps; --resume continues from the newest one, mid-epoch or not, and ends with the same
                model as an unbroken run (with no checkpoint yet it starts from the beginning). Each
                epoch's numbers are appended to --log (default: OUT's name + .jsonl).

                --from MODEL fine-tunes a trained model (a shipped name or a .safetensors file): its
                architecture and weights are the start, its classes come first in its order, and every
                category of --data it lacks (or only those --categories names) is added as a new class.
                The data must hold every class the model keeps (give the folders it was trained on, which
                its metadata records, beside the new drawings), so that it learns the new without
                forgetting the old; a lower --lr and a few epochs suit it.
                """)

        @OptionGroup var dataset: DatasetArguments

        @Option(help: "Architecture: small, medium, mnist, deep, compact, or a JSON spec file.")
        var arch = "small"

        @Option(help: "Fine-tune this model (a shipped name or a .safetensors file) instead of a new one.")
        var from: String?

        @Option(help: "Epochs to train.")
        var epochs = 10

        @Option(help: "Batch size.")
        var batch = 256

        @Option(help: "Peak (one-cycle) or initial learning rate.")
        var lr: Float = 0.003

        @Option(help: "Optimizer: adamw or sgd (Nesterov momentum 0.9).")
        var optimizer: TrainingConfiguration.OptimizerKind = .adamw

        @Option(help: "Learning-rate schedule: onecycle, cosine (with warm-up), step or constant.")
        var schedule: TrainingConfiguration.ScheduleKind = .onecycle

        @Option(help: "Weight decay (decoupled for AdamW).")
        var weightDecay: Float = 0

        @Option(help: "Label smoothing of the cross-entropy loss.")
        var labelSmoothing: Float = 0

        @Flag(help: "Augment training images with small random shifts, rotations and scaling.")
        var augment = false

        @Option(
            help: """
                How often each class comes up in an epoch: natural (every image once), sqrt (in \
                proportion to the square root of its count) or balanced (equally).
                """)
        var sampling: TrainingConfiguration.ClassSampling = .natural

        @Option(
            help: ArgumentHelp(
                "The validation top-1 a class needs to be a game word (kept in the model's metadata).",
                valueName: "fraction"))
        var gameThreshold = 0.8

        @Flag(
            inversion: .prefixedNo,
            help:
                "Keep a list of game words in the model; --no-game marks the model as never used for the game."
        )
        var game = true

        @Flag(
            inversion: .prefixedNo,
            help:
                "Make the next batches on a background thread while a step computes (same model either way).")
        var prefetch = true

        @Option(help: "Threads for the engine.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        @Option(help: "Where to write the model (.safetensors).")
        var out: String

        @Option(help: "Checkpoint folder.")
        var checkpoints: String?

        @Option(help: "How many of the newest checkpoints to keep.")
        var keep = 2

        @Option(
            help: ArgumentHelp(
                "Also checkpoint after every STEPS optimizer steps (counted from the run's start).",
                valueName: "steps"))
        var checkpointEvery: Int?

        @Option(help: "Also checkpoint when this many minutes have passed since the last one; 0 for never.")
        var checkpointMinutes: Double = 10

        @Flag(help: "Continue from the newest checkpoint.")
        var resume = false

        @Option(help: "The metrics log (JSON lines, one per epoch).")
        var log: String?

        @Option(
            help: ArgumentHelp(
                "Also write TensorBoard event files here: loss and learning rate per step, accuracy per epoch.",
                valueName: "dir"))
        var tensorboard: String?

        @Option(help: "How input is made for this model: quickdraw or mnist (default: from the data).")
        var preprocessing: String?

        func validate() throws {
            guard epochs > 0, batch > 0, lr > 0, threads > 0, keep > 0 else {
                throw ValidationError("--epochs, --batch, --lr, --threads and --keep must be positive")
            }
            if let checkpointEvery, checkpointEvery <= 0 {
                throw ValidationError("--checkpoint-every must be positive")
            }
            guard checkpointMinutes >= 0 && checkpointMinutes.isFinite else {
                throw ValidationError("--checkpoint-minutes must be 0 (never) or more")
            }
            guard (0...1).contains(gameThreshold) else {
                throw ValidationError("--game-threshold must be a fraction in [0, 1]")
            }
            guard labelSmoothing >= 0 && labelSmoothing < 1 else {
                throw ValidationError("--label-smoothing must be in [0, 1)")
            }
            _ = try spec()
        }

        func spec() throws -> ArchitectureSpec {
            if let named = ArchitectureSpec.named[arch] { return named }
            guard FileManager.default.fileExists(atPath: arch) else {
                throw ValidationError(
                    "unknown architecture '\(arch)': use small, medium, mnist, deep or a JSON spec file")
            }
            do {
                return try JSONDecoder().decode(
                    ArchitectureSpec.self, from: Data(contentsOf: URL(fileURLWithPath: arch)))
            } catch {
                throw ValidationError("\(arch) is not an architecture spec: \(error)")
            }
        }

        var outURL: URL { URL(fileURLWithPath: out) }
        var stem: String { outURL.deletingPathExtension().path }

        func run() async throws {
            doodleThreadCount = threads
            // Before the data loads and the hours of training: the model must be writable at the end.
            try ensureWritableFolder(outURL.deletingLastPathComponent(), for: "the model")
            let start = try from.map { try ModelLocator.load($0) }
            var dataset = self.dataset
            if let start { try Self.fineTuning(start, name: from!, dataset: &dataset) }
            let (data, _) = try dataset.load()
            let splits = data.splits
            let configuration = TrainingConfiguration(
                spec: try start?.spec ?? spec(), epochs: epochs, batchSize: batch, learningRate: lr,
                optimizer: optimizer,
                schedule: schedule, weightDecay: weightDecay, labelSmoothing: labelSmoothing,
                augment: augment, seed: dataset.seed, sampling: sampling)
            let trainer = try Trainer(
                configuration: configuration, train: splits.train, validation: splits.validation,
                augmenter: augment ? Augmenter(drawings: data.drawings.train) : nil)
            let store = try CheckpointStore(
                directory: URL(fileURLWithPath: checkpoints ?? stem + ".checkpoints"), keep: keep)
            trainer.checkpoints = store
            trainer.checkpointEverySteps = checkpointEvery
            trainer.checkpointInterval = checkpointMinutes > 0 ? .seconds(checkpointMinutes * 60) : nil
            trainer.prefetch = prefetch
            if let start {
                guard Array(data.classes.prefix(start.labels.count)) == start.labels else {
                    throw ValidationError(
                        "--from \(from!): the dataset left out some of the model's classes (--min-drawings?)")
                }
                do {
                    try trainer.network.start(from: start)
                } catch let error as TrainingError {
                    throw ValidationError("--from \(from!): \(error.description)")
                }
                let added = data.classes.count - start.labels.count
                print("fine-tuning \(from!): its \(start.labels.count) classes, and \(added) new")
            }
            let logURL = URL(fileURLWithPath: log ?? stem + ".jsonl")
            if resume, let latest = try store.latest() {
                try trainer.resume(from: latest)
                print(
                    "resuming from \(latest.lastPathComponent): epoch \(trainer.history.count + 1), step \(trainer.step)"
                )
            } else {
                if resume {
                    FileHandle.standardError.write(
                        Data(
                            "--resume: no checkpoint in \(store.directory.path) yet; starting from the beginning\n"
                                .utf8))
                }
                try? FileManager.default.removeItem(at: logURL)
            }
            let interrupt = InterruptFlag()
            trainer.shouldStop = { interrupt.isSet }
            let steps = configuration.stepsPerEpoch(trainCount: splits.train.count)
            var bar: ProgressBar?
            let board = try tensorboard.map { try TensorBoardWriter(directory: URL(fileURLWithPath: $0)) }
            var boardFailed = false
            /// Adds scalars to the TensorBoard file; a failure is told once and training goes on.
            func chart(_ scalars: [(tag: String, value: Double)], step: Int) {
                guard let board, !boardFailed else { return }
                do {
                    try board.add(scalars, step: step)
                } catch {
                    boardFailed = true
                    print("warning: \(error); training goes on without TensorBoard")
                }
            }
            if let board { print("TensorBoard: \(board.url.path)") }
            // Not on a terminal (a CI log, a pipe to a collector): JSON lines on standard output too, an
            // object a line, beside the progress bar's plain lines on standard error.
            let events = isatty(STDOUT_FILENO) == 0 ? TrainingEvents() : nil
            var lastEvent = ContinuousClock.now
            trainer.onProgress = { p in
                if let events, ContinuousClock.now - lastEvent >= .seconds(10) || p.batch == steps {
                    lastEvent = .now
                    events.emit(
                        "progress",
                        [
                            "epoch": p.epoch, "batch": p.batch, "batches": p.batches, "step": p.step,
                            "loss": p.loss,
                            "accuracy": p.accuracy, "images_per_second": p.imagesPerSecond,
                            "learning_rate": Double(p.learningRate),
                        ])
                }
                chart(
                    [("train/loss", p.stepLoss), ("train/learning_rate", Double(p.learningRate))],
                    step: p.step)
                if bar == nil || p.batch == 1 {
                    bar = ProgressBar("epoch \(p.epoch)/\(p.epochs)", total: steps, unit: "batches")
                }
                bar?.update(
                    p.batch,
                    String(format: "loss %.3f acc %.3f %.0f img/s", p.loss, p.accuracy, p.imagesPerSecond))
            }
            let log = try TrainingLogWriter(appendingTo: logURL)
            trainer.onEpoch = { r in
                bar?.finish(
                    String(
                        format: "epoch %d: train loss %.4f acc %.4f | val loss %.4f top-1 %.4f top-5 %.4f",
                        r.epoch, r.trainLoss, r.trainTop1, r.valLoss ?? .nan, r.valTop1 ?? .nan,
                        r.valTop5 ?? .nan))
                bar = nil
                do { try log.append(r) } catch { print("warning: cannot write \(logURL.path): \(error)") }
                if let events, let line = try? TrainingLog.line(for: r),
                    let record = try? JSONSerialization.jsonObject(with: Data(line.utf8))
                {
                    events.emit("epoch", ["record": record])
                }
                var scalars: [(tag: String, value: Double)] = [
                    ("epoch/train_loss", r.trainLoss), ("epoch/train_top1", r.trainTop1),
                    ("epoch/images_per_second", r.imagesPerSecond),
                ]
                if let loss = r.valLoss, let top1 = r.valTop1, let top5 = r.valTop5 {
                    scalars += [("epoch/val_loss", loss), ("epoch/val_top1", top1), ("epoch/val_top5", top5)]
                }
                chart(scalars, step: r.step)
            }
            let finished = try trainer.run()
            guard finished else {
                bar?.finish()
                print("stopped: checkpoint saved in \(store.directory.path); continue with --resume")
                throw ExitCode(130)
            }
            guard let best = trainer.best else { throw ValidationError("training ended without an epoch") }
            let isMNIST = data.classes == Dataset.mnistClasses
            let options = dataset.options
            var summary = [
                "epochs": String(epochs), "train_images": String(splits.train.count),
                "test_images": String(splits.test.count), "split_seed": String(dataset.seed),
                "per_class": dataset.perClass.map(String.init) ?? "all",
                "duplicates": options.duplicates.rawValue, "strokes": options.strokeCoordinates.rawValue,
                "sampling": sampling.rawValue,
                "command": PortableCommandLine.record(
                    CommandLine.arguments, workingDirectory: FileManager.default.currentDirectoryPath),
            ]
            if let from {
                // A shipped model's name as it is; a file's path relative to where the run was.
                summary["fine_tuned_from"] =
                    FileManager.default.fileExists(atPath: from)
                    ? PortableCommandLine.relativePath(
                        URL(fileURLWithPath: from).path,
                        workingDirectory: FileManager.default.currentDirectoryPath)
                    : from
            }
            summary["data"] = try Self.json(
                dataset.folders.map {
                    PortableCommandLine.relativePath(
                        URL(fileURLWithPath: $0).path,
                        workingDirectory: FileManager.default.currentDirectoryPath)
                })
            let model = try trainer.bestModel(
                labels: data.classes, preprocessing: preprocessing ?? (isMNIST ? "mnist" : "quickdraw"),
                summary: summary)
            if splits.validation.count > 0 {
                // Which words a player can be asked to draw: those the model knows well enough.
                let perClass = try model.evaluate(splits.validation).perClass
                model.training["val_top1_per_class"] = try Self.json(
                    Dictionary(
                        uniqueKeysWithValues: perClass.map { ($0.name, ($0.accuracy * 1e4).rounded() / 1e4) })
                )
                if game {
                    model.training["game_words"] = try Self.json(
                        perClass.filter { $0.count > 0 && $0.accuracy >= gameThreshold }.map(\.name))
                    model.training["game_threshold"] = String(gameThreshold)
                }
            }
            do {
                try model.write(to: outURL)
            } catch {
                throw TrainingError(
                    "\(error); the finished run's checkpoint is in \(store.directory.path), so --resume writes the model without training again"
                )
            }
            if let words = model.gameWords {
                print(
                    "game words (validation top-1 ≥ \(gameThreshold)): \(words.count) of \(model.labels.count)"
                )
            }
            events?.emit(
                "saved",
                [
                    "out": out, "best_epoch": best.epoch, "val_top1": best.valTop1 ?? 0,
                    "val_top5": best.valTop5 ?? 0,
                ])
            print(
                "saved \(out): best epoch \(best.epoch), validation top-1 \(String(format: "%.4f", best.valTop1 ?? 0)), top-5 \(String(format: "%.4f", best.valTop5 ?? 0))"
            )
        }
    }
}

extension TrainingConfiguration.OptimizerKind: ExpressibleByArgument {}
extension TrainingConfiguration.ScheduleKind: ExpressibleByArgument {}
extension TrainingConfiguration.ClassSampling: ExpressibleByArgument {}

extension Doodle.Train {
    /// Makes `dataset` choose the classes fine-tuning `model` needs: the model's, in its order, then
    /// every other category of the folders.
    ///
    /// - Throws: `ValidationError` when the folders lack some of the model's classes.
    static func fineTuning(_ model: Model, name: String, dataset: inout DatasetArguments) throws {
        guard dataset.classes == nil else {
            throw ValidationError(
                "--from keeps the model's classes: drop --classes (--categories names new ones)")
        }
        let urls = dataset.folders.map { URL(fileURLWithPath: $0) }
        let present = try DatasetFolder.categoryFiles(in: urls).map(\.category)
        let known = Set(model.labels)
        let missing = model.labels.filter { !present.contains($0) }
        guard missing.isEmpty else {
            let folders = model.training["data"] ?? "the folders it was trained on"
            throw ValidationError(
                "--from \(name): the data has no drawings of \(missing.count) of its classes "
                    + "(\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : "")); "
                    + "give the folders it was trained on too: \(folders)")
        }
        var added: [String]
        if let categories = dataset.categories {
            added = categories.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if let old = added.first(where: known.contains) {
                throw ValidationError(
                    "--categories names the new classes; '\(old)' is already one of the model's")
            }
        } else {
            var seen = Set<String>()
            added = present.filter { !known.contains($0) && seen.insert($0).inserted }
        }
        dataset.categories = (model.labels + added).joined(separator: ",")
    }

    /// `value` as compact JSON with sorted keys, for a string field of the model's metadata.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Training's JSON lines: `{"event": NAME, "time": ISO 8601, ...fields}`, one object a line on standard
/// output, for log collectors.
struct TrainingEvents {
    func emit(_ event: String, _ fields: [String: Any]) {
        var object = fields
        object["event"] = event
        object["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        guard let line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return
        }
        print(String(decoding: line, as: UTF8.self))
    }
}
