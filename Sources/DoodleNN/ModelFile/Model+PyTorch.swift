import DoodleEngine
import Foundation

extension Model {
    /// A Python module that builds this model's network as PyTorch's `nn.Sequential`, whose
    /// `state_dict` has the model file's tensor names and shapes, so that `load_state_dict(..., strict=True)`
    /// takes the file's tensors: `build()` returns the module, `LABELS` the class names in output
    /// order, `PREPROCESSING` the input's framing.
    ///
    /// Every layer the engine builds has its PyTorch twin at the same index; a global average pool,
    /// which the engine flattens as it pools, is `nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())`
    /// there, a module without parameters, so the indices of the others stay PyTorch's.
    ///
    /// - Throws: `ModelFileError` for a layer with no PyTorch twin (none the engine builds).
    public func pyTorchModule() throws -> String {
        var lines: [String] = []
        for (index, layer) in network.layers.enumerated() {
            let module: String
            switch layer {
            case let conv as Conv2D:
                let padding =
                    switch conv.padding {
                    case .valid: "0"
                    case .same: "\"same\""
                    case .explicit(let n): "\(n)"
                    }
                module =
                    "nn.Conv2d(\(conv.inChannels), \(conv.outChannels), \(conv.kernelSize), stride=\(conv.stride), padding=\(padding))"
            case let norm as BatchNorm2D:
                module = "nn.BatchNorm2d(\(norm.channels), eps=\(norm.epsilon), momentum=\(norm.momentum))"
            case is ReLU: module = "nn.ReLU()"
            case let pool as MaxPool2D: module = "nn.MaxPool2d(\(pool.size), \(pool.stride))"
            case let pool as AvgPool2D: module = "nn.AvgPool2d(\(pool.size), \(pool.stride))"
            case is GlobalAvgPool2D: module = "nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())"
            case is Flatten: module = "nn.Flatten()"
            case let dropout as Dropout: module = "nn.Dropout(\(dropout.rate))"
            case let linear as Linear: module = "nn.Linear(\(linear.inFeatures), \(linear.outFeatures))"
            default:
                throw ModelFileError("network", "layer \(index), \(type(of: layer)), has no PyTorch twin")
            }
            lines.append("        \(module),  # \(index)")
        }
        let labelList = labels.map { "\"\($0.pythonEscaped)\"" }.joined(separator: ", ")
        return """
            # The PyTorch twin of Doodle's '\(spec.name.pythonEscaped)' network, written by `doodle export --format safetensors-torch`.
            # Load the weights beside it with:
            #     from safetensors.torch import load_file
            #     model = build(); model.load_state_dict(load_file("MODEL.safetensors"), strict=True); model.eval()
            # Input: float32 (N, \(spec.input[2]), \(spec.input[0]), \(spec.input[1])), 0 to 1, light ink on black; output: logits (N, \(labels.count)).
            from torch import nn

            LABELS = [\(labelList)]
            PREPROCESSING = "\(preprocessing.pythonEscaped)"


            def build():
                return nn.Sequential(
            \(lines.joined(separator: "\n"))
                )

            """
    }
}

extension String {
    /// The text inside a double-quoted Python string literal.
    var pythonEscaped: String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
