import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

@testable import DoodleTraining

/// Four easy classes of 28×28 images: a horizontal bar, a vertical bar, a box, a diagonal, at random
/// positions, so that a tiny network learns them in a few epochs.
func syntheticImages(count: Int, seed: UInt64) -> LabeledImages {
    var g = SeededGenerator(seed: seed)
    var pixels = [UInt8](repeating: 0, count: count * 784)
    var labels: [Int] = []
    for i in 0..<count {
        let label = i % 4
        labels.append(label)
        let (x0, y0) = (Int(g.next() % 10) + 4, Int(g.next() % 10) + 4)
        func ink(_ x: Int, _ y: Int) { pixels[i * 784 + y * 28 + x] = 255 }
        for t in 0..<10 {
            switch label {
            case 0: ink(x0 + t, y0)
            case 1: ink(x0, y0 + t)
            case 2: ink(x0 + t, y0); ink(x0 + t, y0 + 9); ink(x0, y0 + t); ink(x0 + 9, y0 + t)
            default: ink(x0 + t, y0 + t)
            }
        }
    }
    return LabeledImages(classes: ["bar", "pole", "box", "slash"], pixels: pixels, labels: labels)
}

let tinySpec = ArchitectureSpec(
    name: "tiny",
    layers: [
        .init("conv", filters: 6, kernel: 3), .init("relu"), .init("maxpool"),
        .init("conv", filters: 8, kernel: 3), .init("batchnorm"), .init("relu"), .init("maxpool"),
        .init("flatten"), .init("dropout", rate: 0.2), .init("linear", units: .classes),
    ])

@Suite struct TrainerTests {
    let train = syntheticImages(count: 192, seed: 1)
    let validation = syntheticImages(count: 64, seed: 2)

    func configuration(_ optimizer: TrainingConfiguration.OptimizerKind = .adamw) -> TrainingConfiguration {
        TrainingConfiguration(
            spec: tinySpec, epochs: 3, batchSize: 32, learningRate: 0.01, optimizer: optimizer, seed: 7)
    }

    @Test func learnsTheSyntheticClasses() throws {
        var longer = configuration()
        longer.epochs = 8
        let trainer = try Trainer(configuration: longer, train: train, validation: validation)
        #expect(try trainer.run())
        #expect(trainer.history.count == 8)
        #expect(trainer.step == 8 * (192 / 32))
        let best = try #require(trainer.best)
        #expect((best.valTop1 ?? 0) > 0.9, "history: \(trainer.history.map(\.valTop1))")
    }

    /// A run stopped after `k` steps and resumed from its checkpoint ends with exactly the weights of
    /// a run that never stopped, whatever `k` (mid-epoch, at an epoch boundary, at the first step).
    @Test(arguments: [1, 5, 6, 13], [TrainingConfiguration.OptimizerKind.adamw, .sgd])
    func resumedRunEqualsUnbrokenRun(stopAfter k: Int, optimizer: TrainingConfiguration.OptimizerKind) throws
    {
        let unbroken = try Trainer(
            configuration: configuration(optimizer), train: train, validation: validation)
        try unbroken.run()

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: configuration(optimizer), train: train, validation: validation)
        first.checkpoints = try CheckpointStore(directory: directory, keep: 2)
        first.shouldStop = { [unowned first] in first.step >= k }
        #expect(try first.run() == false)

        let second = try Trainer(
            configuration: configuration(optimizer), train: train, validation: validation)
        second.checkpoints = try CheckpointStore(directory: directory, keep: 2)
        try second.resume(from: try #require(try second.checkpoints!.latest()))
        #expect(second.step == k)
        #expect(try second.run())

        // Everything but the timings repeats exactly.
        func deterministic(_ r: EpochRecord) -> [Double] {
            [
                Double(r.epoch), Double(r.step), r.trainLoss, r.trainTop1, r.valLoss ?? -1, r.valTop1 ?? -1,
                r.valTop5 ?? -1, r.learningRate,
            ]
        }
        #expect(second.history.map(deterministic) == unbroken.history.map(deterministic))
        for ((name, a), (_, b)) in zip(second.network.stateDict(), unbroken.network.stateDict()) {
            #expect(a.scalars == b.scalars, "\(name) differs after resume")
        }
        #expect(try second.checkpoints!.checkpoints().count <= 2)
    }

    /// Batches made ahead on a background thread are the batches made between steps: the two loops
    /// end with the same weights, augmented or not.
    @Test(arguments: [false, true])
    func prefetchingChangesNothing(augment: Bool) throws {
        var settings = configuration()
        settings.augment = augment
        var models: [[[Float]]] = []
        for prefetch in [false, true] {
            let trainer = try Trainer(
                configuration: settings, train: train, validation: validation, augmenter: Augmenter())
            trainer.prefetch = prefetch
            try trainer.run()
            models.append(trainer.network.stateDict().map(\.tensor.scalars))
        }
        #expect(models[0] == models[1])
    }

    /// An augmented, prefetching run stopped at any step and resumed from its checkpoint ends with
    /// the weights of an unbroken one; so does a run whose `run()` is simply called again after it
    /// stopped (what `doodle bench --pipeline` does between rounds).
    @Test(arguments: [1, 5, 6, 13])
    func augmentedPrefetchingRunResumesExactly(stopAfter k: Int) throws {
        var settings = configuration()
        settings.augment = true
        func trainer() throws -> Trainer {
            try Trainer(configuration: settings, train: train, validation: validation, augmenter: Augmenter())
        }
        let unbroken = try trainer()
        unbroken.prefetch = false
        try unbroken.run()

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try trainer()
        first.checkpoints = try CheckpointStore(directory: directory, keep: 2)
        first.shouldStop = { [unowned first] in first.step >= k }
        #expect(try first.run() == false)
        let resumed = try trainer()
        try resumed.resume(from: try #require(try first.checkpoints!.latest()))
        #expect(try resumed.run())

        let reentered = try trainer()
        var stops = 0
        reentered.shouldStop = { [unowned reentered] in
            guard reentered.step % k == 0 && reentered.step / k > stops else { return false }
            stops += 1
            return true
        }
        while try !reentered.run() {}
        #expect(stops > 0)

        let expected = unbroken.network.stateDict().map(\.tensor.scalars)
        #expect(resumed.network.stateDict().map(\.tensor.scalars) == expected)
        #expect(reentered.network.stateDict().map(\.tensor.scalars) == expected)
        #expect(reentered.history.map(\.trainLoss) == unbroken.history.map(\.trainLoss))
    }

    @Test func keepsTheBestEpochNotTheLast() throws {
        let trainer = try Trainer(configuration: configuration(), train: train, validation: validation)
        try trainer.run()
        let best = try #require(trainer.best)
        #expect(best.valTop1 == trainer.history.compactMap(\.valTop1).max())
        let model = try trainer.bestModel(labels: train.classes, preprocessing: "test", summary: [:])
        #expect(model.training["best_epoch"] == String(best.epoch))
        // The best model scores the best epoch's validation accuracy, whichever epoch that was.
        let scores = Scores(
            network: model.network, images: validation, loss: SoftmaxCrossEntropy(), batchSize: 64)
        #expect(abs(scores.top1 - (best.valTop1 ?? -1)) < 1e-9)
    }

    @Test func resumingWithOtherSettingsIsRefused() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: configuration(), train: train, validation: validation)
        first.checkpoints = try CheckpointStore(directory: directory)
        first.shouldStop = { [unowned first] in first.step >= 2 }
        try first.run()
        var other = configuration()
        other.learningRate = 0.5
        let second = try Trainer(configuration: other, train: train, validation: validation)
        #expect(throws: TrainingError.self) {
            try second.resume(from: try #require(try first.checkpoints!.latest()))
        }
    }

    @Test func emptyDataIsAnError() {
        let empty = LabeledImages(classes: ["a"], pixels: [], labels: [])
        #expect(throws: TrainingError.self) {
            try Trainer(configuration: configuration(), train: empty, validation: empty)
        }
    }

    @Test func classQuotasAddUpAndFollowTheSampling() {
        let counts = [9_500, 400, 1_600, 0]
        let total = counts.reduce(0, +)
        #expect(Trainer.classQuotas(counts: counts, sampling: .natural) == counts)
        let balanced = Trainer.classQuotas(counts: counts, sampling: .balanced)
        #expect(balanced.reduce(0, +) == total && balanced[3] == 0)
        #expect(balanced.max()! - balanced.prefix(3).min()! <= 1)
        let sqrt = Trainer.classQuotas(counts: counts, sampling: .sqrt)
        #expect(sqrt.reduce(0, +) == total && sqrt[3] == 0)
        // In proportion to √9,500 : √400 : √1,600 = 97.5 : 20 : 40.
        let share = Double(sqrt[0]) / Double(sqrt[1])
        #expect(abs(share - 9_500.0.squareRoot() / 20) < 0.01)
        #expect(Trainer.classQuotas(counts: [3], sampling: .balanced) == [3])
    }

    /// A sampled epoch has as many images as the training split, each class its quota, every image
    /// of an oversampled class at least once, and the same order for the same seed and epoch.
    @Test func sampledEpochsDrawEachClassItsQuota() throws {
        // 150 bars, 30 poles, 15 boxes, 5 slashes.
        let all = syntheticImages(count: 800, seed: 3)
        var kept: [Int] = []
        var seen = [0, 0, 0, 0]
        let wanted = [150, 30, 15, 5]
        for i in 0..<all.count where seen[all.labels[i]] < wanted[all.labels[i]] {
            seen[all.labels[i]] += 1
            kept.append(i)
        }
        let unbalanced = all.subset(kept)
        var settings = configuration()
        settings.sampling = .balanced
        let trainer = try Trainer(configuration: settings, train: unbalanced, validation: validation)
        let order = trainer.shuffledOrder(epoch: 0)
        #expect(order.count == unbalanced.count)
        var perClass = [0, 0, 0, 0]
        for i in order { perClass[unbalanced.labels[i]] += 1 }
        #expect(perClass == [50, 50, 50, 50])
        let slashes = Set(unbalanced.labels.indices.filter { unbalanced.labels[$0] == 3 })
        #expect(Set(order.filter { unbalanced.labels[$0] == 3 }) == slashes)
        #expect(order == trainer.shuffledOrder(epoch: 0) && order != trainer.shuffledOrder(epoch: 1))
        // Bars are drawn without repeats, and different ones from epoch to epoch.
        let bars = order.filter { unbalanced.labels[$0] == 0 }
        #expect(Set(bars).count == 50)
        #expect(Set(bars) != Set(trainer.shuffledOrder(epoch: 1).filter { unbalanced.labels[$0] == 0 }))
        // Natural sampling is every image once.
        let natural = try Trainer(configuration: configuration(), train: unbalanced, validation: validation)
        #expect(natural.shuffledOrder(epoch: 0).sorted() == Array(0..<unbalanced.count))
    }
}
