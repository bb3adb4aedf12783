/// A network: layers applied one after another, named as PyTorch's `nn.Sequential` names them.
///
/// Parameters are called `"\(index).\(name)"` (`0.weight`, `3.bias`, ...), with indices counting every
/// layer, parameterless ones included, so that a `state_dict` of the same PyTorch model has the same keys.
public final class Sequential {
    /// The layers, first to last.
    public let layers: [any Layer]

    /// A network of `layers`; the first one is told it need not compute its input's gradient.
    public init(_ layers: [any Layer]) {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        self.layers = layers
        layers[0].needsInputGradient = false
        for (layer, next) in zip(layers, layers.dropFirst()) where next is ReLU {
            if let conv = layer as? Conv2D { conv.fusedReLU = true }
            if let linear = layer as? Linear { linear.fusedReLU = true }
            if let norm = layer as? BatchNorm2D { norm.fusedReLU = true }
        }
        // A convolution, its ReLU and a max pool: in training, one convolution storing its output
        // through the ReLU, and a pool passing the gradient only where the ReLU did, which saves
        // two passes over the largest activations each way.
        for i in layers.indices.dropLast(2) {
            guard let conv = layers[i] as? Conv2D, layers[i + 1] is ReLU,
                let pool = layers[i + 2] as? MaxPool2D
            else { continue }
            conv.reluInTraining = true
            pool.gatesReLU = true
        }
    }

    /// Whether `layer` applies the ReLU after it, which is then skipped: a convolution or linear
    /// layer does in inference, batch norm, and a convolution before a max pool, in training too.
    private static func appliesNextReLU(_ layer: any Layer, training: Bool) -> Bool {
        switch layer {
        case let norm as BatchNorm2D: norm.fusedReLU
        case let conv as Conv2D: conv.fusedReLU && (!training || conv.reluInTraining)
        case let linear as Linear: linear.fusedReLU && !training
        default: false
        }
    }

    /// Runs every layer, but a ReLU the layer before applies (`skips`).
    public func forward(_ input: Tensor, training: Bool = false) -> Tensor {
        forward(input, layers: layers.indices, training: training)
    }

    /// Inference up to the last layer and through it: the last layer's input (the penultimate
    /// features, what a class prototype or a new head is built on) and the network's output.
    public func forwardWithFeatures(_ input: Tensor) -> (features: Tensor, output: Tensor) {
        let features = forward(input, layers: 0..<(layers.count - 1), training: false)
        return (features, forward(features, layers: (layers.count - 1)..<layers.count, training: false))
    }

    private func forward(_ input: Tensor, layers range: Range<Int>, training: Bool) -> Tensor {
        var x = input
        for index in range where !skips(index, training: training) {
            x = layers[index].forward(x, training: training)
        }
        return x
    }

    /// Backpropagates `dOutput` through every layer, last first, accumulating parameter gradients.
    public func backward(_ dOutput: Tensor) {
        var d = dOutput
        for index in layers.indices.reversed() where !skips(index, training: true) {
            d = layers[index].backward(d)
        }
    }

    /// Whether layer `index` is a ReLU that the layer before applies.
    public func skips(_ index: Int, training: Bool) -> Bool {
        index > 0 && layers[index] is ReLU && Self.appliesNextReLU(layers[index - 1], training: training)
    }

    /// The output shape for an input shape.
    public func outputShape(for inputShape: [Int]) -> [Int] {
        layers.reduce(inputShape) { $1.outputShape(for: $0) }
    }

    /// Every parameter and buffer with its PyTorch `state_dict` key, in `state_dict` order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.parameters.map { (name: "\(index).\($0.name)", parameter: $0) }
        }
    }

    /// The parameters an optimizer updates.
    public var trainableParameters: [Parameter] {
        namedParameters.map(\.parameter).filter(\.isTrainable)
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { trainableParameters.reduce(0) { $0 + $1.value.count } }

    /// Sets every gradient to zero.
    public func zeroGradients() {
        for p in trainableParameters { p.grad.zero() }
    }
}
