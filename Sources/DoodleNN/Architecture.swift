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
    /// Builds the network for `classes` classes, with weights drawn from `generator`.
    ///
    /// - Throws: `ArchitectureError` for an unknown layer type, a missing setting, or a layer that
    ///   does not fit the shape before it.
    public func build(classes: Int, generator: inout some RandomNumberGenerator) throws -> Sequential {
        guard classes > 0 else { throw ArchitectureError(description: "\(name): need at least one class") }
        guard input.count == 3, input.allSatisfy({ $0 > 0 }) else {
            throw ArchitectureError(
                description: "\(name): input must be [height, width, channels], got \(input)")
        }
        var shape = [1] + input
        var layers: [any Layer] = []
        for (index, spec) in self.layers.enumerated() {
            func fail(_ problem: String) -> ArchitectureError {
                ArchitectureError(description: "\(name), layer \(index) (\(spec.type)): \(problem)")
            }
            let layer: any Layer
            switch spec.type {
            case "conv":
                guard shape.count == 4 else {
                    throw fail("needs an image input, got shape \(shape.dropFirst())")
                }
                guard let filters = spec.filters, filters > 0 else { throw fail("needs \"filters\"") }
                let kernel = spec.kernel ?? 3
                let stride = spec.stride ?? 1
                let padding: Padding
                switch spec.padding ?? "same" {
                case "same": padding = .same
                case "valid": padding = .valid
                case let p:
                    guard let n = Int(p), n >= 0 else { throw fail("padding must be same, valid or a count") }
                    padding = .explicit(n)
                }
                if padding == .same && stride != 1 { throw fail("'same' padding needs stride 1") }
                layer = Conv2D(
                    inChannels: shape[3], outChannels: filters, kernelSize: kernel, stride: stride,
                    padding: padding, generator: &generator)
            case "relu": layer = ReLU()
            case "maxpool", "avgpool":
                let size = spec.size ?? spec.kernel ?? 2
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
                layer = BatchNorm2D(channels: shape[3])
            case "linear":
                guard shape.count == 2 else { throw fail("needs a flat input: add a flatten layer first") }
                let units: Int
                switch spec.units {
                case .count(let n)?: units = n
                case .classes?: units = classes
                case nil: throw fail("needs \"units\"")
                }
                guard units > 0 else { throw fail("units must be positive") }
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
