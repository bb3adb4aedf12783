/// A state dict that does not fit the network it is loaded into.
public struct StateDictError: Error, CustomStringConvertible {
    public var description: String
}

extension Sequential {
    /// Every parameter and buffer in PyTorch's layout, keyed as `nn.Sequential.state_dict()` keys them.
    ///
    /// Convolution weights go from the engine's (KH, KW, C, K) to PyTorch's (K, C, KH, KW); everything
    /// else is already in PyTorch's layout.
    public func stateDict() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        for (index, layer) in layers.enumerated() {
            for p in layer.parameters {
                let tensor =
                    (layer as? Conv2D).map { p === $0.weight ? hwioToOihw(p.value) : p.value } ?? p.value
                result.append((name: "\(index).\(p.name)", tensor: tensor))
            }
        }
        return result
    }

    /// Loads PyTorch-layout tensors into the network, checking that every name is present with the
    /// expected shape and that no name is left over.
    ///
    /// - Parameter stateDict: tensors by `state_dict` key, in PyTorch's layout.
    /// - Throws: `StateDictError` naming the missing, misshapen or unexpected tensor.
    public func load(stateDict: [String: Tensor]) throws {
        var unused = Set(stateDict.keys)
        for (index, layer) in layers.enumerated() {
            for p in layer.parameters {
                let name = "\(index).\(p.name)"
                guard let tensor = stateDict[name] else {
                    throw StateDictError(description: "the model file has no tensor '\(name)'")
                }
                unused.remove(name)
                let isConvWeight = (layer as? Conv2D).map { p === $0.weight } ?? false
                let expected = isConvWeight ? hwioToOihw(p.value).shape : p.value.shape
                guard tensor.shape == expected else {
                    throw StateDictError(
                        description: "'\(name)' has shape \(tensor.shape), expected \(expected)")
                }
                p.value = isConvWeight ? oihwToHwio(tensor) : tensor
            }
        }
        if !unused.isEmpty {
            throw StateDictError(
                description:
                    "the model file has tensors this architecture lacks: \(unused.sorted().joined(separator: ", "))"
            )
        }
    }
}

/// (KH, KW, C, K) -> (K, C, KH, KW)
func hwioToOihw(_ w: Tensor) -> Tensor { permuted(w, [3, 2, 0, 1]) }

/// (K, C, KH, KW) -> (KH, KW, C, K)
func oihwToHwio(_ w: Tensor) -> Tensor { permuted(w, [2, 3, 1, 0]) }

/// A 4-D tensor with its axes reordered: output axis `d` is input axis `order[d]`.
func permuted(_ w: Tensor, _ order: [Int]) -> Tensor {
    precondition(
        w.shape.count == 4 && order.sorted() == [0, 1, 2, 3], "permuted needs a 4-D tensor and an axis order")
    let shape = order.map { w.shape[$0] }
    let inputStrides = [w.shape[1] * w.shape[2] * w.shape[3], w.shape[2] * w.shape[3], w.shape[3], 1]
    let s = order.map { inputStrides[$0] }  // input stride of each output axis
    return w.withUnsafeBufferPointer { src in
        Tensor(shape: shape) { dst in
            var out = 0
            for a in 0..<shape[0] {
                for b in 0..<shape[1] {
                    for c in 0..<shape[2] {
                        for d in 0..<shape[3] {
                            dst[out] = src[a * s[0] + b * s[1] + c * s[2] + d * s[3]]
                            out += 1
                        }
                    }
                }
            }
        }
    }
}
