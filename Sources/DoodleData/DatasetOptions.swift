/// How to build a dataset from folders of category files: which classes, how many images of each, and
/// how to split them.
///
/// Every field takes part in the cache key, so two runs with equal options over unchanged files get
/// the same dataset, from the cache the second time.
public struct DatasetOptions: Sendable, Hashable {
    /// Which categories become classes.
    public enum ClassSelection: Sendable, Hashable {
        /// Every category found, in Google's order (`QuickDrawCategories.all`), then unknown names
        /// in byte order.
        case all
        /// The first `n` categories found, in the order of `.all`.
        case first(Int)
        /// Exactly these categories, in this order (label `i` is `names[i]`).
        case named([String])
    }

    /// How stroke files (ndjson, `.bin`) are read.
    public enum StrokeCoordinates: String, Sendable, Hashable, CaseIterable {
        /// Decide per file: a file is simplified when every drawing in it has no times and only whole
        /// coordinates in 0...255; otherwise every drawing of the file is normalised first.
        case auto
        /// Every drawing is already in Google's simplified 0–255 coordinates.
        case simplified
        /// Every drawing is normalised to simplified coordinates first.
        case raw
    }

    /// What to do when one category has files in several folders or formats.
    public enum DuplicatePolicy: String, Sendable, Hashable, CaseIterable {
        /// Stop with an error that names the files.
        case fail
        /// Use the first file: folders in the order given, and in a folder `.npy`, then `.ndjson`,
        /// then `.bin`.
        case first
        /// Use them all, one after another in that order (`perClass` then limits the total). A drawing
        /// whose 28×28 image an earlier file of the category already holds is left out, so the same
        /// drawing given as a bitmap and as strokes is used once and cannot land in two splits.
        case merge
    }

    /// Which categories become classes; `.all` by default.
    public var classes: ClassSelection
    /// At most this many images per class: the first rows or drawings of its files, in file order.
    public var perClass: Int?
    /// Categories with fewer images than this (all of their files together) are left out; nil keeps
    /// every category.
    public var minDrawings: Int?
    /// The fraction of each class for validation (0.1: `count / 10` images).
    public var validationFraction: Double
    /// The fraction of each class for testing (0.1: `count / 10` images).
    public var testFraction: Double
    /// The seed of the per-class shuffle before the split.
    public var seed: UInt64
    /// How stroke files are read.
    public var strokeCoordinates: StrokeCoordinates
    /// What to do with a category found more than once.
    public var duplicates: DuplicatePolicy
    /// Whether a malformed ndjson line is skipped or stops the build.
    public var onMalformedLine: MalformedLinePolicy

    /// Options for a dataset; the defaults split every category 80/10/10 with seed 0, as
    /// `../shared/peers/torch_train.py` does, and merge a category's files.
    ///
    /// - Parameters:
    ///   - classes: which categories become classes.
    ///   - perClass: at most this many images per class, the first of its files; nil for all.
    ///   - minDrawings: leave out categories with fewer images than this; nil for none.
    ///   - validationFraction: the share of each class for validation, 0 ..< 1.
    ///   - testFraction: the share of each class for testing, 0 ..< 1; with validation below 1.
    ///   - seed: the seed of the shuffle.
    ///   - strokeCoordinates: whether stroke files are simplified, raw, or decided per file.
    ///   - duplicates: what to do with a category found in several files.
    ///   - onMalformedLine: skip or fail on a malformed ndjson line.
    public init(
        classes: ClassSelection = .all, perClass: Int? = nil, minDrawings: Int? = nil,
        validationFraction: Double = 0.1, testFraction: Double = 0.1, seed: UInt64 = 0,
        strokeCoordinates: StrokeCoordinates = .auto, duplicates: DuplicatePolicy = .merge,
        onMalformedLine: MalformedLinePolicy = .fail
    ) {
        self.classes = classes
        self.perClass = perClass
        self.minDrawings = minDrawings
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
        self.strokeCoordinates = strokeCoordinates
        self.duplicates = duplicates
        self.onMalformedLine = onMalformedLine
    }

    /// Checks the numbers.
    ///
    /// - Throws: `DataError` when a count is not positive or the fractions do not leave room for
    ///   training.
    public func validate() throws {
        if case .first(let n) = classes, n < 1 {
            throw DataError("options", "the number of classes must be at least 1, not \(n)")
        }
        if case .named(let names) = classes {
            guard !names.isEmpty else { throw DataError("options", "the list of classes is empty") }
            let repeated = Set(names.filter { name in names.filter { $0 == name }.count > 1 })
            guard repeated.isEmpty else {
                throw DataError(
                    "options", "classes named twice: \(repeated.sorted().joined(separator: ", "))")
            }
        }
        if let perClass, perClass < 1 {
            throw DataError("options", "the images per class must be at least 1, not \(perClass)")
        }
        if let minDrawings, minDrawings < 1 {
            throw DataError(
                "options", "the minimum drawings per category must be at least 1, not \(minDrawings)")
        }
        guard (0..<1).contains(validationFraction), (0..<1).contains(testFraction),
            validationFraction + testFraction < 1
        else {
            throw DataError(
                "options",
                "validation (\(validationFraction)) and test (\(testFraction)) fractions must be in 0..<1 "
                    + "and leave some images for training")
        }
    }

    /// The options as stable text, for the cache key.
    var keyText: String {
        let selection =
            switch classes {
            case .all: "all"
            case .first(let n): "first \(n)"
            case .named(let names): "named " + names.map { "\"\($0)\"" }.joined(separator: ",")
            }
        return [
            "classes=\(selection)", "perClass=\(perClass.map(String.init) ?? "all")",
            "minDrawings=\(minDrawings.map(String.init) ?? "none")",
            "validation=\(validationFraction)", "test=\(testFraction)", "seed=\(seed)",
            "strokes=\(strokeCoordinates.rawValue)", "duplicates=\(duplicates.rawValue)",
            "malformed=\(onMalformedLine == .skip ? "skip" : "fail")",
        ].joined(separator: "\n")
    }
}
