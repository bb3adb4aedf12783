/// A learnable tensor of a layer, with the gradient that backpropagation accumulates into it.
public final class Parameter {
    /// The name PyTorch gives it inside its module: `weight`, `bias`, `running_mean`, ...
    public let name: String
    /// The current value, in the engine's layout.
    public var value: Tensor
    /// The gradient of the loss with respect to `value`, summed over the batch; zeroed by the optimizer.
    public var grad: Tensor
    /// Whether an optimizer updates it (BatchNorm's running statistics are not trained).
    public let isTrainable: Bool

    /// A parameter holding `value`, with a zero gradient of the same shape.
    public init(_ name: String, _ value: Tensor, trainable: Bool = true) {
        self.name = name
        self.value = value
        self.grad = Tensor(repeating: 0, shape: trainable ? value.shape : [0])
        self.isTrainable = trainable
    }
}

/// One layer of a network: a forward pass and the backward pass that undoes it.
///
/// Image tensors are NHWC. `forward` with `training: true` keeps what `backward` needs; `backward`
/// takes the gradient with respect to the last output, adds the parameter gradients into
/// `Parameter.grad`, and returns the gradient with respect to the last input.
public protocol Layer: AnyObject {
    /// The output for `input`; `training` selects dropout and batch statistics.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// The gradient with respect to the input of the last training-mode `forward`.
    func backward(_ dOutput: Tensor) -> Tensor
    /// The output shape for an input shape (batch included), or a precondition failure if it does not fit.
    func outputShape(for inputShape: [Int]) -> [Int]
    /// The layer's parameters and buffers, in PyTorch's `state_dict` order.
    var parameters: [Parameter] { get }
    /// When false the layer may skip computing the input gradient (the network's first layer).
    var needsInputGradient: Bool { get set }
}

extension Layer {
    public var parameters: [Parameter] { [] }
}
