/// The operands of batch normalisation's per-channel sums over activations x (rows, C): Σx, then
/// Σx·y (Σx² without `y`), into `sums`, 2·C doubles, overwritten.
///
/// With a `gate` (2·C floats: γ, then β), x counts only where γ·y + β > 0: in the backward pass of
/// batch norm followed by ReLU, x is dOutput, y is x̂, and the gate is that ReLU's mask.
public struct ChannelSums {
    public var rows, channels: Int
    public var x: UnsafePointer<Float>
    public var y: UnsafePointer<Float>?
    public var gate: UnsafePointer<Float>?
    public var sums: UnsafeMutablePointer<Double>

    public init(
        rows: Int, channels: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>? = nil,
        gate: UnsafePointer<Float>? = nil, sums: UnsafeMutablePointer<Double>
    ) {
        (self.rows, self.channels, self.x, self.y, self.gate, self.sums) = (rows, channels, x, y, gate, sums)
    }
}

/// The operands of batch normalisation's forward pass over input (rows, C), with `parameters` 4·C
/// floats: mean, inverse standard deviation, γ, β. It writes x̂ = (x − mean)·inverseStd into
/// `normalized` when given, and γ·x̂ + β into `output`, then ReLU when `relu`.
public struct BatchNormForward {
    public var rows, channels: Int
    public var input, parameters: UnsafePointer<Float>
    public var relu: Bool
    public var normalized: UnsafeMutablePointer<Float>?
    public var output: UnsafeMutablePointer<Float>

    public init(
        rows: Int, channels: Int, input: UnsafePointer<Float>, parameters: UnsafePointer<Float>, relu: Bool,
        normalized: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        (self.rows, self.channels, self.input, self.parameters) = (rows, channels, input, parameters)
        (self.relu, self.normalized, self.output) = (relu, normalized, output)
    }
}

/// The operands of batch normalisation's input gradient over dOutput and x̂ (rows, C), with
/// `parameters` 5·C floats: scale, meanG, meanGXhat, γ, β. Per channel,
/// dInput = scale·(g − meanG − x̂·meanGXhat), where g is dOutput, or with `relu` dOutput where
/// γ·x̂ + β > 0.
public struct BatchNormBackward {
    public var rows, channels: Int
    public var dOutput, normalized, parameters: UnsafePointer<Float>
    public var relu: Bool
    public var dInput: UnsafeMutablePointer<Float>

    public init(
        rows: Int, channels: Int, dOutput: UnsafePointer<Float>, normalized: UnsafePointer<Float>,
        parameters: UnsafePointer<Float>, relu: Bool, dInput: UnsafeMutablePointer<Float>
    ) {
        (self.rows, self.channels, self.dOutput, self.normalized) = (rows, channels, dOutput, normalized)
        (self.parameters, self.relu, self.dInput) = (parameters, relu, dInput)
    }
}
