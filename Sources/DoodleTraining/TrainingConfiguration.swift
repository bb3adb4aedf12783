import DoodleNN

/// Everything that decides what a training run computes. Two runs with equal configurations and
/// data end with bit-identical models, whether or not they were interrupted and resumed.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Which optimizer updates the weights.
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case adamw, sgd }
    /// How the learning rate moves over the run.
    public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
        case onecycle, cosine, step, constant
    }

    /// How often each class is drawn in an epoch. An epoch always has as many images as the training
    /// split; only their mix changes.
    public enum ClassSampling: String, Codable, Sendable, CaseIterable {
        /// Every training image once, so a class comes up as often as it has images.
        case natural
        /// Class `c` in proportion to the square root of its image count: a 9,500-image class comes
        /// up about 5 times as often as a 400-image one, not 24 times.
        case sqrt
        /// Every class equally often.
        case balanced
    }

    public var spec: ArchitectureSpec
    public var epochs: Int
    public var batchSize: Int
    /// The peak (one-cycle) or initial learning rate.
    public var learningRate: Float
    public var optimizer: OptimizerKind
    public var schedule: ScheduleKind
    /// Decoupled weight decay for AdamW, L2 for SGD.
    public var weightDecay: Float
    public var labelSmoothing: Float
    public var augment: Bool
    public var seed: UInt64
    public var sampling: ClassSampling

    /// A configuration with the defaults `doodle train` uses.
    public init(
        spec: ArchitectureSpec, epochs: Int = 10, batchSize: Int = 256, learningRate: Float = 0.003,
        optimizer: OptimizerKind = .adamw, schedule: ScheduleKind = .onecycle, weightDecay: Float = 0,
        labelSmoothing: Float = 0, augment: Bool = false, seed: UInt64 = 0,
        sampling: ClassSampling = .natural
    ) {
        self.spec = spec
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.labelSmoothing = labelSmoothing
        self.augment = augment
        self.seed = seed
        self.sampling = sampling
    }

    /// Steps per epoch for `trainCount` training images: full batches only, as the peer does.
    public func stepsPerEpoch(trainCount: Int) -> Int { max(1, trainCount / batchSize) }

    func makeSchedule(totalSteps: Int) -> any LearningRateSchedule {
        switch schedule {
        case .onecycle: return OneCycleSchedule(maxRate: learningRate, totalSteps: totalSteps)
        case .cosine:
            return WarmupSchedule(
                warmupSteps: max(1, totalSteps / 20), startFactor: 0.1,
                then: CosineSchedule(baseRate: learningRate, totalSteps: max(1, totalSteps - totalSteps / 20))
            )
        case .step: return StepSchedule(baseRate: learningRate, stepSize: max(1, totalSteps / 3), gamma: 0.1)
        case .constant: return ConstantSchedule(learningRate)
        }
    }

    func makeOptimizer(_ parameters: [Parameter]) -> any Optimizer {
        switch optimizer {
        case .adamw: return AdamW(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .sgd:
            return SGD(
                parameters, learningRate: learningRate, momentum: 0.9, nesterov: true,
                weightDecay: weightDecay)
        }
    }
}

/// A seed for one purpose at one point of a run (an epoch's shuffle, a step's dropout masks), mixed so
/// that nearby inputs give unrelated streams. Deriving every stream from (seed, position) instead of
/// carrying generator state is what lets a resumed run repeat an unbroken one exactly.
func derivedSeed(_ seed: UInt64, _ purpose: UInt64, _ a: Int, _ b: Int = 0) -> UInt64 {
    var g = SeededGenerator(seed: seed ^ (purpose &* 0x9E37_79B9_7F4A_7C15))
    var x = g.next() ^ UInt64(bitPattern: Int64(a)) &* 0xBF58_476D_1CE4_E5B9
    x ^= UInt64(bitPattern: Int64(b)) &* 0x94D0_49BB_1331_11EB
    var mixed = SeededGenerator(seed: x)
    return mixed.next()
}
