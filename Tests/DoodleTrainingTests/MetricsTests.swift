import DoodleTraining
import Foundation
import Testing

@Suite struct MetricsTests {
    /// Four classes, one example each, the true label at rank 0, 1, 2 and 3 (the last by tie-breaking).
    static let ranked = (
        probabilities: [
            0.7, 0.1, 0.1, 0.1,  // label 0, rank 0
            0.5, 0.3, 0.15, 0.05,  // label 1, rank 1
            0.45, 0.3, 0.15, 0.1,  // label 2, rank 2
            0.25, 0.25, 0.25, 0.25,  // label 3: ties with classes 0, 1, 2 rank it last
        ] as [Float],
        labels: [0, 1, 2, 3],
        names: ["a", "b", "c", "d"]
    )

    @Test func topKMAPAndConfusionByHand() throws {
        let e = try Evaluation(
            probabilities: Self.ranked.probabilities, labels: Self.ranked.labels,
            classNames: Self.ranked.names)
        #expect(e.count == 4)
        #expect(e.classes == 4)
        #expect(e.top1 == 0.25)
        #expect(e.top3 == 0.75)
        #expect(e.top5 == 1, "with K = 4 < 5 every label is in the top 5")
        #expect(abs(e.map3 - (1 + 1.0 / 2 + 1.0 / 3) / 4) < 1e-12)
        // Every row predicts class 0: the highest probability, or the lowest index among the tied.
        #expect(e.confusion == [[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]])
        #expect(e.perClass.map(\.accuracy) == [1, 0, 0, 0])
        #expect(e.perClass.map(\.top5) == [1, 1, 1, 1])
        #expect(e.perClass.map(\.count) == [1, 1, 1, 1])
        #expect(e.perClass.map(\.name) == ["a", "b", "c", "d"])
    }

    @Test func tiesGoToTheLowerClassIndex() throws {
        let probabilities: [Float] = [0.5, 0.5, 0, 0.5, 0.5, 0]
        let e = try Evaluation(probabilities: probabilities, labels: [0, 1], classNames: ["x", "y", "z"])
        #expect(e.top1 == 0.5, "label 0 wins its tie, label 1 loses it")
        #expect(e.confusion[1] == [1, 0, 0])
        #expect(e.map3 == 0.75)
        #expect(e.top3 == 1, "K = 3: top-3 is everything")
    }

    @Test func singleClassIsAlwaysRight() throws {
        let e = try Evaluation(probabilities: [1, 1], labels: [0, 0], classNames: ["only"])
        #expect([e.top1, e.top3, e.top5, e.map3] == [1, 1, 1, 1])
        #expect(e.mostConfused.isEmpty)
        #expect(e.worstMisclassified.isEmpty)
    }

    @Test func mostConfusedOrdering() throws {
        // 0→1 twice of 4 (50%), 2→0 twice of 2 (100%), 1→2 once of 1: count, then share, decides.
        let truths = [0, 0, 0, 0, 1, 2, 2]
        let predictions = [0, 0, 1, 1, 2, 0, 0]
        let e = try Evaluation(
            probabilities: Fake.confident(predictions, classes: 3), labels: truths,
            classNames: ["p", "q", "r"])
        let pairs = e.mostConfused.map { [$0.trueClass, $0.predictedClass, $0.count] }
        #expect(pairs == [[2, 0, 2], [0, 1, 2], [1, 2, 1]])
        #expect(e.mostConfused.map(\.fraction) == [1, 0.5, 1])
        #expect(e.mostConfused[0].trueName == "r" && e.mostConfused[0].predictedName == "p")
        #expect(e.perClass.map(\.accuracy) == [0.5, 0, 0])
    }

    @Test func mostConfusedKeepsTwenty() throws {
        // 30 classes, each example of class c predicted as c + 1: 30 distinct pairs of one.
        let truths = Array(0..<30)
        let predictions = truths.map { ($0 + 1) % 30 }
        let e = try Evaluation(
            probabilities: Fake.confident(predictions, classes: 30), labels: truths,
            classNames: (0..<30).map { "c\($0)" })
        #expect(e.mostConfused.count == 20)
        #expect(e.mostConfused.map(\.trueClass) == Array(0..<20), "equal pairs go by true index")
    }

    @Test func expectedCalibrationErrorByHand() throws {
        // Confidences 0.9 (right), 0.9 (wrong), 0.62 (right), 0.7 (wrong); bins 13, 13, 9, 10 of 15.
        // ECE = 2/4·|0.5 − 0.9| + 1/4·|1 − 0.62| + 1/4·|0 − 0.7| = 0.2 + 0.095 + 0.175.
        let probabilities: [Float] = [0.9, 0.1, 0.9, 0.1, 0.38, 0.62, 0.3, 0.7]
        let e = try Evaluation(probabilities: probabilities, labels: [0, 1, 1, 0], classNames: ["a", "b"])
        #expect(abs(e.expectedCalibrationError - 0.47) < 1e-6)
        #expect(e.reliability.count == 15)
        #expect(e.reliability.map(\.count) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 2, 0])
        #expect(abs(e.reliability[13].meanConfidence - 0.9) < 1e-6)
        #expect(e.reliability[13].accuracy == 0.5)
        #expect(e.reliability[9].accuracy == 1)
        #expect(abs(e.reliability[0].upper - 1.0 / 15) < 1e-12)
        #expect(e.reliability[14].upper == 1)
    }

    @Test func calibrationOfTheRankedCase() throws {
        let e = try Evaluation(
            probabilities: Self.ranked.probabilities, labels: Self.ranked.labels,
            classNames: Self.ranked.names)
        // One example a bin: |1 − 0.7| + |0 − 0.5| + |0 − 0.45| + |0 − 0.25|, over 4.
        #expect(abs(e.expectedCalibrationError - 0.375) < 1e-6)
    }

    @Test func galleryKeepsTheWorstMistakes() throws {
        // True class 0 each time; its probability falls 0.3, 0.1, 0.2, 0.1 (a tie), 0.05; one is right.
        let rows: [[Float]] = [
            [0.3, 0.6, 0.1], [0.1, 0.2, 0.7], [0.2, 0.7, 0.1], [0.1, 0.5, 0.4], [0.05, 0.05, 0.9],
            [0.8, 0.1, 0.1],
        ]
        var accumulator = EvaluationAccumulator(classNames: ["cat", "dog", "owl"], galleryCapacity: 3)
        try accumulator.add(probabilities: rows.flatMap { $0 }, labels: Array(repeating: 0, count: 6))
        let worst = try accumulator.finish().worstMisclassified
        #expect(worst.map(\.index) == [4, 1, 3], "lowest true probability first, ties by index")
        #expect(worst[0].labelName == "cat")
        #expect(worst[0].guesses.map(\.name) == ["owl", "cat", "dog"], "0.05 tie: cat before dog")
        #expect(worst[1].guesses.map(\.probability) == [0.7, 0.2, 0.1])
    }

    @Test func streamingEqualsOneShot() throws {
        let (probabilities, labels) = Fake.softmaxRows(count: 257, classes: 7, seed: 42)
        let names = (0..<7).map { "class \($0)" }
        let oneShot = try Evaluation(probabilities: probabilities, labels: labels, classNames: names)
        var accumulator = EvaluationAccumulator(classNames: names)
        var start = 0
        for size in [1, 50, 100, 106] {
            try accumulator.add(
                probabilities: Array(probabilities[start * 7..<(start + size) * 7]),
                labels: Array(labels[start..<start + size]))
            start += size
        }
        #expect(try accumulator.finish() == oneShot)
        #expect(oneShot.confusion.joined().reduce(0, +) == 257)
        #expect(oneShot.worstMisclassified.count == 24)
    }

    @Test func encodesAndDecodes() throws {
        let (probabilities, labels) = Fake.softmaxRows(count: 40, classes: 5, seed: 1)
        let e = try Evaluation(
            probabilities: probabilities, labels: labels, classNames: ["a", "b", "c", "d", "e"])
        let decoded = try JSONDecoder().decode(Evaluation.self, from: JSONEncoder().encode(e))
        #expect(decoded == e)
    }

    @Test func noExamplesIsAnError() throws {
        let error = #expect(throws: TrainingError.self) {
            try Evaluation(probabilities: [], labels: [], classNames: ["a"])
        }
        #expect(error?.description.contains("no examples") == true)
        #expect(throws: TrainingError.self) { try EvaluationAccumulator(classNames: ["a"]).finish() }
    }

    @Test func labelOutOfRangeNamesTheExample() throws {
        var accumulator = EvaluationAccumulator(classNames: ["a", "b"])
        try accumulator.add(probabilities: [0.5, 0.5, 0.5, 0.5], labels: [0, 1])
        let error = #expect(throws: TrainingError.self) {
            try accumulator.add(probabilities: [0.5, 0.5, 0.5, 0.5], labels: [1, 2])
        }
        #expect(error?.description == "example 3 has label 2, outside 0..<2")
        #expect(accumulator.count == 2, "a batch that throws adds nothing")
        #expect(throws: TrainingError.self) {
            try accumulator.add(probabilities: [0.5, 0.5], labels: [-1])
        }
    }

    @Test func nonFiniteProbabilityNamesTheExample() {
        let error = #expect(throws: TrainingError.self) {
            try Evaluation(probabilities: [0.5, 0.5, .nan, 1], labels: [0, 1], classNames: ["a", "b"])
        }
        #expect(error?.description.contains("example 1") == true)
        #expect(error?.description.contains("class 0") == true)
    }
}
