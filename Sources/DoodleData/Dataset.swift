import Foundation

/// A dataset ready for training: images split three ways, and the strokes of the images drawn from
/// stroke files, for augmentation.
///
/// Build one from folders of category files (`<category>.npy`, `.ndjson`, `.bin`; the class name is
/// the file name without its extension) or from a folder holding MNIST's four IDX files:
///
/// ```swift
/// let dataset = try Dataset.load(from: [URL(fileURLWithPath: "data/bitmap")],
///                                options: DatasetOptions(classes: .first(10), perClass: 2000))
/// let augmenter = Augmenter(drawings: dataset.drawings.train)
/// ```
public struct Dataset: Sendable, Equatable {
    /// The train, validation and test images.
    public var splits: DatasetSplits
    /// The strokes of each image that came from a stroke file, aligned with `splits`.
    public var drawings: DatasetDrawings

    /// A dataset of `splits`, with the strokes of its stroke-sourced images.
    public init(splits: DatasetSplits, drawings: DatasetDrawings = DatasetDrawings()) {
        precondition(
            drawings.train.isEmpty || drawings.train.count == splits.train.count,
            "need no drawings or one (or nil) per training image")
        precondition(
            drawings.validation.isEmpty || drawings.validation.count == splits.validation.count,
            "need no drawings or one (or nil) per validation image")
        precondition(
            drawings.test.isEmpty || drawings.test.count == splits.test.count,
            "need no drawings or one (or nil) per test image")
        self.splits = splits
        self.drawings = drawings
    }

    /// The class names, in label order.
    public var classes: [String] { splits.train.classes }

    /// Builds the dataset of `folders` from their files, without the cache.
    ///
    /// - Parameters:
    ///   - folders: folders of category files, or one folder with MNIST's four IDX files (gzip or not).
    ///   - options: which classes, how many images of each, the split and its seed.
    ///   - progress: told of each class as it is read, for a progress display.
    /// - Returns: the dataset; the same for the same files and options on every run and machine.
    /// - Throws: `DataError` for missing or unreadable folders and files, unknown class names, a
    ///   category found twice under `DuplicatePolicy.fail`, or bad options.
    public static func build(
        from folders: [URL], options: DatasetOptions = DatasetOptions(),
        progress: (@Sendable (_ done: Int, _ total: Int, _ category: String) -> Void)? = nil
    ) throws -> Dataset {
        try options.validate()
        guard !folders.isEmpty else { throw DataError("dataset", "no data folder given") }
        let mnist = try folders.map { try DatasetFolder.mnistFiles(in: $0) }
        if let files = mnist.first ?? nil {
            guard folders.count == 1 else {
                throw DataError(folders[0].path, "an MNIST folder cannot be combined with other folders")
            }
            return try buildMNIST(files, options: options)
        }
        let files = try DatasetFolder.categoryFiles(in: folders)
        guard !files.isEmpty else {
            let paths = folders.map(\.path).joined(separator: ", ")
            throw DataError(paths, "no category files (.npy, .ndjson, .bin) and no MNIST IDX files")
        }
        let candidates = try choose(files, options: options)
        var perClass: [ClassImages] = []
        var names: [String] = []
        for (index, (name, sources)) in candidates.enumerated() {
            if case .first(let n) = options.classes, names.count == n { break }
            progress?(index, candidates.count, name)
            let images = try ClassImages.read(sources, options: options)
            if let minimum = options.minDrawings, images.count < minimum { continue }
            perClass.append(images)
            names.append(name)
        }
        progress?(candidates.count, candidates.count, "")
        if let minimum = options.minDrawings {
            if case .first(let n) = options.classes, names.count < n {
                throw DataError(
                    "dataset",
                    "asked for \(n) classes but only \(names.count) have at least \(minimum) drawings")
            }
            guard !names.isEmpty else {
                throw DataError("dataset", "no category has at least \(minimum) drawings")
            }
        }
        return split(perClass, classes: names, options: options)
    }

    /// The categories `options` selects, in label order, each with the files to read. Under
    /// `minDrawings`, `.first(n)` gives every category: the builder keeps the first `n` with enough.
    static func choose(
        _ files: [CategoryFile], options: DatasetOptions
    ) throws -> [(name: String, files: [CategoryFile])] {
        var byName: [String: [CategoryFile]] = [:]
        for file in files { byName[file.category, default: []].append(file) }
        let available = byName.keys.sorted { a, b in
            switch (QuickDrawCategories.order[a], QuickDrawCategories.order[b]) {
            case (let x?, let y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a.utf8.lexicographicallyPrecedes(b.utf8)
            }
        }
        let names: [String]
        switch options.classes {
        case .all:
            names = available
        case .first(let n):
            guard n <= available.count else {
                throw DataError(
                    "dataset",
                    "asked for \(n) classes but the folders hold \(available.count): "
                        + available.joined(separator: ", "))
            }
            names = options.minDrawings == nil ? Array(available.prefix(n)) : available
        case .named(let requested):
            let unknown = requested.filter { byName[$0] == nil }
            guard unknown.isEmpty else {
                throw DataError(
                    "dataset",
                    "no files for \(unknown.map { "'\($0)'" }.joined(separator: ", ")); available: "
                        + available.joined(separator: ", "))
            }
            names = requested
        }
        return try names.map { name in
            let sources = byName[name]!
            guard sources.count > 1 else { return (name, sources) }
            switch options.duplicates {
            case .fail:
                throw DataError(
                    "dataset",
                    "category '\(name)' has several files: "
                        + sources.map(\.url.path).joined(separator: ", ")
                        + " (use the duplicates policy 'first' to take the first, or 'merge' to use them all)"
                )
            case .first: return (name, [sources[0]])
            case .merge: return (name, sources)
            }
        }
    }
}

/// The strokes behind the images of a dataset's splits: for each image, its drawing in Google's
/// simplified 0–255 coordinates when it came from a stroke file, nil when it came from a bitmap.
///
/// A split's array is empty when none of its images came from strokes, else it has one entry per image.
public struct DatasetDrawings: Sendable, Equatable {
    /// Per training image.
    public var train: [Drawing?]
    /// Per validation image.
    public var validation: [Drawing?]
    /// Per test image.
    public var test: [Drawing?]

    /// The drawings of the three splits; empty arrays when there are none.
    public init(train: [Drawing?] = [], validation: [Drawing?] = [], test: [Drawing?] = []) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}
