/// Running totals for the reliability diagram and the expected calibration error (ECE).
///
/// The standard ECE of Guo et al., "On Calibration of Modern Neural Networks" (2017): split the top-1
/// confidences into 15 equal-width bins, then
///
///     ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|
///
/// Bin b holds confidences in (b/15, (b+1)/15], as in the paper's reference code; confidence 0 goes in
/// the first bin. A softmax's top-1 confidence is at least 1/K, so with many classes the low bins stay
/// empty; they are still reported, with count 0.
struct CalibrationBins: Sendable {
    /// The number of equal-width bins.
    static let binCount = 15

    private var counts = Array(repeating: 0, count: binCount)
    private var confidenceSums = Array(repeating: 0.0, count: binCount)
    private var correctCounts = Array(repeating: 0, count: binCount)

    /// The bin that holds `confidence`: (b/15, (b+1)/15] is bin b; 0 and below go in bin 0, above 1 in
    /// the last.
    static func bin(of confidence: Double) -> Int {
        let upper = Int((confidence * Double(binCount)).rounded(.up)) - 1
        return min(max(upper, 0), binCount - 1)
    }

    /// Counts one example with top-1 probability `confidence`, whose prediction was `correct` or not.
    mutating func add(confidence: Float, correct: Bool) {
        let value = Double(confidence)
        let b = Self.bin(of: value)
        counts[b] += 1
        confidenceSums[b] += value
        if correct { correctCounts[b] += 1 }
    }

    /// The bins, lowest first; an empty bin has mean confidence and accuracy 0.
    func bins() -> [Evaluation.ReliabilityBin] {
        (0..<Self.binCount).map { b in
            let n = counts[b]
            return Evaluation.ReliabilityBin(
                lower: Double(b) / Double(Self.binCount),
                upper: Double(b + 1) / Double(Self.binCount),
                count: n,
                meanConfidence: n == 0 ? 0 : confidenceSums[b] / Double(n),
                accuracy: n == 0 ? 0 : Double(correctCounts[b]) / Double(n))
        }
    }

    /// The expected calibration error over every example added; 0 when there are none.
    func expectedCalibrationError() -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        var sum = 0.0
        for b in 0..<Self.binCount where counts[b] > 0 {
            // n_b/N · |acc_b − conf_b| = |correct_b − Σ_b conf| / N: one division instead of three.
            sum += abs(Double(correctCounts[b]) - confidenceSums[b])
        }
        return sum / Double(total)
    }
}
