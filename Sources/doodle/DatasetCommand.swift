import ArgumentParser
import DoodleData
import DoodleNN
import DoodleTraining
import Foundation

extension Doodle {
    /// `doodle dataset`: show a dataset (the default), or audit its files.
    struct DatasetCommands: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dataset", abstract: "Build and show a dataset, or audit its files with a model.",
            subcommands: [DatasetInfo.self, DatasetAudit.self], defaultSubcommand: DatasetInfo.self)
    }

    /// Builds (or loads from the cache) a dataset and describes it.
    struct DatasetInfo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract:
                "Build or load a dataset and show its classes, per-category counts by format, and splits.",
            discussion: """
                Uses the same options as train and eval, so running it first fills the cache they
                read. --augment-speed also times the augmenter on one thread.
                """)

        @Flag(help: "Leave out the per-category table.")
        var noTable = false

        @OptionGroup var dataset: DatasetArguments

        @Flag(help: "Time augmentation (images per second on one thread) of bitmap and stroke images.")
        var augmentSpeed = false

        func run() async throws {
            let start = Date()
            let (data, fromCache) = try dataset.load()
            let seconds = Date().timeIntervalSince(start)
            let splits = [
                ("train", data.splits.train), ("validation", data.splits.validation),
                ("test", data.splits.test),
            ]
            let classes = data.classes
            if !noTable { print(Self.countTable(data)) }
            print(
                "\(classes.count) classes: \(classes.prefix(8).joined(separator: ", "))\(classes.count > 8 ? ", ..." : "")"
            )
            for (name, images) in splits {
                let counts = images.countsPerClass
                print("\(name): \(images.count) images, \(counts.min() ?? 0)-\(counts.max() ?? 0) per class")
            }
            let strokes = data.drawings.train.count { $0 != nil }
            print("training images from strokes: \(strokes) of \(data.splits.train.count)")
            print(String(format: "loaded in %.3f s (%@)", seconds, fromCache ? "from the cache" : "built"))
            if augmentSpeed { measureAugmentation(data) }
        }

        /// One line per class: its images from each format, its total and its split, then the totals.
        static func countTable(_ data: Dataset) -> String {
            let parts = [data.splits.train, data.splits.validation, data.splits.test]
            let formats = CategoryFile.Format.allCases
            var byFormat = [[Int]](
                repeating: [Int](repeating: 0, count: formats.count), count: data.classes.count)
            var bySplit = [[Int]](repeating: [0, 0, 0], count: data.classes.count)
            for (p, part) in parts.enumerated() {
                for (label, origin) in zip(part.labels, part.origins) {
                    bySplit[label][p] += 1
                    if let f = CategoryFile.format(ofOrigin: origin) {
                        byFormat[label][formats.firstIndex(of: f)!] += 1
                    }
                }
            }
            let used = formats.indices.filter { f in byFormat.contains { $0[f] > 0 } }
            let width = max(8, data.classes.map(\.count).max() ?? 0)
            func row(_ name: String, _ cells: [String]) -> String {
                name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + cells.map { String(repeating: " ", count: max(0, 8 - $0.count)) + $0 }.joined()
            }
            var lines = [
                row("category", used.map { formats[$0].rawValue } + ["total", "train", "val", "test"])
            ]
            for (label, name) in data.classes.enumerated() {
                let total = bySplit[label].reduce(0, +)
                lines.append(
                    row(
                        name,
                        used.map { String(byFormat[label][$0]) } + ([total] + bySplit[label]).map(String.init)
                    ))
            }
            let sums = used.map { f in byFormat.map { $0[f] }.reduce(0, +) }
            let splits = (0..<3).map { p in bySplit.map { $0[p] }.reduce(0, +) }
            lines.append(row("all", (sums + [splits.reduce(0, +)] + splits).map(String.init)))
            return lines.joined(separator: "\n")
        }

        /// Prints augmentation throughput on one thread for bitmap-sourced and stroke-sourced images.
        func measureAugmentation(_ data: Dataset) {
            let train = data.splits.train
            let augmenter = Augmenter(drawings: data.drawings.train)
            let kinds = [
                (
                    "bitmap",
                    (0..<train.count).filter { data.drawings.train.isEmpty || data.drawings.train[$0] == nil }
                ),
                (
                    "strokes",
                    (0..<train.count).filter {
                        !data.drawings.train.isEmpty && data.drawings.train[$0] != nil
                    }
                ),
            ]
            var output = [UInt8](repeating: 0, count: train.side * train.side)
            for (kind, indices) in kinds where !indices.isEmpty {
                var generator = SplitMix64(seed: 1)
                let count = min(indices.count, kind == "bitmap" ? 100_000 : 20_000)
                let start = Date()
                output.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<count {
                        augmenter.augment(
                            indices[i % indices.count], of: train, into: buffer, generator: &generator)
                    }
                }
                let rate = Double(count) / Date().timeIntervalSince(start)
                print(String(format: "augmentation, %@ images: %.0f images/s on one thread", kind, rate))
            }
        }
    }
}

extension Doodle {
    /// `doodle dataset audit`: the category files a model mostly calls something else.
    struct DatasetAudit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Flag category files whose drawings a model mostly assigns to another class.",
            discussion: """
                Classifies every drawing of each file of the --data folders on its own, and flags a file
                when the model's most frequent answer for it is another class, given more often than the
                file's own name. A file of alarm clocks named clock.npy is flagged as "mostly alarm clock".
                Files with fewer than --min-drawings drawings (10) are counted but not judged.
                A model that trained on a mislabelled file has learnt its label, so audit with a model
                trained on other data, or on part of it. Files of categories the model lacks are counted
                but cannot be audited. Exits with status 1 when a file is flagged.
                """)

        @Option(help: "A model file, or the name of a shipped model (doodles, doodles-345).")
        var model = "doodles-345"

        @Option(
            name: .customLong("data"),
            help: ArgumentHelp("A folder of category files; repeat for several.", valueName: "dir"))
        var folders: [String] = []

        @Option(help: "At most this many drawings of each file.")
        var limit: Int?

        @Option(
            help: "Judge only files with at least this many drawings (one drawing's mistake is no evidence).")
        var minDrawings = 10

        @Flag(help: "Print every audited file, not only the flagged ones.")
        var all = false

        @Option(help: "Threads for the engine.")
        var threads = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            guard !folders.isEmpty else { throw ValidationError("give at least one --data folder") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if minDrawings < 1 { throw ValidationError("--min-drawings must be at least 1") }
        }

        func run() async throws {
            doodleThreadCount = threads
            let model = try ModelLocator.load(model)
            var bar: ProgressBar?
            let audits = try model.audit(folders.map { URL(fileURLWithPath: $0) }, limit: limit) {
                done, total in
                if bar == nil { bar = ProgressBar("audit", total: total, unit: "files") }
                bar?.update(done)
            }
            bar?.finish()
            let audited = audits.filter { $0.known && $0.drawings >= minDrawings }
            let small = audits.filter { $0.known && $0.drawings < minDrawings }.count
            let flagged = audited.filter(\.isSuspect).sorted { $0.ownShare < $1.ownShare }
            for audit in all ? audited : flagged {
                let others = audit.predicted.filter { $0.name != audit.file.category }.prefix(2)
                    .map { String(format: "%@ %.0f%%", $0.name, $0.share * 100) }.joined(separator: ", ")
                print(
                    String(
                        format: "%@ %@: %d drawings, %.0f%% %@; %@", audit.isSuspect ? "FLAG" : "ok  ",
                        audit.file.url.path, audit.drawings, audit.ownShare * 100, audit.file.category,
                        others.isEmpty ? "nothing else" : others))
            }
            let unknown = audits.count { !$0.known }
            print(
                "audited \(audited.count) files (\(audited.map(\.drawings).reduce(0, +)) drawings); "
                    + "flagged \(flagged.count)"
                    + (small > 0
                        ? "; \(small) files with fewer than \(minDrawings) drawings were not judged" : "")
                    + (unknown > 0 ? "; \(unknown) files of categories the model lacks were not audited" : "")
            )
            if !flagged.isEmpty { throw ExitCode(1) }
        }
    }
}
