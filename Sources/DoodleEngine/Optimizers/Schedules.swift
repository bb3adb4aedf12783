import Foundation

/// A learning rate for every optimizer step, as PyTorch's `lr_scheduler`s compute them.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for step `step` (0-based).
    func learningRate(at step: Int) -> Float
    /// The momentum (SGD) or β₁ (Adam) for step `step`, for schedules that cycle it; nil otherwise.
    func momentum(at step: Int) -> Float?
}

extension LearningRateSchedule {
    public func momentum(at step: Int) -> Float? { nil }
}

/// A constant learning rate.
public struct ConstantSchedule: LearningRateSchedule {
    public var rate: Float
    /// A schedule that always answers `rate`.
    public init(_ rate: Float) { self.rate = rate }
    public func learningRate(at step: Int) -> Float { rate }
}

/// One-cycle (Smith): cosine up from `maxRate / divFactor` to `maxRate` over the first
/// `warmupFraction` of the steps, then cosine down to `maxRate / divFactor / finalDivFactor`;
/// momentum moves the opposite way between `maxMomentum` and `baseMomentum`. PyTorch's `OneCycleLR`.
public struct OneCycleSchedule: LearningRateSchedule {
    public var maxRate: Float
    public var totalSteps: Int
    public var warmupFraction: Double = 0.3
    public var divFactor: Double = 25
    public var finalDivFactor: Double = 1e4
    public var baseMomentum: Double = 0.85
    public var maxMomentum: Double = 0.95

    /// A one-cycle schedule peaking at `maxRate`, over `totalSteps` steps.
    public init(maxRate: Float, totalSteps: Int) {
        precondition(totalSteps > 0, "a one-cycle schedule needs at least one step")
        self.maxRate = maxRate
        self.totalSteps = totalSteps
    }

    private func phase(_ step: Int) -> (start: Double, end: Double, fraction: Double, rising: Bool) {
        let peak = warmupFraction * Double(totalSteps) - 1
        let last = Double(totalSteps - 1)
        let s = Double(step)
        if s <= peak { return (0, peak, s / peak, true) }
        return (peak, last, (s - peak) / (last - peak), false)
    }

    private static func cosine(_ from: Double, _ to: Double, _ fraction: Double) -> Double {
        to + (from - to) / 2 * (cos(Double.pi * fraction) + 1)
    }

    public func learningRate(at step: Int) -> Float {
        let initial = Double(maxRate) / divFactor
        let p = phase(step)
        return Float(
            p.rising
                ? Self.cosine(initial, Double(maxRate), p.fraction)
                : Self.cosine(Double(maxRate), initial / finalDivFactor, p.fraction))
    }

    public func momentum(at step: Int) -> Float? {
        let p = phase(step)
        return Float(
            p.rising
                ? Self.cosine(maxMomentum, baseMomentum, p.fraction)
                : Self.cosine(baseMomentum, maxMomentum, p.fraction))
    }
}

/// Cosine annealing from `baseRate` to `minRate` over `totalSteps`: PyTorch's `CosineAnnealingLR`.
public struct CosineSchedule: LearningRateSchedule {
    public var baseRate: Float
    public var totalSteps: Int
    public var minRate: Float

    /// A cosine decay over `totalSteps` steps.
    public init(baseRate: Float, totalSteps: Int, minRate: Float = 0) {
        precondition(totalSteps > 0)
        self.baseRate = baseRate
        self.totalSteps = totalSteps
        self.minRate = minRate
    }

    public func learningRate(at step: Int) -> Float {
        let fraction = Double(min(step, totalSteps)) / Double(totalSteps)
        return minRate + (baseRate - minRate) * Float((1 + cos(Double.pi * fraction)) / 2)
    }
}

/// The rate multiplied by `gamma` every `stepSize` steps: PyTorch's `StepLR`.
public struct StepSchedule: LearningRateSchedule {
    public var baseRate: Float
    public var stepSize: Int
    public var gamma: Float

    /// A step decay by `gamma` every `stepSize` steps.
    public init(baseRate: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0)
        self.baseRate = baseRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Float {
        baseRate * Float(pow(Double(gamma), Double(step / stepSize)))
    }
}

/// A linear warm-up from `startFactor` × the rate to the full rate over `warmupSteps`, then `schedule`
/// (counted from the end of the warm-up). With `schedule` constant, PyTorch's `LinearLR`.
public struct WarmupSchedule<Base: LearningRateSchedule>: LearningRateSchedule {
    public var warmupSteps: Int
    public var startFactor: Float
    public var schedule: Base

    /// A warm-up of `warmupSteps` steps before `schedule`.
    public init(warmupSteps: Int, startFactor: Float = 1.0 / 3, then schedule: Base) {
        self.warmupSteps = warmupSteps
        self.startFactor = startFactor
        self.schedule = schedule
    }

    public func learningRate(at step: Int) -> Float {
        guard step < warmupSteps else { return schedule.learningRate(at: step - warmupSteps) }
        let factor = startFactor + (1 - startFactor) * Float(step) / Float(warmupSteps)
        return schedule.learningRate(at: 0) * factor
    }

    public func momentum(at step: Int) -> Float? { schedule.momentum(at: max(step - warmupSteps, 0)) }
}
