import DoodleData
import DoodleNN
import Foundation

/// Trains a network on labelled images: shuffled batches, the configured optimizer and schedule,
/// validation after every epoch, the best-by-validation weights kept, and checkpoints to resume from.
///
/// Every random choice derives from (seed, epoch, step), never from carried generator state, so a
/// run stopped at any step and resumed from its checkpoint ends with the same model, bit for bit, as
/// one that never stopped.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let train: LabeledImages
    public let validation: LabeledImages
    public let network: Sequential
    public let augmenter: (any ImageAugmenter)?
    /// Asked before every step; when it answers true the trainer saves a checkpoint and returns.
    public var shouldStop: () -> Bool = { false }
    /// Told after every step.
    public var onProgress: (TrainingProgress) -> Void = { _ in }
    /// Told after every epoch's validation.
    public var onEpoch: (EpochRecord) -> Void = { _ in }
    /// Where checkpoints go; nil for none.
    public var checkpoints: CheckpointStore?
    /// Also checkpoint within an epoch after every step whose number is a multiple of this; nil for
    /// no step-count checkpoints. Counted from the run's first step, so a resumed run checkpoints at
    /// the steps an unbroken one would.
    public var checkpointEverySteps: Int? {
        didSet { precondition((checkpointEverySteps ?? 1) > 0, "checkpoint interval must be positive") }
    }
    /// Also checkpoint within an epoch once this much time has passed since the last checkpoint (or
    /// the start of `run()`); nil for no timed checkpoints. When a checkpoint is written never changes
    /// what the run computes, so a timed checkpoint costs determinism nothing.
    public var checkpointInterval: Duration?
    /// Whether the next batches are made on a background thread while the current step computes;
    /// the batches, and so the model, are the same either way.
    public var prefetch = true

    let optimizer: any Optimizer
    let schedule: any LearningRateSchedule
    let loss: SoftmaxCrossEntropy
    /// The position to continue from and what the run has learnt so far.
    var state: TrainingState

    /// A trainer for a fresh network built from the configuration's architecture.
    ///
    /// - Throws: `TrainingError` when the data cannot train this architecture (no images, fewer images
    ///   than one batch, mismatched classes) or the architecture cannot be built.
    public init(
        configuration: TrainingConfiguration, train: LabeledImages, validation: LabeledImages,
        augmenter: (any ImageAugmenter)? = nil
    ) throws {
        guard train.count > 0 else { throw TrainingError("no training images") }
        guard train.classes == validation.classes else {
            throw TrainingError("training and validation data have different classes")
        }
        guard configuration.epochs > 0, configuration.batchSize > 0 else {
            throw TrainingError("epochs and batch size must be positive")
        }
        self.configuration = configuration
        self.train = train
        self.validation = validation
        self.augmenter = augmenter
        var generator = SeededGenerator(seed: derivedSeed(configuration.seed, 1, 0))
        do {
            network = try configuration.spec.build(classes: train.classes.count, generator: &generator)
        } catch {
            throw TrainingError("\(error)")
        }
        optimizer = configuration.makeOptimizer(network.trainableParameters)
        let totalSteps = configuration.epochs * configuration.stepsPerEpoch(trainCount: train.count)
        schedule = configuration.makeSchedule(totalSteps: totalSteps)
        loss = SoftmaxCrossEntropy(labelSmoothing: configuration.labelSmoothing)
        state = TrainingState()
    }

    /// The step count of the whole run.
    public var totalSteps: Int { configuration.epochs * configuration.stepsPerEpoch(trainCount: train.count) }

    /// Trains until the last epoch ends or `shouldStop` answers true.
    ///
    /// Checkpoints are written after every epoch, on stop, and within epochs as
    /// `checkpointEverySteps` and `checkpointInterval` ask.
    ///
    /// - Returns: whether the run finished; a stopped run has saved a checkpoint to resume from.
    /// - Throws: `TrainingError` naming the file and the problem when a checkpoint cannot be written
    ///   (the previous checkpoint is left intact).
    @discardableResult
    public func run() throws -> Bool {
        let steps = configuration.stepsPerEpoch(trainCount: train.count)
        let runStart = ContinuousClock.now
        let secondsBefore = state.seconds
        func secondsSoFar() -> Double {
            let elapsed = ContinuousClock.now - runStart
            return secondsBefore + Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds)
                * 1e-18
        }
        var lastCheckpoint = ContinuousClock.now
        /// Whether a checkpoint is due after the step just taken; never after an epoch's last step,
        /// whose end-of-epoch checkpoint follows at once.
        func checkpointDue() -> Bool {
            guard checkpoints != nil, state.batchInEpoch < steps else { return false }
            if let every = checkpointEverySteps, state.step % every == 0 { return true }
            if let interval = checkpointInterval, ContinuousClock.now - lastCheckpoint >= interval {
                return true
            }
            return false
        }
        while state.epoch < configuration.epochs {
            let make = batchMaker(order: shuffledOrder(epoch: state.epoch), parallel: !prefetch)
            let prefetcher = prefetch ? BatchPrefetcher(state.batchInEpoch..<steps, make: make) : nil
            defer { prefetcher?.cancel() }
            let epochStart = ContinuousClock.now
            let seenBefore = state.epochSeen
            var clock = ContinuousClock.now
            var imagesSinceClock = 0
            while state.batchInEpoch < steps {
                if shouldStop() {
                    prefetcher?.cancel()
                    state.seconds = secondsSoFar()
                    try checkpoints?.save(self)
                    return false
                }
                let (input, labels) = prefetcher?.next() ?? make(state.batchInEpoch)
                reseedDropout()
                optimizer.learningRate = schedule.learningRate(at: state.step)
                if let momentum = schedule.momentum(at: state.step) {
                    (optimizer as? AdamW)?.beta1 = momentum
                    (optimizer as? SGD)?.momentum = momentum
                }
                let (value, logits) = network.trainStep(
                    input, labels: labels, loss: loss, optimizer: optimizer)
                state.epochLoss += Double(value) * Double(labels.count)
                state.epochCorrect += zip(argmax(logits), labels).filter { $0 == $1 }.count
                state.epochSeen += labels.count
                state.step += 1
                state.batchInEpoch += 1
                imagesSinceClock += labels.count
                let elapsed = ContinuousClock.now - clock
                let seconds =
                    Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                onProgress(
                    TrainingProgress(
                        epoch: state.epoch + 1, epochs: configuration.epochs, batch: state.batchInEpoch,
                        batches: steps, step: state.step, stepLoss: Double(value),
                        loss: state.epochLoss / Double(state.epochSeen),
                        accuracy: Double(state.epochCorrect) / Double(state.epochSeen),
                        imagesPerSecond: seconds > 0 ? Double(imagesSinceClock) / seconds : 0,
                        learningRate: optimizer.learningRate))
                if seconds > 5 {
                    clock = .now
                    imagesSinceClock = 0
                }
                if checkpointDue() {
                    state.seconds = secondsSoFar()
                    try checkpoints?.save(self)
                    lastCheckpoint = .now
                }
            }
            let epochTime = ContinuousClock.now - epochStart
            let epochSeconds =
                Double(epochTime.components.seconds) + Double(epochTime.components.attoseconds) * 1e-18
            state.seconds = secondsSoFar()
            try finishEpoch(imagesPerSecond: Double(state.epochSeen - seenBefore) / max(epochSeconds, 1e-9))
            lastCheckpoint = .now
        }
        return true
    }

    private func finishEpoch(imagesPerSecond: Double) throws {
        let scores = Scores(network: network, images: validation, loss: loss, batchSize: 512)
        let result = EpochRecord(
            epoch: state.epoch + 1, step: state.step,
            trainLoss: state.epochLoss / Double(max(state.epochSeen, 1)),
            trainTop1: Double(state.epochCorrect) / Double(max(state.epochSeen, 1)),
            valLoss: validation.count > 0 ? scores.loss : nil,
            valTop1: validation.count > 0 ? scores.top1 : nil,
            valTop5: validation.count > 0 ? scores.top5 : nil, learningRate: Double(optimizer.learningRate),
            imagesPerSecond: imagesPerSecond, seconds: state.seconds)
        state.history.append(result)
        if state.best == nil || scores.top1 > (state.best!.valTop1 ?? 0) {
            state.best = result
            state.bestWeights = network.stateDict().map { SafeTensors.Entry($0.name, $0.tensor) }
        }
        state.epoch += 1
        state.batchInEpoch = 0
        state.epochLoss = 0
        state.epochCorrect = 0
        state.epochSeen = 0
        try checkpoints?.save(self)
        onEpoch(result)
    }

    /// What makes batch `position` of the current epoch, whenever it runs: the images at that
    /// position of `order`, augmented from the stream of the step that will train on them.
    ///
    /// A function of the position alone, so a batch made ahead by `BatchPrefetcher` is the batch the
    /// synchronous loop would have made.
    func batchMaker(order: [Int], parallel: Bool) -> @Sendable (Int) -> BatchPrefetcher.Batch {
        let (train, batch, seed) = (train, configuration.batchSize, configuration.seed)
        let augmenter = configuration.augment ? augmenter : nil
        // The step that trains on the epoch's batch 0 (the epoch may have been entered mid-way).
        let firstStep = state.step - state.batchInEpoch
        return { position in
            let start = position * batch
            return Batches.make(
                order[start..<min(start + batch, order.count)], of: train, augmenter: augmenter,
                seed: derivedSeed(seed, 2, firstStep + position), parallel: parallel)
        }
    }

    /// The epoch's order of training images: a seeded shuffle of all of them, or under class sampling
    /// a seeded shuffle of each class's share (`classQuotas`) drawn from its images.
    func shuffledOrder(epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: derivedSeed(configuration.seed, 4, epoch))
        guard configuration.sampling != .natural else {
            return Array(0..<train.count).shuffled(using: &generator)
        }
        var byClass = [[Int]](repeating: [], count: train.classes.count)
        for (index, label) in train.labels.enumerated() { byClass[label].append(index) }
        let quotas = Self.classQuotas(counts: byClass.map(\.count), sampling: configuration.sampling)
        var order: [Int] = []
        order.reserveCapacity(train.count)
        for (images, quota) in zip(byClass, quotas) where !images.isEmpty {
            // Every image once per full pass, then a fresh random part of them for the remainder.
            for _ in 0..<(quota / images.count) { order += images }
            order += images.shuffled(using: &generator).prefix(quota % images.count)
        }
        return order.shuffled(using: &generator)
    }

    /// How many images of each class an epoch draws: shares of the total in proportion to 1, the
    /// square root of, or the count itself, rounded by largest remainder so that they add up to the
    /// total. Classes without images get none.
    static func classQuotas(counts: [Int], sampling: TrainingConfiguration.ClassSampling) -> [Int] {
        let total = counts.reduce(0, +)
        let weights = counts.map { count -> Double in
            guard count > 0 else { return 0 }
            switch sampling {
            case .natural: return Double(count)
            case .sqrt: return Double(count).squareRoot()
            case .balanced: return 1
            }
        }
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return counts }
        let exact = weights.map { Double(total) * $0 / sum }
        var quotas = exact.map { Int($0.rounded(.down)) }
        let byRemainder = exact.indices.sorted { a, b in
            let (ra, rb) = (exact[a] - Double(quotas[a]), exact[b] - Double(quotas[b]))
            return ra != rb ? ra > rb : a < b
        }
        for i in byRemainder.prefix(total - quotas.reduce(0, +)) { quotas[i] += 1 }
        return quotas
    }

    /// Dropout masks of step `state.step` come from their own stream, independent of history.
    private func reseedDropout() {
        for (index, layer) in network.layers.enumerated() {
            (layer as? Dropout)?.generator = SeededGenerator(
                seed: derivedSeed(configuration.seed, 5, state.step, index))
        }
    }

    /// The best-by-validation model (the last one if there was no validation yet), as a `Model`.
    public func bestModel(labels: [String], preprocessing: String, summary: [String: String]) throws -> Model
    {
        var generator = SeededGenerator(seed: 0)
        let best = try configuration.spec.build(classes: labels.count, generator: &generator)
        if let weights = state.bestWeights {
            try best.load(stateDict: Dictionary(uniqueKeysWithValues: weights.map { ($0.name, $0.tensor) }))
        } else {
            try best.load(
                stateDict: Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.name, $0.tensor) }))
        }
        var training = summary
        if let b = state.best {
            training["best_epoch"] = String(b.epoch)
            training["val_top1"] = b.valTop1.map { String(format: "%.4f", $0) }
            training["val_top5"] = b.valTop5.map { String(format: "%.4f", $0) }
        }
        return Model(
            spec: configuration.spec, labels: labels, preprocessing: preprocessing, training: training,
            network: best)
    }

    /// The epochs finished so far.
    public var history: [EpochRecord] { state.history }
    /// The epoch with the best validation accuracy so far.
    public var best: EpochRecord? { state.best }
    /// Optimizer steps taken so far.
    public var step: Int { state.step }
}

/// The index of the largest logit of each row of (N, K) logits; ties go to the lower index.
func argmax(_ logits: Tensor) -> [Int] {
    let k = logits.shape[1]
    return (0..<logits.shape[0]).map { i in
        var best = 0
        for j in 1..<k where logits[flat: i * k + j] > logits[flat: i * k + best] { best = j }
        return best
    }
}
