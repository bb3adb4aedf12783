import Foundation

extension DatasetCache {
    /// The dataset stored at `entry`, checked against `key`.
    ///
    /// - Throws: `DataError` (or a Foundation error) when the entry is missing, of another key or
    ///   version, or damaged in any way the checks can see; the caller then rebuilds it.
    func read(_ entry: URL, key: String) throws -> Dataset {
        let metaData = try Data(contentsOf: entry.appendingPathComponent("meta.json"))
        let meta = try JSONDecoder().decode(Meta.self, from: metaData)
        guard meta.version == Self.formatVersion, meta.key == key, meta.counts.count == 3,
            meta.drawingCounts.count == 3
        else { throw DataError(entry.path, "the entry is of another key or version") }
        var splits: [LabeledImages] = []
        var drawings: [[Drawing?]] = []
        for (index, name) in Self.splitNames.enumerated() {
            let count = meta.counts[index]
            splits.append(try readSplit(name, count: count, classes: meta.classes, in: entry))
            let drawingCount = meta.drawingCounts[index]
            drawings.append(
                drawingCount > 0
                    ? try readDrawings(name, count: count, expected: drawingCount, in: entry) : [])
        }
        return Dataset(
            splits: DatasetSplits(train: splits[0], validation: splits[1], test: splits[2]),
            drawings: DatasetDrawings(train: drawings[0], validation: drawings[1], test: drawings[2]))
    }

    private func readSplit(_ name: String, count: Int, classes: [String], in entry: URL) throws
        -> LabeledImages
    {
        let pixels = try NpyArray(contentsOf: url(entry, name, ".npy"))
        guard pixels.dtype == .uint8, pixels.shape == [count, 784] else {
            throw DataError(pixels.file, "shape \(pixels.shape), expected [\(count), 784]")
        }
        let labelArray = try NpyArray(contentsOf: url(entry, name, "-labels.npy"))
        guard labelArray.dtype == .float32, labelArray.shape == [count] else {
            throw DataError(labelArray.file, "shape \(labelArray.shape), expected [\(count)]")
        }
        let labels = labelArray.floats().map { Int(exactly: $0) ?? -1 }
        guard labels.allSatisfy({ $0 >= 0 && $0 < classes.count }) else {
            throw DataError(labelArray.file, "a label is out of range")
        }
        let text = try String(contentsOf: url(entry, name, "-origins.txt"), encoding: .utf8)
        let origins =
            count == 0 ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard origins.count == count else {
            throw DataError(entry.path, "\(origins.count) origins for \(count) images")
        }
        return LabeledImages(classes: classes, pixels: pixels.bytes(), labels: labels, origins: origins)
    }

    private func readDrawings(_ name: String, count: Int, expected: Int, in entry: URL) throws -> [Drawing?] {
        var drawings = [Drawing?](repeating: nil, count: count)
        let stored = try QuickDrawBinary.read(from: url(entry, name, ".bin"))
        guard stored.count == expected else {
            throw DataError(entry.path, "\(name).bin has \(stored.count) drawings, expected \(expected)")
        }
        for drawing in stored {
            guard let index = drawing.keyID.flatMap({ Int($0) }), index < count, drawings[index] == nil else {
                throw DataError(entry.path, "a drawing of \(name).bin has a bad image index")
            }
            drawings[index] = Drawing(strokes: drawing.strokes)
        }
        return drawings
    }
}

extension Dataset {
    /// The dataset of `folders` and `options`, from `cache` when it holds it, else built and stored
    /// there; see `DatasetCache` and `build(from:options:progress:)`.
    ///
    /// - Parameters:
    ///   - folders: folders of category files, or one MNIST folder.
    ///   - options: which classes, how many of each, the split and its seed.
    ///   - cache: where built datasets are kept; nil to build every time.
    ///   - progress: told of each class as it is read, when the dataset is built.
    /// - Throws: `DataError` when the dataset cannot be built.
    public static func load(
        from folders: [URL], options: DatasetOptions = DatasetOptions(),
        cache: DatasetCache? = DatasetCache(),
        progress: (@Sendable (_ done: Int, _ total: Int, _ category: String) -> Void)? = nil
    ) throws -> Dataset {
        guard let cache else { return try build(from: folders, options: options, progress: progress) }
        return try cache.load(from: folders, options: options, progress: progress).dataset
    }
}
