/// Builds an ``Evaluation`` batch by batch, so a large set never needs all its probabilities at once.
///
/// ```swift
/// var accumulator = EvaluationAccumulator(classNames: names)
/// for batch in batches { try accumulator.add(probabilities: batch.softmax, labels: batch.labels) }
/// let evaluation = try accumulator.finish()
/// ```
///
/// It keeps O(K² + gallery) state: counts, the confusion matrix, the calibration bins and the worst
/// misclassified examples so far. Ranking ties go to the lower class index (see ``Evaluation``).
public struct EvaluationAccumulator: Sendable {
    /// The classes' names, in index order.
    public let classNames: [String]
    /// How many of the worst misclassified examples to keep for the gallery.
    public let galleryCapacity: Int
    /// How many examples have been added so far.
    public private(set) var count = 0

    private var hits1 = 0
    private var hits3 = 0
    private var hits5 = 0
    private var map3Sum = 0.0
    private var classCounts: [Int]
    private var classHits1: [Int]
    private var classHits5: [Int]
    /// K × K, row-major: true class × predicted class.
    private var confusion: [Int]
    private var calibration = CalibrationBins()
    private var worst: [Evaluation.Misclassification] = []

    /// An empty accumulator.
    ///
    /// - Parameters:
    ///   - classNames: The K class names; there must be at least one.
    ///   - galleryCapacity: How many of the worst misclassified examples to keep (24 by default).
    public init(classNames: [String], galleryCapacity: Int = 24) {
        precondition(!classNames.isEmpty, "an evaluation needs at least one class")
        precondition(galleryCapacity >= 0, "galleryCapacity must not be negative")
        self.classNames = classNames
        self.galleryCapacity = galleryCapacity
        let k = classNames.count
        classCounts = Array(repeating: 0, count: k)
        classHits1 = Array(repeating: 0, count: k)
        classHits5 = Array(repeating: 0, count: k)
        confusion = Array(repeating: 0, count: k * k)
    }

    /// Adds a batch of examples, numbered on from those already added.
    ///
    /// - Parameters:
    ///   - probabilities: B × K softmax outputs, row-major; its count must be `labels.count * K`.
    ///   - labels: B true class indices.
    /// - Throws: `TrainingError` naming the example (by its index across all batches) when a label is
    ///   outside `0..<K` or a probability is not finite. A batch that throws adds nothing.
    public mutating func add(probabilities: [Float], labels: [Int]) throws {
        let k = classNames.count
        precondition(
            probabilities.count == labels.count * k,
            "probabilities has \(probabilities.count) values; \(labels.count) labels × \(k) classes "
                + "need \(labels.count * k)")
        for (i, label) in labels.enumerated() {
            guard (0..<k).contains(label) else {
                throw TrainingError("example \(count + i) has label \(label), outside 0..<\(k)")
            }
            if let j = (i * k..<(i + 1) * k).first(where: { !probabilities[$0].isFinite }) {
                throw TrainingError(
                    "example \(count + i) has a non-finite probability \(probabilities[j]) "
                        + "for class \(j - i * k)")
            }
        }
        for (i, label) in labels.enumerated() {
            record(probabilities[i * k..<(i + 1) * k], label: label, index: count + i)
        }
        count += labels.count
    }

    /// The evaluation of every example added.
    ///
    /// - Throws: `TrainingError` when no examples were added.
    public func finish() throws -> Evaluation {
        guard count > 0 else { throw TrainingError("cannot evaluate: no examples were added") }
        let k = classNames.count
        let n = Double(count)
        let perClass = (0..<k).map { c in
            let total = classCounts[c]
            return Evaluation.ClassResult(
                name: classNames[c], count: total,
                accuracy: total == 0 ? 0 : Double(classHits1[c]) / Double(total),
                top5: total == 0 ? 0 : Double(classHits5[c]) / Double(total))
        }
        let matrix = (0..<k).map { Array(confusion[$0 * k..<($0 + 1) * k]) }
        return Evaluation(
            count: count, classNames: classNames,
            top1: Double(hits1) / n, top3: Double(hits3) / n, top5: Double(hits5) / n,
            map3: map3Sum / n, perClass: perClass, confusion: matrix,
            mostConfused: mostConfusedPairs(limit: 20),
            expectedCalibrationError: calibration.expectedCalibrationError(),
            reliability: calibration.bins(), worstMisclassified: worst)
    }

    private mutating func record(_ row: ArraySlice<Float>, label: Int, index: Int) {
        let ranking = Ranking(row, label: label)
        let rank = ranking.rankOfLabel
        let predicted = ranking.predicted
        if rank < 1 { hits1 += 1 }
        if rank < 3 { hits3 += 1 }
        if rank < 5 { hits5 += 1 }
        if rank < 3 { map3Sum += 1 / Double(rank + 1) }
        classCounts[label] += 1
        if rank < 1 { classHits1[label] += 1 }
        if rank < 5 { classHits5[label] += 1 }
        confusion[label * classNames.count + predicted] += 1
        calibration.add(confidence: row[row.startIndex + predicted], correct: rank == 0)
        if rank > 0 { considerForGallery(row, label: label, index: index) }
    }

    private mutating func considerForGallery(_ row: ArraySlice<Float>, label: Int, index: Int) {
        let trueProbability = row[row.startIndex + label]
        if worst.count == galleryCapacity {
            // Examples arrive in index order, so a tie with the last kept one loses to it.
            guard let last = worst.last, trueProbability < last.trueProbability else { return }
        }
        let guesses = Ranking.top(3, of: row).map { c in
            Evaluation.Guess(classIndex: c, name: classNames[c], probability: row[row.startIndex + c])
        }
        let example = Evaluation.Misclassification(
            index: index, label: label, labelName: classNames[label],
            trueProbability: trueProbability, guesses: guesses)
        let position = worst.firstIndex { $0.trueProbability > trueProbability } ?? worst.endIndex
        worst.insert(example, at: position)
        if worst.count > galleryCapacity { worst.removeLast() }
    }

    private func mostConfusedPairs(limit: Int) -> [Evaluation.ConfusedPair] {
        let k = classNames.count
        var pairs: [Evaluation.ConfusedPair] = []
        for t in 0..<k where classCounts[t] > 0 {
            for p in 0..<k where p != t && confusion[t * k + p] > 0 {
                let n = confusion[t * k + p]
                pairs.append(
                    Evaluation.ConfusedPair(
                        trueClass: t, predictedClass: p, trueName: classNames[t],
                        predictedName: classNames[p], count: n,
                        fraction: Double(n) / Double(classCounts[t])))
            }
        }
        pairs.sort {
            ($0.count, $0.fraction, -$0.trueClass, -$0.predictedClass)
                > ($1.count, $1.fraction, -$1.trueClass, -$1.predictedClass)
        }
        return Array(pairs.prefix(limit))
    }
}

/// Where one row's true label ranks, and which class it predicts, under Doodle's ranking: higher
/// probability first, equal probabilities by lower class index first.
struct Ranking {
    /// How many classes rank above the true label: 0 when it is the prediction.
    var rankOfLabel = 0
    /// The highest-ranked class.
    var predicted = 0

    /// Ranks `row` (K probabilities) in one pass, without sorting.
    init(_ row: ArraySlice<Float>, label: Int) {
        let base = row.startIndex
        let pLabel = row[base + label]
        var best = row[base]
        for j in 0..<row.count {
            let p = row[base + j]
            if p > pLabel || (p == pLabel && j < label) { rankOfLabel += 1 }
            if p > best {
                best = p
                predicted = j
            }
        }
    }

    /// The indices of the `n` highest-ranked classes of `row` (fewer when K < n), highest first.
    static func top(_ n: Int, of row: ArraySlice<Float>) -> [Int] {
        let base = row.startIndex
        var chosen: [Int] = []
        for _ in 0..<min(n, row.count) {
            var best = -1
            for j in 0..<row.count where !chosen.contains(j) {
                if best < 0 || row[base + j] > row[base + best] { best = j }
            }
            chosen.append(best)
        }
        return chosen
    }
}
