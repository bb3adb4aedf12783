import DoodleData
import DoodleEngine
import DoodleNN
import Foundation

/// How well words taught from a few drawings are recognised, and what teaching them costs the classes
/// the model was trained on.
public struct TeachingEvaluation: Sendable, Codable {
    /// One taught word's figures.
    public struct Word: Sendable, Codable {
        /// The word.
        public var word: String
        /// How many further drawings of it were scored.
        public var count: Int
        /// The fraction of them whose first guess is the word.
        public var top1: Double
        /// The fraction with the word among the first five guesses.
        public var top5: Double
    }

    /// The drawings each word was taught from.
    public var shots: Int
    /// Each taught word, in the order taught.
    public var words: [Word]
    /// Top-1 over every further drawing of the taught words, among all classes and taught words.
    public var taughtTop1: Double
    /// Top-5 over the same drawings.
    public var taughtTop5: Double
    /// How many drawings of the model's own classes were scored.
    public var originalCount: Int
    /// Top-1 on the model's own classes before teaching.
    public var originalTop1Before: Double
    /// Top-1 on the model's own classes with the words taught.
    public var originalTop1After: Double
    /// Top-5 on the model's own classes before teaching.
    public var originalTop5Before: Double
    /// Top-5 on the model's own classes with the words taught.
    public var originalTop5After: Double
}

extension Model {
    /// Penultimate features and output logits of every image, in batches of 512.
    public func featuresAndLogits(of images: LabeledImages) -> (
        features: [Float], logits: [Float], width: Int
    ) {
        let inference = network.inferenceCopy()
        var features: [Float] = []
        var logits: [Float] = []
        var width = 0
        var start = 0
        while start < images.count {
            let end = min(start + 512, images.count)
            let (input, _) = Batches.make(Array(start..<end)[...], of: images)
            let (f, l) = inference.forwardWithFeatures(input)
            width = f.shape[1]
            features += f.scalars
            logits += l.scalars
            start = end
        }
        return (features, logits, width)
    }

    /// Teaches the words of `teach` (its classes, all new to the model) from its drawings, then scores
    /// the further drawings of `test` (the same classes) and the model's own `original` drawings
    /// (labelled with its class indices), before and after.
    ///
    /// - Throws: `TeachingError` when the model cannot learn words or a word has no drawings to learn from.
    public func evaluateTeaching(
        teach: LabeledImages, test: LabeledImages, original: LabeledImages,
        scale: Float = WordImprinter.defaultScale, biasOffset: Float = WordImprinter.defaultBiasOffset
    ) throws -> TeachingEvaluation {
        let imprinter = try WordImprinter(network: network, scale: scale, biasOffset: biasOffset)
        let taughtFeatures = featuresAndLogits(of: teach)
        let width = taughtFeatures.width
        var words: [TaughtWord] = []
        for (index, word) in teach.classes.enumerated() {
            let rows = teach.labels.indices.filter { teach.labels[$0] == index }.map {
                Array(taughtFeatures.features[($0 * width)..<(($0 + 1) * width)])
            }
            guard !rows.isEmpty else { throw TeachingError("no drawings of '\(word)' to teach it from") }
            words.append(imprinter.imprint(label: word, features: rows))
        }

        let classes = labels.count
        /// The rank of `truth` among the probabilities, with and without the taught words.
        func ranks(_ images: LabeledImages, offset: Int) -> (before: [Int], after: [Int]) {
            let (features, logits, width) = featuresAndLogits(of: images)
            var before: [Int] = []
            var after: [Int] = []
            for i in 0..<images.count {
                let truth = images.labels[i] + offset
                let probabilities = logits.withUnsafeBufferPointer { l in
                    features.withUnsafeBufferPointer { f in
                        words.probabilities(
                            logits: UnsafeBufferPointer(rebasing: l[(i * classes)..<((i + 1) * classes)]),
                            features: UnsafeBufferPointer(rebasing: f[(i * width)..<((i + 1) * width)]))
                    }
                }
                after.append(Self.rank(of: truth, in: probabilities[...]))
                before.append(truth < classes ? Self.rank(of: truth, in: probabilities[..<classes]) : .max)
            }
            return (before, after)
        }

        let taught = ranks(test, offset: classes).after
        let own = ranks(original, offset: 0)
        func fraction(_ ranks: some Collection<Int>, within k: Int) -> Double {
            ranks.isEmpty ? 0 : Double(ranks.count { $0 < k }) / Double(ranks.count)
        }
        return TeachingEvaluation(
            shots: teach.count / max(1, teach.classes.count),
            words: teach.classes.enumerated().map { index, word in
                let mine = test.labels.indices.filter { test.labels[$0] == index }.map { taught[$0] }
                return .init(
                    word: word, count: mine.count, top1: fraction(mine, within: 1),
                    top5: fraction(mine, within: 5))
            },
            taughtTop1: fraction(taught, within: 1), taughtTop5: fraction(taught, within: 5),
            originalCount: original.count,
            originalTop1Before: fraction(own.before, within: 1),
            originalTop1After: fraction(own.after, within: 1),
            originalTop5Before: fraction(own.before, within: 5),
            originalTop5After: fraction(own.after, within: 5))
    }

    /// How many probabilities are above `truth`'s (ties: the lower index ranks first, as the server's).
    static func rank(of truth: Int, in probabilities: ArraySlice<Float>) -> Int {
        let p = probabilities[truth]
        return probabilities.indices.count {
            probabilities[$0] > p || (probabilities[$0] == p && $0 < truth)
        }
    }
}
