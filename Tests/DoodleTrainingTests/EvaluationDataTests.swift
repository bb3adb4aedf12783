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

    @Test func categoriesTheModelLacksAreLeftOutAndNamed() throws {
        let folder = try Self.folder(["cat", "zebra", "yak"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.model(["cat", "dog"])
        #expect(try model.ignoredCategories(in: [folder]) == ["yak", "zebra"])
        let images = try model.evaluationImages(from: [folder], split: .all, cache: nil)
        #expect(images.countsPerClass == [30, 0])
        let none = try Self.folder(["zebra"])
        defer { try? FileManager.default.removeItem(at: none) }
        #expect(throws: TrainingError.self) { try model.evaluationImages(from: [none], cache: nil) }
    }

    /// Scoring one format of a merged dataset keeps the training run's split: the bitmap test images
    /// are the merged test split's bitmap images.
    @Test func oneFormatOfTheMergedSplit() throws {
        let bitmaps = try Self.folder(["cat", "dog"], count: 40)
        let strokes = try makeTemporaryDirectory()
        defer { for f in [bitmaps, strokes] { try? FileManager.default.removeItem(at: f) } }
        let lines = (0..<20).map { i in
            #"{"word":"cat","drawing":[[[0,\#(40 + i * 5),255],[0,\#(200 - i * 3),255]]]}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(
            to: strokes.appendingPathComponent("cat.ndjson"))
        let model = try Self.model(["cat", "dog"])
        let merged = try model.evaluationImages(from: [bitmaps, strokes], cache: nil)
        let npy = try model.evaluationImages(from: [bitmaps, strokes], format: .npy, cache: nil)
        let ndjson = try model.evaluationImages(from: [bitmaps, strokes], format: .ndjson, cache: nil)
        #expect(merged.count == 10 && npy.count + ndjson.count == 10 && ndjson.count > 0)
        #expect(npy.origins.allSatisfy { $0.contains(".npy#") })
        #expect(Set(npy.origins).isSubset(of: Set(merged.origins)))
        #expect(Set(ndjson.origins).isSubset(of: Set(merged.origins)))
    }

    /// The audit flags the file whose drawings the model mostly calls something else.
    @Test func auditFlagsAFileTheModelCallsSomethingElse() throws {
        let folder = try Self.folder(["cat", "dog", "yak"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.model(["cat", "dog"])
        // A model that answers "dog" to everything: its last layer's bias decides.
        let bias = try #require(model.network.stateDict().last { $0.name.hasSuffix("bias") })
        var weights = Dictionary(uniqueKeysWithValues: model.network.stateDict().map { ($0.name, $0.tensor) })
        weights[bias.name] = Tensor(shape: bias.tensor.shape, scalars: [-1e4, 1e4])
        try model.network.load(stateDict: weights)
        let audits = try model.audit([folder])
        #expect(audits.map(\.file.category) == ["cat", "dog", "yak"])
        #expect(audits.map(\.drawings) == [30, 30, 30])
        #expect(audits[0].isSuspect && audits[0].ownShare == 0 && audits[0].predicted.first?.name == "dog")
        #expect(!audits[1].isSuspect && audits[1].ownShare == 1)
        #expect(!audits[2].known && !audits[2].isSuspect)
        #expect(try model.audit([folder], limit: 7).map(\.drawings) == [7, 7, 7])
    }
}
