import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

@testable import DoodleTraining

@Suite struct EvaluationDataTests {
    /// A folder with `count` random 28×28 drawings for each of `categories`.
    static func folder(_ categories: [String], count: Int = 30) throws -> URL {
        let directory = try makeTemporaryDirectory()
        var g = SeededGenerator(seed: 3)
        for name in categories {
            let bytes = (0..<(count * 784)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
            try NpyWriter.write(
                bytes, shape: [count, 784], to: directory.appendingPathComponent("\(name).npy"))
        }
        return directory
    }

    static func model(_ labels: [String]) throws -> Model {
        var g = SeededGenerator(seed: 1)
        let network = try ArchitectureSpec.mnist.build(classes: labels.count, generator: &g)
        return Model(spec: .mnist, labels: labels, preprocessing: "quickdraw", network: network)
    }

    @Test func subsetsOfTheModelsClassesAreRelabelled() throws {
        let folder = try Self.folder(["dog", "cat"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.model(["fish", "cat", "dog"])
        let all = try model.evaluationImages(from: [folder], split: .all, cache: nil)
        #expect(all.count == 60)
        #expect(all.classes == ["fish", "cat", "dog"])
        #expect(Set(all.labels) == [1, 2])
        #expect(all.countsPerClass == [0, 30, 30])
        // Test and validation are a tenth of each class each, as in training.
        #expect(try model.evaluationImages(from: [folder], split: .test, cache: nil).count == 6)
        let evaluation = try model.evaluate(all)
        #expect(evaluation.count == 60 && evaluation.classes == 3)
    }

    @Test func categoriesTheModelLacksAreNamed() throws {
        let folder = try Self.folder(["cat", "zebra", "yak"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.model(["cat", "dog"])
        do {
            _ = try model.evaluationImages(from: [folder], cache: nil)
            Issue.record("expected an error naming zebra and yak")
        } catch {
            #expect("\(error)".contains("no class for yak, zebra"), "\(error)")
        }
    }
}
