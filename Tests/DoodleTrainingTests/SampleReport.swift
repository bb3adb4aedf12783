import DoodleTraining
import Foundation
import Testing

/// Writes sample reports to look at in a browser: `DOODLE_SAMPLE_REPORT=/tmp swift test --filter
/// SampleReport` writes /tmp/report.html (30 classes) and /tmp/report-100.html (100 classes, no log).
@Suite struct SampleReport {
    static let directory = ProcessInfo.processInfo.environment["DOODLE_SAMPLE_REPORT"]

    static let names = [
        "cat", "dog", "house", "tree", "car", "bicycle", "airplane", "fish", "bird", "apple", "banana",
        "clock", "eye", "face", "star", "sun", "moon", "cloud", "umbrella", "guitar", "piano", "hammer",
        "scissors", "key", "ladder", "The Eiffel Tower", "paper clip", "hot air balloon", "t-shirt",
        "<odd & \"quoted\">",
    ]

    @Test(.enabled(if: directory != nil, "set DOODLE_SAMPLE_REPORT to a directory to write sample reports"))
    func writeSamples() throws {
        let directory = URL(fileURLWithPath: try #require(Self.directory))
        let thirty = try Self.report(names: Self.names, count: 3000, withLog: true)
        try thirty.write(to: directory.appendingPathComponent("report.html"))
        let hundred = try Self.report(
            names: (0..<100).map { "class number \($0)" }, count: 10_000, withLog: false)
        try hundred.write(to: directory.appendingPathComponent("report-100.html"))
    }

    /// A classifier that is right about 70% of the time and, when wrong, mostly picks a "neighbour".
    static func report(names: [String], count: Int, withLog: Bool) throws -> EvaluationReport {
        var generator = Fake.Generator(seed: 2024)
        let k = names.count
        var accumulator = EvaluationAccumulator(classNames: names)
        for _ in 0..<(count / 100) {
            var probabilities: [Float] = []
            var labels: [Int] = []
            for _ in 0..<100 {
                let label = Int.random(in: 0..<k, using: &generator)
                var logits = (0..<k).map { _ in Float.random(in: -1...1, using: &generator) }
                let hardness = Float(label % 7) * 0.35
                logits[label] += Float.random(in: 1...5, using: &generator) - hardness
                logits[(label + 1) % k] += Float.random(in: 0...3.5, using: &generator)
                logits[(label * 7 + 3) % k] += Float.random(in: 0...2, using: &generator)
                probabilities += Fake.softmax(logits.map { $0 * 1.4 })
                labels.append(label)
            }
            try accumulator.add(probabilities: probabilities, labels: labels)
        }
        let evaluation = try accumulator.finish()
        let bitmaps = Dictionary(
            uniqueKeysWithValues: evaluation.worstMisclassified.map {
                ($0.index, Fake.drawing(seed: UInt64($0.index)))
            })
        let log = (1...20).map { epoch in
            let e = Double(epoch)
            return EpochRecord(
                epoch: epoch, step: epoch * 2344, trainLoss: 0.55 + 2.4 * exp(-e / 3.5),
                trainTop1: 0.86 - 0.62 * exp(-e / 3.2), valLoss: 0.8 + 2.0 * exp(-e / 3) + 0.006 * e,
                valTop1: 0.72 - 0.5 * exp(-e / 3), valTop5: 0.92 - 0.4 * exp(-e / 2.5),
                learningRate: 0.001 * (1 + cos(Double.pi * e / 20)) / 2, imagesPerSecond: 4100 + 30 * e,
                seconds: 36 * e)
        }
        return EvaluationReport(
            modelName: "small-qd\(k)", architecture: "small — 3 conv blocks, 412 k parameters",
            data: "Quick, Draw! \(k) classes, test split (fake)", evaluation: evaluation,
            trainingLog: withLog ? log : [], bitmaps: bitmaps,
            generatedAt: Date(timeIntervalSince1970: 1_760_000_000))
    }
}
