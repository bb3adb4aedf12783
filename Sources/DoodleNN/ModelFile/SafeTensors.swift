/// A model file that Doodle cannot use, naming the file and the problem.
public struct ModelFileError: Error, CustomStringConvertible, Equatable {
    /// The file (or in-memory source) at fault.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    /// An error about `file`, explaining `problem`.
    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

/// The tensors and string metadata of a safetensors file.
///
/// The format is an 8-byte little-endian header length, a UTF-8 JSON header that maps each tensor name
/// to its `dtype`, `shape` and `data_offsets` (plus an optional `__metadata__` object of strings), then
/// the tensors' bytes, little-endian and row-major. Every tensor is converted to `Float` on reading; its
/// stored dtype is kept beside it. Layouts are PyTorch's (NCHW images, conv weights (K, C, kh, kw)).
///
/// ```swift
/// let file = try SafeTensors(contentsOf: url)
/// try file.checkNames(["0.weight", "0.bias"])
/// let weight = try file.tensor("0.weight", shape: [32, 1, 3, 3])
/// ```
public struct SafeTensors: Sendable, Equatable {
    /// One named tensor and the element type it is (or will be) stored as.
    public struct Entry: Sendable, Equatable {
        /// The tensor's key in the header, e.g. `0.weight`.
        public var name: String
        /// The values, converted to `Float`.
        public var tensor: Tensor
        /// The element type in the file.
        public var dtype: DType

        /// An entry named `name`, stored as `dtype` (single precision unless told otherwise).
        public init(_ name: String, _ tensor: Tensor, dtype: DType = .f32) {
            self.name = name
            self.tensor = tensor
            self.dtype = dtype
        }
    }

    /// The tensors: in the order of their bytes when read from a file, in writing order otherwise.
    public var entries: [Entry]
    /// The `__metadata__` strings (empty when the file has none).
    public var metadata: [String: String]
    /// The file path (or label) that error messages name.
    public var source: String

    /// A set of tensors to write, or to look up by name.
    ///
    /// - Parameters:
    ///   - entries: the tensors, in the order they will be written.
    ///   - metadata: free-form strings stored under `__metadata__`.
    ///   - source: the name error messages use for these tensors.
    public init(_ entries: [Entry], metadata: [String: String] = [:], source: String = "<memory>") {
        self.entries = entries
        self.metadata = metadata
        self.source = source
    }

    /// The tensor names, in the order of `entries`.
    public var names: [String] { entries.map(\.name) }

    /// The entry called `name`, or `nil` when there is none.
    public subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    /// The tensor called `name`, after checking that it exists and has the expected shape and dtype.
    ///
    /// - Parameters:
    ///   - name: the tensor's key, e.g. `0.weight`.
    ///   - shape: the shape the caller needs, in the file's (PyTorch's) layout.
    ///   - dtype: the element type the file must store it as; `nil` accepts any.
    /// - Returns: the tensor, converted to `Float`.
    /// - Throws: `ModelFileError` naming the tensor when it is missing or has another shape or dtype.
    public func tensor(_ name: String, shape: [Int], dtype: DType? = nil) throws -> Tensor {
        guard let entry = self[name] else {
            throw ModelFileError(source, "no tensor named \(name); the file has \(Self.list(names))")
        }
        guard entry.tensor.shape == shape else {
            throw ModelFileError(source, "\(name) has shape \(entry.tensor.shape), expected \(shape)")
        }
        if let dtype, entry.dtype != dtype {
            throw ModelFileError(source, "\(name) has dtype \(entry.dtype), expected \(dtype)")
        }
        return entry.tensor
    }

    /// Checks that the file holds exactly the tensors called `expected`, no fewer and no more.
    ///
    /// - Parameter expected: every tensor name a model needs.
    /// - Throws: `ModelFileError` listing the missing names and the unexpected extra ones.
    public func checkNames(_ expected: some Sequence<String>) throws {
        let wanted = Set(expected)
        let present = Set(names)
        let missing = wanted.subtracting(present).sorted()
        let unexpected = names.filter { !wanted.contains($0) }
        var problems: [String] = []
        if !missing.isEmpty { problems.append("missing tensors \(Self.list(missing))") }
        if !unexpected.isEmpty { problems.append("unexpected tensors \(Self.list(unexpected))") }
        guard problems.isEmpty else {
            throw ModelFileError(source, problems.joined(separator: "; "))
        }
    }

    /// Names for a message: all of them when few, else the first ten and a count.
    static func list(_ names: [String]) -> String {
        if names.isEmpty { return "none" }
        let shown = names.prefix(10).joined(separator: ", ")
        return names.count > 10 ? "\(shown), ... (\(names.count) in all)" : shown
    }
}
