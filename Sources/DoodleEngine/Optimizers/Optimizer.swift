/// Updates parameters from their gradients.
public protocol Optimizer: AnyObject {
    /// The step size for the next `step()`; schedules set it before each step.
    var learningRate: Float { get set }
    /// Applies one update to every parameter from its current gradient.
    func step()
    /// The optimizer's per-parameter state (momentum buffers, moments, step count), for checkpoints.
    var state: [String: Tensor] { get }
    /// Restores state saved by `state`.
    func load(state: [String: Tensor]) throws
}

/// An optimizer state that does not fit the parameters it is loaded for.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public var description: String
}
