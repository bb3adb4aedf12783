import DoodleNN
import Foundation
import SwiftProtobuf

/// Brings a CNN trained elsewhere into Doodle: an ONNX graph that is a chain of the operators the
/// engine has, in NCHW or NHWC layout, becomes a Doodle model with the same weights.
///
/// Taken: Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Gemm, MatMul (with
/// an Add of a bias), Flatten, Reshape (to (N, features)), Dropout, Identity, Transpose (an NHWC input
/// made NCHW, or NCHW made NHWC before a flatten, as tf2onnx writes Keras models), and a trailing
/// Softmax or LogSoftmax. Anything else is refused with the operator named. The file is outside input:
/// every count and size is checked before it is used.
public enum ONNXImport {
    /// The most bytes an ONNX file may have: far beyond a drawing model.
    public static let maxFileBytes = 512 << 20

    /// The model in `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: an ONNX file.
    ///   - labels: the class names; nil to read them from the metadata property `labels` (a JSON array).
    ///   - preprocessing: `quickdraw` or `mnist`; nil to read the property `preprocessing`, else
    ///     `quickdraw`.
    /// - Throws: `ONNXError` saying what cannot be imported: not ONNX, an operator the engine lacks, a
    ///   graph that is not a chain, a tensor that does not fit, labels missing or of the wrong count.
    public static func model(from bytes: [UInt8], labels: [String]? = nil, preprocessing: String? = nil)
        throws
        -> Model
    {
        guard bytes.count <= maxFileBytes else {
            throw ONNXError("the file has \(bytes.count) bytes; at most \(maxFileBytes) are read")
        }
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw ONNXError("not an ONNX model: \(error)")
        }
        guard proto.hasGraph else { throw ONNXError("not an ONNX model: it has no graph") }
        var reader = try GraphReader(proto.graph)
        let (spec, tensors) = try reader.read()
        let properties = Dictionary(
            proto.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let classes = reader.classes
        let names: [String]
        if let labels {
            names = labels
        } else if let text = properties["labels"],
            let decoded = try? JSONDecoder().decode([String].self, from: Data(text.utf8))
        {
            names = decoded
        } else {
            throw ONNXError("the model's metadata has no labels; give them with --labels (one per line)")
        }
        guard names.count == classes else {
            throw ONNXError("\(names.count) labels for a model of \(classes) outputs")
        }
        let framing = preprocessing ?? properties["preprocessing"] ?? "quickdraw"
        guard ["quickdraw", "mnist"].contains(framing) else {
            throw ONNXError("preprocessing '\(framing.prefix(40))' is not quickdraw or mnist")
        }
        var generator = SeededGenerator(seed: 0)
        let network: Sequential
        do {
            network = try spec.build(classes: classes, generator: &generator)
            try network.load(stateDict: tensors)
        } catch {
            throw ONNXError("the graph does not make a Doodle network: \(error)")
        }
        return Model(
            spec: spec, labels: names, preprocessing: framing,
            training: ["imported_from": "onnx", "producer": proto.producerName], network: network)
    }
}

/// Reads a chain of nodes into an architecture spec and a PyTorch-layout state dict.
struct GraphReader {
    /// What flows between nodes: a feature map, or a flat vector whose order is PyTorch's (C, H, W) or
    /// Keras's (H, W, C).
    enum Shape {
        case map(c: Int, h: Int, w: Int, channelsLast: Bool)
        case flat(Int, from: (c: Int, h: Int, w: Int)?, channelsLast: Bool)
    }

    /// The largest magnitude a weight or statistic may have.
    static let maxValue: Float = 1e6

    let graph: Onnx_GraphProto
    var initializers: [String: Onnx_TensorProto] = [:]
    var layers: [ArchitectureSpec.LayerSpec] = []
    var tensors: [String: Tensor] = [:]
    var input: [Int] = []
    var classes = 0

    init(_ graph: Onnx_GraphProto) throws {
        self.graph = graph
        guard graph.initializer.count <= 10_000, graph.node.count <= 10_000 else {
            throw ONNXError(
                "the graph has \(graph.node.count) nodes and \(graph.initializer.count) tensors; too many")
        }
        for tensor in graph.initializer { initializers[tensor.name] = tensor }
    }

    mutating func read() throws -> (ArchitectureSpec, [String: Tensor]) {
        let inputs = graph.input.filter { initializers[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ONNXError("the graph has \(inputs.count) inputs; a Doodle model takes one image")
        }
        let dims = input.type.tensorType.shape.dim
        guard dims.count == 4 else {
            throw ONNXError("the input '\(input.name)' has \(dims.count) dimensions, not 4")
        }
        let sizes = try dims.dropFirst().map { dim -> Int in
            guard dim.dimValue > 0, dim.dimValue <= Int64(ArchitectureSpec.maxDimension) else {
                throw ONNXError("the input '\(input.name)' has a dimension of unknown or unusable size")
            }
            return Int(dim.dimValue)
        }
        var nodes = graph.node[...]
        var current = input.name
        var shape: Shape
        if let first = nodes.first, first.opType == "Transpose", try Self.ints(first, "perm") == [0, 3, 1, 2]
        {
            shape = .map(c: sizes[2], h: sizes[0], w: sizes[1], channelsLast: false)
            current = try output(of: first)
            nodes = nodes.dropFirst()
        } else {
            shape = .map(c: sizes[0], h: sizes[1], w: sizes[2], channelsLast: false)
        }
        if case .map(let c, let h, let w, _) = shape { self.input = [h, w, c] }

        var index = nodes.startIndex
        while index < nodes.endIndex {
            let node = nodes[index]
            index += 1
            guard node.input.first == current else {
                throw ONNXError(
                    "the graph is not a chain: node '\(node.name)' (\(node.opType)) does not read '\(current)'"
                )
            }
            switch node.opType {
            case "Conv":
                shape = try conv(node, shape)
            case "BatchNormalization":
                shape = try batchNorm(node, shape)
            case "Relu":
                layers.append(.init("relu"))
            case "MaxPool", "AveragePool":
                shape = try pool(node, shape)
            case "GlobalAveragePool":
                guard case .map(let c, _, _, false) = shape else { throw misplaced(node) }
                layers.append(.init("globalavgpool"))
                // The engine's pool is flat already: a Flatten or Reshape after it changes nothing.
                shape = .flat(c, from: nil, channelsLast: false)
            case "Transpose":
                guard case .map(let c, let h, let w, false) = shape,
                    try Self.ints(node, "perm") == [0, 2, 3, 1]
                else {
                    throw ONNXError("Transpose '\(node.name)': only NCHW to NHWC before a flatten is taken")
                }
                shape = .map(c: c, h: h, w: w, channelsLast: true)
            case "Flatten", "Reshape":
                shape = try flatten(node, shape)
            case "Gemm":
                shape = try gemm(node, shape)
            case "MatMul":
                // MatMul and the Add of a constant bias after it are one fully connected layer.
                if index < nodes.endIndex, nodes[index].opType == "Add", nodes[index].input.count == 2,
                    nodes[index].input[0] == node.output.first, let bias = initializers[nodes[index].input[1]]
                {
                    let add = nodes[index]
                    index += 1
                    shape = try linear(
                        node, shape, weight: try initializer(node, 1), transposed: false, bias: bias)
                    current = try output(of: add)
                    continue
                }
                shape = try linear(
                    node, shape, weight: try initializer(node, 1), transposed: false, bias: nil)
            case "Dropout":
                layers.append(.init("dropout", rate: try dropoutRate(node)))
            case "Identity":
                break
            case "Softmax", "LogSoftmax":
                guard index == nodes.endIndex else {
                    throw ONNXError("\(node.opType) '\(node.name)' is only taken as the last node")
                }
            default:
                throw ONNXError(
                    "the operator \(node.opType) (node '\(node.name)') is not one the engine has; it takes Conv, Relu, "
                        + "MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Gemm, MatMul+Add, Flatten, "
                        + "Reshape, Dropout, Transpose and a final Softmax")
            }
            current = try output(of: node)
        }
        guard let last = layers.last, last.type == "linear", case .flat(let n, _, _) = shape else {
            throw ONNXError(
                "the graph does not end in a fully connected layer (Gemm or MatMul), which gives the classes")
        }
        classes = n
        layers[layers.count - 1].units = .classes
        return (
            ArchitectureSpec(
                name: graph.name.isEmpty ? "onnx" : String(graph.name.prefix(64)), input: self.input,
                layers: layers), tensors
        )
    }

    // MARK: operators

    mutating func conv(_ node: Onnx_NodeProto, _ shape: Shape) throws -> Shape {
        guard case .map(let c, let h, let w, false) = shape else { throw misplaced(node) }
        let weight = try initializer(node, 1)
        let dims = try Self.dims(weight, node)
        guard dims.count == 4, dims[1] == c, dims[2] == dims[3], dims[0] > 0 else {
            throw ONNXError(
                "Conv '\(node.name)': weight \(dims) does not fit \(c) input channels and a square kernel")
        }
        let (filters, k) = (dims[0], dims[2])
        guard try Self.int(node, "group", default: 1) == 1 else {
            throw unsupported(node, "grouped convolution")
        }
        guard try Self.ints(node, "dilations", default: [1, 1]).allSatisfy({ $0 == 1 }) else {
            throw unsupported(node, "dilation")
        }
        let strides = try Self.ints(node, "strides", default: [1, 1])
        guard strides.count == 2, strides[0] == strides[1], strides[0] > 0, strides[0] <= 64 else {
            throw unsupported(node, "strides \(strides)")
        }
        let stride = strides[0]
        let padding: String
        let total: Int
        switch try Self.string(node, "auto_pad", default: "NOTSET") {
        case "VALID": (padding, total) = ("valid", 0)
        case "SAME_UPPER" where stride == 1: (padding, total) = ("same", k - 1)
        case "NOTSET":
            let pads = try Self.ints(node, "pads", default: [0, 0, 0, 0])
            guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 <= 1024 }) else {
                throw unsupported(node, "pads \(pads)")
            }
            if pads.allSatisfy({ $0 == pads[0] }) {
                (padding, total) = (pads[0] == 0 ? "valid" : "\(pads[0])", 2 * pads[0])
            } else if stride == 1,
                pads == [(k - 1) / 2, (k - 1) / 2, k - 1 - (k - 1) / 2, k - 1 - (k - 1) / 2]
            {
                (padding, total) = ("same", k - 1)
            } else {
                throw unsupported(node, "pads \(pads)")
            }
        case let other: throw unsupported(node, "auto_pad \(other)")
        }
        let (oh, ow) = ((h + total - k) / stride + 1, (w + total - k) / stride + 1)
        guard h + total >= k, w + total >= k else {
            throw ONNXError("Conv '\(node.name)': the kernel is larger than its input")
        }
        let index = layers.count
        layers.append(.init("conv", filters: filters, kernel: k, stride: stride, padding: padding))
        tensors["\(index).weight"] = try Self.tensor(weight, node, shape: dims)
        tensors["\(index).bias"] =
            try node.input.count > 2 && !node.input[2].isEmpty
            ? Self.tensor(try initializer(node, 2), node, shape: [filters])
            : Tensor(repeating: 0, shape: [filters])
        return .map(c: filters, h: oh, w: ow, channelsLast: false)
    }

    mutating func batchNorm(_ node: Onnx_NodeProto, _ shape: Shape) throws -> Shape {
        guard case .map(let c, _, _, false) = shape, node.input.count == 5 else { throw misplaced(node) }
        let index = layers.count
        layers.append(.init("batchnorm"))
        let parts = try (1...4).map { try Self.tensor(try initializer(node, $0), node, shape: [c]) }
        // The engine's batch norm has PyTorch's epsilon, 1e-5; another (Keras's 1e-3) moves into the variance.
        let epsilon = try Self.float(node, "epsilon", default: 1e-5)
        guard epsilon.isFinite, epsilon >= 0, epsilon < 1 else {
            throw unsupported(node, "epsilon \(epsilon)")
        }
        let variance = Tensor(shape: [c], scalars: parts[3].scalars.map { $0 + epsilon - 1e-5 })
        tensors["\(index).weight"] = parts[0]
        tensors["\(index).bias"] = parts[1]
        tensors["\(index).running_mean"] = parts[2]
        tensors["\(index).running_var"] = variance
        tensors["\(index).num_batches_tracked"] = Tensor(repeating: 0, shape: [])
        return shape
    }

    mutating func pool(_ node: Onnx_NodeProto, _ shape: Shape) throws -> Shape {
        guard case .map(let c, let h, let w, false) = shape else { throw misplaced(node) }
        let kernel = try Self.ints(node, "kernel_shape", default: [])
        let strides = try Self.ints(node, "strides", default: kernel)
        guard kernel.count == 2, kernel[0] == kernel[1], kernel[0] > 0, kernel[0] <= min(h, w),
            strides.count == 2,
            strides[0] == strides[1], strides[0] > 0, strides[0] <= 64
        else { throw unsupported(node, "window \(kernel), strides \(strides)") }
        guard try Self.ints(node, "pads", default: [0, 0, 0, 0]).allSatisfy({ $0 == 0 }),
            try Self.string(node, "auto_pad", default: "NOTSET") != "SAME_UPPER",
            try Self.int(node, "ceil_mode", default: 0) == 0
        else { throw unsupported(node, "padding or ceil mode") }
        let (k, s) = (kernel[0], strides[0])
        layers.append(.init(node.opType == "MaxPool" ? "maxpool" : "avgpool", kernel: k, stride: s))
        return .map(c: c, h: (h - k) / s + 1, w: (w - k) / s + 1, channelsLast: false)
    }

    mutating func flatten(_ node: Onnx_NodeProto, _ shape: Shape) throws -> Shape {
        guard case .map(let c, let h, let w, let channelsLast) = shape else {
            if case .flat = shape { return shape }  // already flat (after a global pool): nothing to do
            throw misplaced(node)
        }
        if node.opType == "Flatten" {
            guard try Self.int(node, "axis", default: 1) == 1 else {
                throw unsupported(node, "axis other than 1")
            }
        } else {
            let target = try Self.tensor(try initializer(node, 1), node, integers: true)
            guard target.count == 2, [0, -1].contains(Int(target.scalars[0])) || target.scalars[0] == 1,
                [-1, c * h * w].contains(Int(target.scalars[1]))
            else { throw unsupported(node, "a reshape other than to (batch, features)") }
        }
        layers.append(.init("flatten"))
        return .flat(c * h * w, from: (c, h, w), channelsLast: channelsLast)
    }

    mutating func gemm(_ node: Onnx_NodeProto, _ shape: Shape) throws -> Shape {
        guard try Self.float(node, "alpha", default: 1) == 1, try Self.float(node, "beta", default: 1) == 1,
            try Self.int(node, "transA", default: 0) == 0
        else { throw unsupported(node, "alpha, beta or transA") }
        let bias = node.input.count > 2 && !node.input[2].isEmpty ? try initializer(node, 2) : nil
        return try linear(
            node, shape, weight: try initializer(node, 1),
            transposed: try Self.int(node, "transB", default: 0) == 1,
            bias: bias)
    }

    /// A fully connected layer: `weight` is (out, in) when `transposed`, else (in, out).
    mutating func linear(
        _ node: Onnx_NodeProto, _ shape: Shape, weight: Onnx_TensorProto, transposed: Bool,
        bias: Onnx_TensorProto?
    ) throws -> Shape {
        guard case .flat(let features, let from, let channelsLast) = shape else { throw misplaced(node) }
        let dims = try Self.dims(weight, node)
        guard dims.count == 2 else {
            throw ONNXError("\(node.opType) '\(node.name)': a weight of \(dims.count) dimensions")
        }
        let (outputs, inputs) = transposed ? (dims[0], dims[1]) : (dims[1], dims[0])
        guard inputs == features, outputs > 0 else {
            throw ONNXError(
                "\(node.opType) '\(node.name)': weight \(dims) does not take \(features) features")
        }
        let values = try Self.tensor(weight, node, shape: dims).scalars
        // PyTorch's (out, in), with the inputs in (C, H, W) order where Keras flattened (H, W, C).
        var rows = [Float](repeating: 0, count: outputs * inputs)
        for o in 0..<outputs {
            for i in 0..<inputs {
                var source = i
                if channelsLast, let (c, h, w) = from {
                    let (channel, rest) = i.quotientAndRemainder(dividingBy: h * w)
                    let (y, x) = rest.quotientAndRemainder(dividingBy: w)
                    source = (y * w + x) * c + channel
                }
                rows[o * inputs + i] = transposed ? values[o * inputs + source] : values[source * outputs + o]
            }
        }
        let index = layers.count
        layers.append(.init("linear", units: .count(outputs)))
        tensors["\(index).weight"] = Tensor(shape: [outputs, inputs], scalars: rows)
        tensors["\(index).bias"] =
            try bias.map { try Self.tensor($0, node, shape: [outputs]) }
            ?? Tensor(repeating: 0, shape: [outputs])
        return .flat(outputs, from: nil, channelsLast: false)
    }

    func dropoutRate(_ node: Onnx_NodeProto) throws -> Float {
        if node.input.count > 1, !node.input[1].isEmpty, let ratio = initializers[node.input[1]] {
            let value = try Self.tensor(ratio, node).scalars
            if let rate = value.first, value.count == 1, rate >= 0, rate < 1 { return rate }
        }
        let rate = try Self.float(node, "ratio", default: 0.5)
        guard rate >= 0, rate < 1 else { throw unsupported(node, "ratio \(rate)") }
        return rate
    }

    // MARK: checked access

    func initializer(_ node: Onnx_NodeProto, _ position: Int) throws -> Onnx_TensorProto {
        guard node.input.count > position, let tensor = initializers[node.input[position]] else {
            throw ONNXError(
                "\(node.opType) '\(node.name)': input \(position) must be a constant in the file (an initializer)"
            )
        }
        return tensor
    }

    func output(of node: Onnx_NodeProto) throws -> String {
        guard let output = node.output.first, !output.isEmpty else {
            throw ONNXError("\(node.opType) '\(node.name)' has no output")
        }
        return output
    }

    func misplaced(_ node: Onnx_NodeProto) -> ONNXError {
        ONNXError("\(node.opType) '\(node.name)' comes where the engine cannot take it")
    }

    func unsupported(_ node: Onnx_NodeProto, _ what: String) -> ONNXError {
        ONNXError("\(node.opType) '\(node.name)': \(what) is not supported")
    }

    static func attribute(_ node: Onnx_NodeProto, _ name: String) -> Onnx_AttributeProto? {
        node.attribute.first { $0.name == name }
    }

    static func int(_ node: Onnx_NodeProto, _ name: String, default value: Int) throws -> Int {
        guard let attribute = attribute(node, name) else { return value }
        guard attribute.hasI, abs(attribute.i) <= 1 << 30 else {
            throw ONNXError("\(node.opType) '\(node.name)': attribute \(name) is not a small integer")
        }
        return Int(attribute.i)
    }

    static func ints(_ node: Onnx_NodeProto, _ name: String, default value: [Int] = []) throws -> [Int] {
        guard let attribute = attribute(node, name) else { return value }
        guard attribute.ints.count <= 8, attribute.ints.allSatisfy({ abs($0) <= 1 << 30 }) else {
            throw ONNXError(
                "\(node.opType) '\(node.name)': attribute \(name) is not a short list of small integers")
        }
        return attribute.ints.map { Int($0) }
    }

    static func float(_ node: Onnx_NodeProto, _ name: String, default value: Float) throws -> Float {
        guard let attribute = attribute(node, name) else { return value }
        guard attribute.hasF, attribute.f.isFinite else {
            throw ONNXError("\(node.opType) '\(node.name)': attribute \(name) is not a number")
        }
        return attribute.f
    }

    static func string(_ node: Onnx_NodeProto, _ name: String, default value: String) throws -> String {
        guard let attribute = attribute(node, name) else { return value }
        return String(decoding: attribute.s.prefix(64), as: UTF8.self)
    }

    /// A tensor's dimensions, each checked, and their product with it.
    static func dims(_ tensor: Onnx_TensorProto, _ node: Onnx_NodeProto) throws -> [Int] {
        guard tensor.dims.count <= 4, tensor.dims.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else {
            throw ONNXError("\(node.opType) '\(node.name)': tensor '\(tensor.name)' has unusable dimensions")
        }
        let dims = tensor.dims.map { Int($0) }
        var count = 1
        for d in dims {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 28 else {
                throw ONNXError("\(node.opType) '\(node.name)': tensor '\(tensor.name)' is too large")
            }
            count = product
        }
        return dims
    }

    /// A float tensor's values (or a 64- or 32-bit integer tensor's, when `integers`), checked against
    /// its dimensions and, when given, `shape`.
    static func tensor(
        _ tensor: Onnx_TensorProto, _ node: Onnx_NodeProto, shape: [Int]? = nil, integers: Bool = false
    ) throws -> Tensor {
        let dims = try dims(tensor, node)
        if let shape, shape != dims {
            throw ONNXError(
                "\(node.opType) '\(node.name)': tensor '\(tensor.name)' is \(dims), expected \(shape)")
        }
        let count = dims.reduce(1, *)
        guard tensor.dataLocation != .external, tensor.externalData.isEmpty else {
            throw ONNXError(
                "tensor '\(tensor.name)' is stored outside the file; save the model with its weights inside")
        }
        let name = "\(node.opType) '\(node.name)': tensor '\(tensor.name)'"
        let values: [Float]
        switch (Onnx_TensorProto.DataType(rawValue: Int(tensor.dataType)), integers) {
        case (.float, false):
            if tensor.hasRawData {
                guard tensor.rawData.count == count * 4 else {
                    throw ONNXError("\(name) has \(tensor.rawData.count) bytes for \(count) floats")
                }
                values = tensor.rawData.withUnsafeBytes { raw in
                    (0..<count).map {
                        Float(
                            bitPattern: UInt32(
                                littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                    }
                }
            } else {
                guard tensor.floatData.count == count else {
                    throw ONNXError("\(name) has \(tensor.floatData.count) floats for \(count)")
                }
                values = tensor.floatData
            }
        case (.int64, true):
            if tensor.hasRawData {
                guard tensor.rawData.count == count * 8 else {
                    throw ONNXError("\(name) has \(tensor.rawData.count) bytes for \(count) integers")
                }
                values = tensor.rawData.withUnsafeBytes { raw in
                    (0..<count).map {
                        Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)))
                    }
                }
            } else {
                guard tensor.int64Data.count == count else {
                    throw ONNXError("\(name) has \(tensor.int64Data.count) integers for \(count)")
                }
                values = tensor.int64Data.map { Float($0) }
            }
        default:
            throw ONNXError("\(name) is of type \(tensor.dataType), not \(integers ? "int64" : "float32")")
        }
        guard integers || values.allSatisfy(\.isFinite) else {
            throw ONNXError("\(name) holds NaN or infinity")
        }
        // A trained network's weights and statistics are far smaller; larger ones are a damaged file.
        guard integers || values.allSatisfy({ abs($0) <= GraphReader.maxValue }) else {
            throw ONNXError("\(name) holds values beyond ±1e6: not the weights of a trained network")
        }
        return Tensor(shape: dims, scalars: values)
    }
}
