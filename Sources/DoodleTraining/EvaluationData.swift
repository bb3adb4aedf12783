import DoodleData
import DoodleNN
import Foundation

/// Which images of a dataset an evaluation scores.
public enum EvaluationSplit: String, Sendable, CaseIterable {
    case test, val, all
}

extension Model {
    /// The images of `folders` to score this model on, labelled with the model's class indices.
    ///
    /// Category folders may hold any subset of the model's classes; categories the model lacks are
    /// left out (`ignoredCategories` names them). A folder of MNIST IDX files gives its test set (or
    /// validation, or all). The split is the training run's when the folders, per-class limit, seed
    /// and duplicate policy are the run's.
    ///
    /// - Parameters:
    ///   - folders: folders of category files, or one MNIST folder.
    ///   - split: the test split, the validation split, or every image.
    ///   - perClass: the per-class limit the model was trained with, so that the split is the same.
    ///   - seed: the split seed the model was trained with.
    ///   - duplicates: the duplicate policy the model was trained with.
    ///   - format: only the images read from files of this format; nil for all.
    ///   - cache: where built datasets are cached; nil to build without it.
    /// - Throws: `TrainingError` when no category is one of the model's; `DataError` for unreadable data.
    public func evaluationImages(
        from folders: [URL], split: EvaluationSplit = .test, perClass: Int? = nil, seed: UInt64 = 0,
        duplicates: DatasetOptions.DuplicatePolicy = .merge, format: CategoryFile.Format? = nil,
        cache: DatasetCache? = DatasetCache()
    ) throws -> LabeledImages {
        let isMNIST = try folders.count == 1 && DatasetFolder.mnistFiles(in: folders[0]) != nil
        var selection = DatasetOptions.ClassSelection.all
        if !isMNIST {
            let present = Set(try DatasetFolder.categoryFiles(in: folders).map(\.category))
            let known = labels.filter(present.contains)
            guard !known.isEmpty else {
                throw TrainingError(
                    "none of the folders' categories is one of the model's \(labels.count) classes (\(labels.prefix(5).joined(separator: ", ")), ...)"
                )
            }
            selection = .named(known)
        }
        let options = DatasetOptions(
            classes: selection, perClass: perClass, seed: seed, duplicates: duplicates)
        let dataset =
            try cache.map { try $0.load(from: folders, options: options).dataset }
            ?? Dataset.build(from: folders, options: options)
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let mapping = try dataset.classes.map { name -> Int in
            guard let i = index[name] else { throw TrainingError("the model has no class '\(name)'") }
            return i
        }
        let s = dataset.splits
        let parts: [LabeledImages]
        switch split {
        case .test: parts = [s.test]
        case .val: parts = [s.validation]
        case .all: parts = [s.train, s.validation, s.test]
        }
        let all = LabeledImages(
            classes: labels, pixels: parts.flatMap(\.pixels),
            labels: parts.flatMap { $0.labels.map { mapping[$0] } },
            origins: parts.flatMap(\.origins))
        guard let format else { return all }
        return all.subset(
            all.origins.indices.filter { CategoryFile.format(ofOrigin: all.origins[$0]) == format })
    }

    /// The folders' categories that are not among the model's classes, in byte order.
    public func ignoredCategories(in folders: [URL]) throws -> [String] {
        guard !(try folders.count == 1 && DatasetFolder.mnistFiles(in: folders[0]) != nil) else { return [] }
        let present = Set(try DatasetFolder.categoryFiles(in: folders).map(\.category))
        return present.subtracting(labels).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Scores the model on `images` (labelled with its class indices), batch by batch.
    ///
    /// - Parameter progress: told how many images are done.
    /// - Throws: `TrainingError` when there are no images.
    public func evaluate(_ images: LabeledImages, progress: (Int) -> Void = { _ in }) throws -> Evaluation {
        let inference = network.inferenceCopy()
        var accumulator = EvaluationAccumulator(classNames: labels)
        var start = 0
        while start < images.count {
            let end = min(start + 512, images.count)
            let (input, batchLabels) = Batches.make(Array(start..<end)[...], of: images)
            try accumulator.add(probabilities: softmax(inference.forward(input)).scalars, labels: batchLabels)
            start = end
            progress(start)
        }
        return try accumulator.finish()
    }
}
