import Foundation

/// A network described as data: the layers in order, each with its settings.
///
/// A new architecture needs no code: write its JSON and pass the file wherever an architecture name
/// is taken. Layer sizes that follow from the previous layer (input channels, input features) are
/// inferred; `"units": "classes"` stands for the number of classes.
///
/// ```json
/// {"name": "small", "layers": [
///   {"type": "conv", "filters": 32, "kernel": 3, "padding": "same"}, {"type": "relu"},
///   {"type": "maxpool", "size": 2}, ..., {"type": "flatten"},
///   {"type": "linear", "units": 256}, {"type": "relu"}, {"type": "linear", "units": "classes"}]}
/// ```
public struct ArchitectureSpec: Codable, Sendable, Equatable {
    /// The architecture's name, recorded in model files.
    public var name: String
    /// The input image: height, width, channels.
    public var input: [Int]
    /// The layers, first to last.
    public var layers: [LayerSpec]

    /// One layer of a spec.
    public struct LayerSpec: Codable, Sendable, Equatable {
        /// `conv`, `relu`, `maxpool`, `avgpool`, `globalavgpool`, `flatten`, `dropout`, `batchnorm`, `linear`.
        public var type: String
        /// conv: output channels.
        public var filters: Int?
        /// conv: kernel side; pooling: window side.
        public var kernel: Int?
        /// pooling: window side (alias of kernel).
        public var size: Int?
        /// conv and pooling: step.
        public var stride: Int?
        /// conv: `same`, `valid`, or a number of zeros on each side.
        public var padding: String?
        /// linear: output features, a number or `classes`.
        public var units: Units?
        /// dropout: the probability of zeroing an element.
        public var rate: Float?

        /// `units` is a count or the word `classes`.
        public enum Units: Codable, Sendable, Equatable {
            case count(Int)
            case classes

            public init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let n = try? container.decode(Int.self) {
                    self = .count(n)
                } else if try container.decode(String.self) == "classes" {
                    self = .classes
                } else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "units must be a number or \"classes\"")
                }
            }

            public func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .count(let n): try container.encode(n)
                case .classes: try container.encode("classes")
                }
            }
        }

        /// A layer spec of the given type with optional settings.
        public init(
            _ type: String, filters: Int? = nil, kernel: Int? = nil, stride: Int? = nil,
            padding: String? = nil,
            units: Units? = nil, rate: Float? = nil
        ) {
            self.type = type
            self.filters = filters
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.units = units
            self.rate = rate
        }
    }

    /// A spec named `name` for `input`-shaped images.
    public init(name: String, input: [Int] = [28, 28, 1], layers: [LayerSpec]) {
        self.name = name
        self.input = input
        self.layers = layers
    }

    enum CodingKeys: String, CodingKey {
        case name, input, layers
    }

    /// Decodes a spec; a missing `input` means a 28×28 grey image, as in the example above.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            input: try container.decodeIfPresent([Int].self, forKey: .input) ?? [28, 28, 1],
            layers: try container.decode([LayerSpec].self, forKey: .layers))
    }
}

/// An architecture spec that cannot be built, naming the layer and the problem.
public struct ArchitectureError: Error, CustomStringConvertible {
    public var description: String
}

extension ArchitectureSpec {
    /// The largest input side or channel count, filter count, unit count and padding a spec may give:
    /// far beyond any drawing model, small enough that no shape or parameter count can overflow `Int`.
    public static let maxDimension = 1 << 16

    /// Builds the network for `classes` classes, with weights drawn from `generator`.
    ///
    /// A spec comes from files (a model file's metadata, an architecture JSON), so every setting is
    /// checked here, before a layer is made or a weight allocated.
    ///
    /// - Parameters:
    ///   - classes: the number of outputs.
    ///   - maxParameters: the most parameters and buffers the network may hold; a model file passes
    ///     the number of values it stores, so a spec that needs more is refused before allocating.
    ///   - generator: the source of the initial weights.
    /// - Throws: `ArchitectureError` for an unknown layer type, a missing or out-of-range setting, a
    ///   layer that does not fit the shape before it, or more than `maxParameters` parameters.
    public func build(
        classes: Int, maxParameters: Int = .max, generator: inout some RandomNumberGenerator
    ) throws -> Sequential {
        let limit = Self.maxDimension
        guard classes > 0 else { throw ArchitectureError(description: "\(name): need at least one class") }
        guard input.count == 3, input.allSatisfy({ $0 > 0 && $0 <= limit }) else {
            throw ArchitectureError(
                description:
                    "\(name): input must be [height, width, channels], each 1...\(limit), got \(input)")
        }
        var shape = [1] + input
        var layers: [any Layer] = []
        var parameterCount = 0
        for (index, spec) in self.layers.enumerated() {
            func fail(_ problem: String) -> ArchitectureError {
                ArchitectureError(description: "\(name), layer \(index) (\(spec.type)): \(problem)")
            }
            // Adds the product of `factors`, plus `extra`, to the parameter count, or fails.
            func allocate(_ factors: [Int], plus extra: Int) throws {
                var (total, overflow) = (1, false)
                for factor in factors {
                    let (product, o) = total.multipliedReportingOverflow(by: factor)
                    (total, overflow) = (product, overflow || o)
                }
                for addend in [extra, parameterCount] {
                    let (sum, o) = total.addingReportingOverflow(addend)
                    (total, overflow) = (sum, overflow || o)
                }
                guard !overflow, total <= maxParameters else {
                    throw fail("needs more parameters than the \(maxParameters) allowed")
                }
                parameterCount = total
            }
            let layer: any Layer
            switch spec.type {
            case "conv":
                guard shape.count == 4 else {
                    throw fail("needs an image input, got shape \(shape.dropFirst())")
                }
                guard let filters = spec.filters, filters > 0, filters <= limit else {
                    throw fail("needs \"filters\", 1...\(limit)")
                }
                let kernel = spec.kernel ?? 3
                let stride = spec.stride ?? 1
                guard kernel > 0, kernel <= limit, stride > 0, stride <= limit else {
                    throw fail("kernel \(kernel) and stride \(stride) must be in 1...\(limit)")
                }
                let padding: Padding
                let padTotal: Int
                switch spec.padding ?? "same" {
                case "same": (padding, padTotal) = (.same, kernel - 1)
                case "valid": (padding, padTotal) = (.valid, 0)
                case let p:
                    guard let n = Int(p), n >= 0, n <= limit else {
                        throw fail("padding must be same, valid or a count in 0...\(limit)")
                    }
                    (padding, padTotal) = (.explicit(n), 2 * n)
                }
                if padding == .same && stride != 1 { throw fail("'same' padding needs stride 1") }
                guard shape[1] + padTotal >= kernel, shape[2] + padTotal >= kernel else {
                    throw fail("kernel \(kernel) is larger than its padded input \(shape.dropFirst())")
                }
                try allocate([filters, shape[3], kernel, kernel], plus: filters)
                layer = Conv2D(
                    inChannels: shape[3], outChannels: filters, kernelSize: kernel, stride: stride,
                    padding: padding, generator: &generator)
            case "relu": layer = ReLU()
            case "maxpool", "avgpool":
                let size = spec.size ?? spec.kernel ?? 2
                guard size > 0, (spec.stride ?? size) > 0 else {
                    throw fail("the window \(size) and stride \(spec.stride ?? size) must be positive")
                }
                guard shape.count == 4, shape[1] >= size, shape[2] >= size else {
                    throw fail("cannot pool shape \(shape.dropFirst()) with window \(size)")
                }
                layer =
                    spec.type == "maxpool"
                    ? MaxPool2D(size: size, stride: spec.stride) : AvgPool2D(size: size, stride: spec.stride)
            case "globalavgpool":
                guard shape.count == 4 else { throw fail("needs an image input") }
                layer = GlobalAvgPool2D()
            case "flatten": layer = Flatten()
            case "dropout":
                let rate = spec.rate ?? 0.5
                guard rate >= 0 && rate < 1 else { throw fail("rate must be in [0, 1)") }
                layer = Dropout(rate: rate, generator: SeededGenerator(seed: generator.next()))
            case "batchnorm":
                guard shape.count == 4 else { throw fail("needs an image input") }
                try allocate([4, shape[3]], plus: 1)
                layer = BatchNorm2D(channels: shape[3])
            case "linear":
                guard shape.count == 2 else { throw fail("needs a flat input: add a flatten layer first") }
                let units: Int
                switch spec.units {
                case .count(let n)?: units = n
                case .classes?: units = classes
                case nil: throw fail("needs \"units\"")
                }
                guard units > 0, units <= limit else { throw fail("units must be in 1...\(limit)") }
                try allocate([shape[1], units], plus: units)
                layer = Linear(inFeatures: shape[1], outFeatures: units, generator: &generator)
            default:
                throw fail("unknown layer type")
            }
            shape = layer.outputShape(for: shape)
            layers.append(layer)
        }
        guard shape == [1, classes] else {
            throw ArchitectureError(
                description: "\(name): the last layer outputs \(shape.dropFirst()), not \(classes) classes")
        }
        return Sequential(layers)
    }
}
