/// A fully connected layer: input (N, in) -> output (N, out) = input · weightᵀ + bias.
///
/// The weight is stored as PyTorch stores it, (out, in).
public final class Linear: Layer {
    public let inFeatures, outFeatures: Int
    public let weight: Parameter
    public let bias: Parameter
    public var needsInputGradient = true
    /// Apply ReLU to the output in the same pass (inference fast path; set by the model builder).
    public var fusedReLU = false
    private var input = Tensor(shape: [0], scalars: [])
    private var output = Tensor(shape: [0], scalars: [])
    /// The weight packed for batches, made by `packForInference()`; training drops it.
    private var packedWeight: GEMM.PackedB?
    /// The kernel set that runs this layer: the engine's choice unless a test picks another.
    public var kernels = KernelSet.current

    /// A layer with He-initialised weights and zero bias.
    public init(inFeatures: Int, outFeatures: Int, generator: inout some RandomNumberGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(
            "weight", .heNormal(shape: [outFeatures, inFeatures], fanIn: inFeatures, using: &generator))
        bias = Parameter("bias", Tensor(repeating: 0, shape: [outFeatures]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for s: [Int]) -> [Int] {
        precondition(s.count == 2 && s[1] == inFeatures, "Linear expects (N, \(inFeatures)), got \(s)")
        return [s[0], outFeatures]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let shape = outputShape(for: input.shape)
        if training {
            self.input = input
            packedWeight = nil
        }
        output.resize(to: shape)
        // Batch 1 multiplies a row by the matrix, reading the weight in place; batches use the packed one.
        if shape[0] > 1, let packedWeight {
            input.withUnsafeBufferPointer { x in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        GEMM.multiply(
                            m: shape[0], a: x.baseAddress!, aRowStride: inFeatures, aColStride: 1,
                            packedB: packedWeight, c: y.baseAddress!, ldc: outFeatures, bias: b.baseAddress!,
                            relu: fusedReLU)
                    }
                }
            }
            return output
        }
        input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                bias.value.withUnsafeBufferPointer { b in
                    output.withUnsafeMutableBufferPointer { y in
                        GEMM.multiply(
                            m: shape[0], n: outFeatures, k: inFeatures,
                            a: x.baseAddress!, aRowStride: inFeatures, aColStride: 1,
                            b: w.baseAddress!, bRowStride: 1, bColStride: inFeatures,
                            c: y.baseAddress!, ldc: outFeatures, bias: b.baseAddress!,
                            relu: fusedReLU && !training, kernels: kernels)
                    }
                }
            }
        }
        return output
    }

    /// Packs the weight once for batched products, for a network that only infers from now on (an
    /// inference copy). A training forward pass drops the packed copy.
    public func packForInference() {
        packedWeight = weight.value.withUnsafeBufferPointer {
            GEMM.PackedB(
                k: inFeatures, n: outFeatures, b: $0.baseAddress!, bRowStride: 1, bColStride: inFeatures,
                kernels: kernels)
        }
    }

    public func backward(_ dOutput: Tensor) -> Tensor {
        let n = input.shape[0]
        precondition(
            dOutput.shape == [n, outFeatures], "Linear.backward needs a training-mode forward first")
        return dOutput.withUnsafeBufferPointer { dy in
            // dWeight (out, in) += dOutputᵀ · input
            input.withUnsafeBufferPointer { x in
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    GEMM.multiply(
                        m: outFeatures, n: inFeatures, k: n,
                        a: dy.baseAddress!, aRowStride: 1, aColStride: outFeatures,
                        b: x.baseAddress!, bRowStride: inFeatures, bColStride: 1,
                        c: dw.baseAddress!, ldc: inFeatures, accumulate: true, kernels: kernels)
                }
            }
            bias.grad.withUnsafeMutableBufferPointer {
                addColumnSums(dy.baseAddress!, rows: n, columns: outFeatures, into: $0.baseAddress!)
            }
            guard needsInputGradient else { return Tensor(shape: [0], scalars: []) }
            // dInput (N, in) = dOutput · weight
            return weight.value.withUnsafeBufferPointer { w in
                Tensor(shape: [n, inFeatures]) { dx in
                    GEMM.multiply(
                        m: n, n: inFeatures, k: outFeatures,
                        a: dy.baseAddress!, aRowStride: outFeatures, aColStride: 1,
                        b: w.baseAddress!, bRowStride: inFeatures, bColStride: 1,
                        c: dx.baseAddress!, ldc: inFeatures, kernels: kernels)
                }
            }
        }
    }
}
