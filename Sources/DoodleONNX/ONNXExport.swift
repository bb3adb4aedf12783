import DoodleNN
import Foundation
import SwiftProtobuf

/// A model that cannot be written as, or read from, ONNX: what is wrong, in words.
public struct ONNXError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

extension Model {
    /// The ONNX opset the exported graphs use.
    public static let onnxOpset: Int64 = 17

    /// The model as an ONNX model (opset 17), serialized: the network as PyTorch's `nn.Sequential` of
    /// the same architecture computes it, from input `input` (N, C, H, W), float 0...1 with light ink
    /// on black, to output `probabilities` (N, classes), the softmax of the last layer. The batch size
    /// is dynamic (`batch`). Batch norms are kept as `BatchNormalization` nodes (ONNX Runtime folds
    /// them); dropout is left out, as at inference.
    ///
    /// The model's metadata properties hold what a user needs besides the weights: `labels` (a JSON
    /// array of the class names in output order), `preprocessing` (`quickdraw` or `mnist`) and
    /// `preprocessing_description`, `architecture`, `spec` (Doodle's architecture JSON) and `training`.
    ///
    /// - Throws: `ONNXError` for a network with a layer ONNX export does not know (none the engine
    ///   builds), or `ModelFileError` when its tensors cannot be read.
    public func onnxModel() throws -> [UInt8] {
        var graph = Onnx_GraphProto()
        graph.name = spec.name
        let tensors = Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.name, $0.tensor) })
        func initializer(_ name: String) throws -> String {
            guard let tensor = tensors[name] else { throw ONNXError("the network has no tensor '\(name)'") }
            graph.initializer.append(
                Onnx_TensorProto.with {
                    $0.name = name
                    $0.dims = tensor.shape.map(Int64.init)
                    $0.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
                    $0.rawData = Data(tensor.scalars.flatMap { Self.littleEndianBytes($0) })
                })
            return name
        }
        var current = "input"
        func node(_ type: String, _ inputs: [String], index: Int, attributes: [Onnx_AttributeProto] = []) {
            let output = "\(index).\(type.lowercased())"
            graph.node.append(
                Onnx_NodeProto.with {
                    $0.opType = type
                    $0.name = "\(index).\(type)"
                    $0.input = inputs
                    $0.output = [output]
                    $0.attribute = attributes
                })
            current = output
        }
        for (index, layer) in network.layers.enumerated() {
            switch layer {
            case let conv as Conv2D:
                let k = conv.kernelSize
                let (before, after): (Int, Int) =
                    switch conv.padding {
                    case .valid: (0, 0)
                    case .same: ((k - 1) / 2, k - 1 - (k - 1) / 2)
                    case .explicit(let n): (n, n)
                    }
                node(
                    "Conv", [current, try initializer("\(index).weight"), try initializer("\(index).bias")],
                    index: index,
                    attributes: [
                        .ints("kernel_shape", [k, k]), .ints("strides", [conv.stride, conv.stride]),
                        .ints("pads", [before, before, after, after]), .ints("dilations", [1, 1]),
                        .int("group", 1),
                    ])
            case let norm as BatchNorm2D:
                node(
                    "BatchNormalization",
                    try ["weight", "bias", "running_mean", "running_var"].reduce(into: [current]) {
                        $0.append(try initializer("\(index).\($1)"))
                    }, index: index, attributes: [.float("epsilon", norm.epsilon), .float("momentum", 0.9)])
            case is ReLU:
                node("Relu", [current], index: index)
            case let pool as MaxPool2D:
                node(
                    "MaxPool", [current], index: index,
                    attributes: [
                        .ints("kernel_shape", [pool.size, pool.size]),
                        .ints("strides", [pool.stride, pool.stride]),
                    ])
            case let pool as AvgPool2D:
                node(
                    "AveragePool", [current], index: index,
                    attributes: [
                        .ints("kernel_shape", [pool.size, pool.size]),
                        .ints("strides", [pool.stride, pool.stride]),
                    ])
            case is GlobalAvgPool2D:
                node("GlobalAveragePool", [current], index: index)
                node("Flatten", [current], index: index, attributes: [.int("axis", 1)])
            case is Flatten:
                node("Flatten", [current], index: index, attributes: [.int("axis", 1)])
            case is Dropout:
                continue
            case is Linear:
                node(
                    "Gemm", [current, try initializer("\(index).weight"), try initializer("\(index).bias")],
                    index: index, attributes: [.int("transB", 1)])
            default:
                throw ONNXError("ONNX export does not know the layer \(type(of: layer)) (layer \(index))")
            }
        }
        graph.node.append(
            Onnx_NodeProto.with {
                $0.opType = "Softmax"
                $0.name = "probabilities"
                $0.input = [current]
                $0.output = ["probabilities"]
                $0.attribute = [.int("axis", 1)]
            })
        let (height, width, channels) = (spec.input[0], spec.input[1], spec.input[2])
        graph.input = [.float("input", batch: "batch", [channels, height, width])]
        graph.output = [.float("probabilities", batch: "batch", [labels.count])]

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let properties: [(String, String)] = [
            ("labels", String(decoding: try encoder.encode(labels), as: UTF8.self)),
            ("preprocessing", preprocessing),
            (
                "preprocessing_description",
                "input: float32 (batch, \(channels), \(height), \(width)), 0 to 1, light ink (1) on black (0); "
                    + (preprocessing == "mnist"
                        ? "MNIST's framing: the drawing scaled into 20×20 and centred by its centre of mass in 28×28"
                        : "Quick, Draw!'s numpy_bitmap: the strokes rendered as Google rendered them (doodle render)")
            ),
            ("architecture", spec.name),
            ("spec", String(decoding: try encoder.encode(spec), as: UTF8.self)),
            ("training", String(decoding: try encoder.encode(training), as: UTF8.self)),
        ]
        let model = Onnx_ModelProto.with {
            $0.irVersion = 8
            $0.opsetImport = [Onnx_OperatorSetIdProto.with { $0.version = Self.onnxOpset }]
            $0.producerName = "doodle"
            $0.producerVersion = "1"
            $0.graph = graph
            $0.metadataProps = properties.map { key, value in
                Onnx_StringStringEntryProto.with {
                    $0.key = key
                    $0.value = value
                }
            }
        }
        return try model.serializedBytes()
    }

    static func littleEndianBytes(_ value: Float) -> [UInt8] {
        let bits = value.bitPattern
        return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * $0)) }
    }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int) -> Self {
        .with {
            $0.name = name
            $0.type = .int
            $0.i = Int64(value)
        }
    }

    static func ints(_ name: String, _ values: [Int]) -> Self {
        .with {
            $0.name = name
            $0.type = .ints
            $0.ints = values.map(Int64.init)
        }
    }

    static func float(_ name: String, _ value: Float) -> Self {
        .with {
            $0.name = name
            $0.type = .float
            $0.f = value
        }
    }
}

extension Onnx_ValueInfoProto {
    /// A float tensor's name and shape: a symbolic first dimension called `batch`, then `sizes`.
    static func float(_ name: String, batch: String, _ sizes: [Int]) -> Self {
        .with {
            $0.name = name
            $0.type = Onnx_TypeProto.with {
                $0.tensorType = Onnx_TypeProto.Tensor.with {
                    $0.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
                    $0.shape = Onnx_TensorShapeProto.with {
                        $0.dim =
                            [Onnx_TensorShapeProto.Dimension.with { $0.dimParam = batch }]
                            + sizes.map { size in
                                Onnx_TensorShapeProto.Dimension.with { $0.dimValue = Int64(size) }
                            }
                    }
                }
            }
        }
    }
}
