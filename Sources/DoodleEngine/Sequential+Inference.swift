extension Sequential {
    /// A copy of the network for inference only: each batch norm after a convolution is folded into
    /// the convolution's weights and bias, a 2×2 max pool after a convolution (and its ReLU) is done
    /// by the convolution as it stores, and dropout is dropped, so `small` runs as three convolutions
    /// and two linear layers, each with its weight packed once for the matrix product.
    ///
    /// The copy shares no storage with the original (weights are copy-on-write values) and has its
    /// own buffers, so it may run on another thread. Its layer indices differ from the original's:
    /// save the original, not the copy.
    public func inferenceCopy() -> Sequential {
        var result: [any Layer] = []
        var generator = SeededGenerator(seed: 0)
        for layer in layers {
            switch layer {
            case let bn as BatchNorm2D:
                if let conv = result.last as? Conv2D {
                    result[result.count - 1] = conv.folding(bn)
                } else {
                    result.append(bn.copy())
                }
            case is Dropout:
                continue
            case let conv as Conv2D:
                result.append(conv.copy(generator: &generator))
            case let linear as Linear:
                result.append(linear.copy(generator: &generator))
            case is ReLU: result.append(ReLU())
            case is Flatten: result.append(Flatten())
            case is GlobalAvgPool2D: result.append(GlobalAvgPool2D())
            case let pool as MaxPool2D:
                if pool.size == 2 && pool.stride == 2, let conv = convolutionToPool(&result) {
                    conv.fusedMaxPool = true
                } else {
                    result.append(MaxPool2D(size: pool.size, stride: pool.stride))
                }
            case let pool as AvgPool2D: result.append(AvgPool2D(size: pool.size, stride: pool.stride))
            default: fatalError("inferenceCopy: unknown layer \(type(of: layer))")
            }
        }
        for case let conv as Conv2D in result { conv.packForInference() }
        for case let linear as Linear in result { linear.packForInference() }
        return Sequential(result)
    }

    /// The convolution at the end of `layers`, or before its trailing ReLU, which then becomes the
    /// convolution's fused ReLU; nil if `layers` does not end so (or that convolution pools already).
    private func convolutionToPool(_ layers: inout [any Layer]) -> Conv2D? {
        if let conv = layers.last as? Conv2D, !conv.fusedMaxPool {
            return conv
        }
        guard layers.count >= 2, layers.last is ReLU, let conv = layers[layers.count - 2] as? Conv2D,
            !conv.fusedMaxPool
        else { return nil }
        layers.removeLast()
        conv.fusedReLU = true
        return conv
    }
}

extension Conv2D {
    func copy(generator: inout some RandomNumberGenerator) -> Conv2D {
        let copy = Conv2D(
            inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
            padding: padding, generator: &generator)
        copy.weight.value = weight.value
        copy.bias.value = bias.value
        // A copy of an inference copy keeps what its layers do in place of the ReLUs and pools it
        // no longer has.
        copy.fusedReLU = fusedReLU
        copy.fusedMaxPool = fusedMaxPool
        return copy
    }

    /// This convolution followed by `bn` in inference mode, as one convolution:
    /// w'[·, k] = w[·, k]·s[k] and b'[k] = (b[k] − μ[k])·s[k] + β[k], with s = γ / √(σ² + ε).
    func folding(_ bn: BatchNorm2D) -> Conv2D {
        var generator = SeededGenerator(seed: 0)
        let folded = copy(generator: &generator)
        let k = outChannels
        let scale = (0..<k).map {
            bn.weight.value[flat: $0] / (bn.runningVariance.value[flat: $0] + bn.epsilon).squareRoot()
        }
        folded.weight.value.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count { w[i] *= scale[i % k] }
        }
        for c in 0..<k {
            folded.bias.value[flat: c] =
                (bias.value[flat: c] - bn.runningMean.value[flat: c]) * scale[c] + bn.bias.value[flat: c]
        }
        return folded
    }
}

extension Linear {
    func copy(generator: inout some RandomNumberGenerator) -> Linear {
        let copy = Linear(inFeatures: inFeatures, outFeatures: outFeatures, generator: &generator)
        copy.weight.value = weight.value
        copy.bias.value = bias.value
        return copy
    }
}

extension BatchNorm2D {
    func copy() -> BatchNorm2D {
        let copy = BatchNorm2D(channels: channels, epsilon: epsilon, momentum: momentum)
        for (to, from) in zip(copy.parameters, parameters) { to.value = from.value }
        return copy
    }
}
