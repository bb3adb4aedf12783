import ArgumentParser
import DoodleData
import Foundation

/// The options that choose a dataset, shared by every command that reads one (`dataset`, `train`,
/// `eval`): `@OptionGroup var dataset: DatasetArguments`, then `try dataset.load()`.
struct DatasetArguments: ParsableArguments {
    @Option(
        name: .customLong("data"),
        help: ArgumentHelp(
            "A folder of <category>.npy/.ndjson/.bin files, or of MNIST's four IDX files; repeat for more.",
            valueName: "dir"))
    var folders: [String] = []

    @Option(help: "Use the first N categories found, in Google's order.")
    var classes: Int?

    @Option(help: "Use exactly these categories, comma-separated, in this order (label order).")
    var categories: String?

    @Option(help: "Use at most N images per class: the first of its files.")
    var perClass: Int?

    @Option(help: "Leave out categories with fewer than N drawings (all their files together).")
    var minDrawings: Int?

    @Option(help: "The seed of the split, and of training: weights, shuffles, dropout, augmentation.")
    var seed: UInt64 = 0

    @Option(
        help: """
            A category found in several files: merge (use them all, each drawing once), first (the first \
            folder's, then npy, ndjson, bin) or fail.
            """
    )
    var duplicates: DatasetOptions.DuplicatePolicy = .merge

    @Option(help: "Stroke files: auto (decided per file), simplified, or raw (normalised first).")
    var strokes: DatasetOptions.StrokeCoordinates = .auto

    @Option(help: "Where built datasets are cached (default ~/.cache/doodle/datasets).")
    var cacheDir: String?

    @Flag(help: "Build the dataset from its files, neither reading nor writing the cache.")
    var noCache = false

    func validate() throws {
        guard !folders.isEmpty else { throw ValidationError("give at least one --data folder") }
        if classes != nil && categories != nil {
            throw ValidationError("--classes and --categories cannot be combined")
        }
        do {
            try options.validate()
        } catch let error as DataError {
            throw ValidationError(error.problem)
        }
    }

    /// The dataset options these arguments ask for.
    var options: DatasetOptions {
        let selection: DatasetOptions.ClassSelection =
            if let classes { .first(classes) } else if let categories {
                .named(categories.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            } else { .all }
        return DatasetOptions(
            classes: selection, perClass: perClass, minDrawings: minDrawings, seed: seed,
            strokeCoordinates: strokes, duplicates: duplicates)
    }

    /// The cache to use, or nil under `--no-cache`.
    var cache: DatasetCache? {
        guard !noCache else { return nil }
        return cacheDir.map { DatasetCache(directory: URL(fileURLWithPath: $0)) } ?? DatasetCache()
    }

    /// Loads the dataset, from the cache when it can, showing progress while it is built.
    ///
    /// - Returns: the dataset and whether it came from the cache.
    func load() throws -> (dataset: Dataset, fromCache: Bool) {
        let urls = folders.map { URL(fileURLWithPath: $0) }
        let bar = ProgressBox()
        defer { bar.finish() }
        let progress: @Sendable (Int, Int, String) -> Void = { done, total, _ in bar.update(done, total) }
        guard let cache else {
            return (try Dataset.build(from: urls, options: options, progress: progress), false)
        }
        return try cache.load(from: urls, options: options, progress: progress)
    }
}

extension DatasetOptions.DuplicatePolicy: ExpressibleByArgument {}
extension DatasetOptions.StrokeCoordinates: ExpressibleByArgument {}

/// A progress bar made on first use, for the builder's `@Sendable` progress callback. Safe: the
/// builder calls back from one thread at a time, and the lock orders those calls anyway.
private final class ProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?

    func update(_ done: Int, _ total: Int) {
        lock.withLock {
            if bar == nil { bar = ProgressBar("dataset", total: total, unit: "classes") }
            bar?.update(done)
        }
    }

    func finish() { lock.withLock { bar?.finish() } }
}
