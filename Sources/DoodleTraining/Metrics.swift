/// How well a classifier did on a labelled set: accuracies, per-class results, confusion, calibration,
/// and the worst mistakes, for `doodle eval` and ``EvaluationReport``.
///
/// Build one with ``init(probabilities:labels:classNames:)`` when every probability fits in memory, or
/// with an ``EvaluationAccumulator`` batch by batch when it does not; both give the same value.
///
/// **Ranking ties.** Classes are ranked by probability, highest first, and equal probabilities are
/// ranked by class index, lowest first. So a row of all-equal probabilities predicts class 0, and a
/// true label tied with another class only counts as ranked above it when its index is lower. Top-k,
/// MAP@3, the predicted class in ``confusion`` and the gallery's guesses all use this one ranking.
public struct Evaluation: Codable, Sendable, Equatable {
    /// One class's results.
    public struct ClassResult: Codable, Sendable, Equatable {
        /// The class's name.
        public var name: String
        /// How many examples have this true label.
        public var count: Int
        /// The fraction of them predicted correctly (top-1); 0 when `count` is 0.
        public var accuracy: Double
        /// The fraction of them with the true label among the five highest ranked; 0 when `count` is 0.
        public var top5: Double
    }

    /// A true class and a class it was mistaken for.
    public struct ConfusedPair: Codable, Sendable, Equatable {
        /// The true class's index.
        public var trueClass: Int
        /// The predicted class's index, never equal to `trueClass`.
        public var predictedClass: Int
        /// The true class's name.
        public var trueName: String
        /// The predicted class's name.
        public var predictedName: String
        /// How many examples of `trueClass` were predicted as `predictedClass`.
        public var count: Int
        /// `count` as a fraction of all examples of `trueClass`.
        public var fraction: Double
    }

    /// One of the 15 equal-width bins of top-1 confidence behind the reliability diagram.
    public struct ReliabilityBin: Codable, Sendable, Equatable {
        /// The bin's lower edge (exclusive, except that the first bin also holds confidence 0).
        public var lower: Double
        /// The bin's upper edge (inclusive).
        public var upper: Double
        /// How many examples' top-1 confidence falls in the bin.
        public var count: Int
        /// Their mean top-1 confidence; 0 for an empty bin.
        public var meanConfidence: Double
        /// The fraction of them predicted correctly; 0 for an empty bin.
        public var accuracy: Double
    }

    /// A class the model guessed, with its probability.
    public struct Guess: Codable, Sendable, Equatable {
        /// The class's index.
        public var classIndex: Int
        /// The class's name.
        public var name: String
        /// The probability the model gave it.
        public var probability: Float
    }

    /// A misclassified example for the report's gallery.
    public struct Misclassification: Codable, Sendable, Equatable {
        /// The example's position in the evaluated set (across all batches).
        public var index: Int
        /// Its true class's index.
        public var label: Int
        /// Its true class's name.
        public var labelName: String
        /// The probability the model gave the true class.
        public var trueProbability: Float
        /// The (up to) three highest-ranked classes, first one the prediction.
        public var guesses: [Guess]
    }

    /// The number of examples evaluated.
    public var count: Int
    /// The number of classes, K.
    public var classes: Int
    /// The classes' names, K of them, in index order.
    public var classNames: [String]
    /// The fraction of examples whose true label is ranked first.
    public var top1: Double
    /// The fraction whose true label is among the three highest ranked (1 when K < 3).
    public var top3: Double
    /// The fraction whose true label is among the five highest ranked (1 when K < 5).
    public var top5: Double
    /// Mean average precision at 3, the Quick, Draw! Kaggle metric: each example scores 1, 1/2 or 1/3
    /// when its true label is ranked first, second or third, else 0.
    public var map3: Double
    /// Per-class results, in class-index order.
    public var perClass: [ClassResult]
    /// K × K counts: `confusion[t][p]` examples of true class `t` were predicted as `p`.
    public var confusion: [[Int]]
    /// Up to 20 off-diagonal pairs with the most examples, most first; ties go to the larger fraction,
    /// then the lower true index, then the lower predicted index. Pairs with no examples are left out.
    public var mostConfused: [ConfusedPair]
    /// The expected calibration error over ``reliability``: the count-weighted mean of
    /// |accuracy − mean confidence| over the bins.
    public var expectedCalibrationError: Double
    /// The 15 equal-width top-1 confidence bins, lowest first, empty ones included.
    public var reliability: [ReliabilityBin]
    /// Misclassified examples with the lowest probability on the true class, lowest first (ties by
    /// index); at most the accumulator's gallery capacity, 24 by default.
    public var worstMisclassified: [Misclassification]

    /// Evaluates a whole set at once.
    ///
    /// - Parameters:
    ///   - probabilities: N × K softmax outputs, row-major.
    ///   - labels: N true class indices.
    ///   - classNames: K class names; there must be at least one, and `probabilities.count` must be
    ///     `labels.count * classNames.count`.
    /// - Throws: `TrainingError` when there are no examples, when a label is outside `0..<K` or when a
    ///   row holds a probability that is not finite; each message names the example.
    public init(probabilities: [Float], labels: [Int], classNames: [String]) throws {
        var accumulator = EvaluationAccumulator(classNames: classNames)
        try accumulator.add(probabilities: probabilities, labels: labels)
        self = try accumulator.finish()
    }

    init(
        count: Int, classNames: [String], top1: Double, top3: Double, top5: Double, map3: Double,
        perClass: [ClassResult], confusion: [[Int]], mostConfused: [ConfusedPair],
        expectedCalibrationError: Double, reliability: [ReliabilityBin],
        worstMisclassified: [Misclassification]
    ) {
        self.count = count
        self.classes = classNames.count
        self.classNames = classNames
        self.top1 = top1
        self.top3 = top3
        self.top5 = top5
        self.map3 = map3
        self.perClass = perClass
        self.confusion = confusion
        self.mostConfused = mostConfused
        self.expectedCalibrationError = expectedCalibrationError
        self.reliability = reliability
        self.worstMisclassified = worstMisclassified
    }
}
