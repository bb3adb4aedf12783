import Foundation

/// A trained network and everything needed to use it: its architecture, its class names, how its
/// input is made, and how it was trained.
///
/// Stored as a safetensors file: the weights under PyTorch's `state_dict` keys and layouts (so the
/// same file loads into the PyTorch twin of the architecture), and in `__metadata__`:
/// `format` (`doodle-model/1`), `arch` (the name), `classes` (the count), `spec` (the architecture as
/// JSON), `labels` (the class names as a JSON array), `preprocessing`, and `training` (a JSON summary).
public final class Model {
    /// The architecture the weights belong to.
    public let spec: ArchitectureSpec
    /// The class names, in output order.
    public let labels: [String]
    /// How inputs are made: `quickdraw` (strokes rendered as Google's numpy_bitmap) or `mnist`.
    public let preprocessing: String
    /// Free-form facts about training (accuracy, epochs, data, command), as strings.
    public var training: [String: String]
    /// The network, with its weights.
    public let network: Sequential

    /// The file format this version writes and reads.
    public static let format = "doodle-model/1"

    /// A model around `network`, which must have been built from `spec` for `labels.count` classes.
    public init(
        spec: ArchitectureSpec, labels: [String], preprocessing: String, training: [String: String] = [:],
        network: Sequential
    ) {
        precondition(
            network.outputShape(for: [1] + spec.input) == [1, labels.count],
            "network does not fit spec/labels")
        self.spec = spec
        self.labels = labels
        self.preprocessing = preprocessing
        self.training = training
        self.network = network
    }

    /// Loads a model file, checking every tensor's name, shape and dtype against its architecture.
    ///
    /// - Throws: `ModelFileError` naming the file and the problem: not a safetensors file, truncated,
    ///   corrupt, missing metadata, an architecture that cannot be built, or tensors that do not match.
    public convenience init(contentsOf url: URL) throws {
        try self.init(SafeTensors(contentsOf: url))
    }

    /// A model from a safetensors file already read (from disk, a download, an upload), checked as
    /// `init(contentsOf:)` checks one.
    ///
    /// - Parameter file: the tensors and metadata; errors name its `source`.
    /// - Throws: `ModelFileError` naming `file.source` and the problem: missing metadata, an architecture
    ///   that cannot be built, or tensors that do not match it.
    public convenience init(_ file: SafeTensors) throws {
        let source = file.source
        func field(_ key: String) throws -> String {
            guard let value = file.metadata[key] else {
                throw ModelFileError(source, "not a Doodle model: __metadata__ has no '\(key)'")
            }
            return value
        }
        let format = try field("format")
        guard format == Self.format else {
            throw ModelFileError(source, "format '\(format)' is not \(Self.format)")
        }
        let decoder = JSONDecoder()
        let spec: ArchitectureSpec
        let labels: [String]
        var training: [String: String] = [:]
        do {
            spec = try decoder.decode(ArchitectureSpec.self, from: Data(try field("spec").utf8))
            labels = try decoder.decode([String].self, from: Data(try field("labels").utf8))
            if let summary = file.metadata["training"] {
                training = try decoder.decode([String: String].self, from: Data(summary.utf8))
            }
        } catch let error as ModelFileError {
            throw error
        } catch {
            throw ModelFileError(source, "unreadable metadata: \(error)")
        }
        guard !labels.isEmpty else { throw ModelFileError(source, "the model has no class labels") }
        var generator = SeededGenerator(seed: 0)
        let network: Sequential
        do {
            // The file must hold every parameter, so a spec that needs far more is refused before its
            // weights are allocated; the slack lets a near miss reach the clearer tensor checks below.
            let stored = file.entries.reduce(0) { $0 + $1.tensor.count }
            network = try spec.build(
                classes: labels.count, maxParameters: 16 * stored + (1 << 20), generator: &generator)
        } catch {
            throw ModelFileError(source, "\(error)")
        }
        let expected = network.stateDict()
        try file.checkNames(expected.map(\.name))
        var tensors: [String: Tensor] = [:]
        for (name, tensor) in expected {
            let dtype: SafeTensors.DType = name.hasSuffix("num_batches_tracked") ? .i64 : .f32
            tensors[name] = try file.tensor(name, shape: tensor.shape, dtype: dtype)
        }
        do {
            try network.load(stateDict: tensors)
        } catch {
            throw ModelFileError(source, "\(error)")
        }
        // The weights fit the spec; the summary fields must agree with it too.
        if let arch = file.metadata["arch"], arch != spec.name {
            throw ModelFileError(source, "__metadata__ says arch '\(arch)' but its spec is '\(spec.name)'")
        }
        if let classes = file.metadata["classes"], classes != String(labels.count) {
            throw ModelFileError(
                source, "__metadata__ says \(classes) classes but it has \(labels.count) labels")
        }
        self.init(
            spec: spec, labels: labels, preprocessing: try field("preprocessing"), training: training,
            network: network)
    }

    /// The model as a safetensors file's contents.
    public func safeTensors() throws -> SafeTensors {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let entries = network.stateDict().map { name, tensor in
            SafeTensors.Entry(name, tensor, dtype: name.hasSuffix("num_batches_tracked") ? .i64 : .f32)
        }
        let metadata = [
            "format": Self.format,
            "arch": spec.name,
            "classes": String(labels.count),
            "spec": String(decoding: try encoder.encode(spec), as: UTF8.self),
            "labels": String(decoding: try encoder.encode(labels), as: UTF8.self),
            "preprocessing": preprocessing,
            "training": String(decoding: try encoder.encode(training), as: UTF8.self),
        ]
        return SafeTensors(entries, metadata: metadata)
    }

    /// Writes the model atomically: to a temporary name beside `url`, then renamed over it.
    ///
    /// - Throws: `ModelFileError` when the file cannot be written; `url` is then left as it was.
    public func write(to url: URL) throws {
        var file = try safeTensors()
        file.source = url.path
        try file.write(to: url)
    }
}
