import Foundation

extension SafeTensors {
    /// The largest header accepted; the reference implementation uses the same limit against hostile files.
    static let maximumHeaderLength = 100 << 20

    /// Reads a safetensors file, checking every field of its header against its size.
    ///
    /// - Parameter url: the file to read.
    /// - Throws: `ModelFileError` naming the file and the first problem found.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw ModelFileError(url.path, "cannot read the file: \(error.localizedDescription)")
        }
        self = try data.withUnsafeBytes { try Self(parsing: $0, source: url.path) }
    }

    /// Reads safetensors bytes held in memory.
    ///
    /// - Parameters:
    ///   - bytes: a whole file.
    ///   - source: the name error messages use for the bytes.
    /// - Throws: `ModelFileError` naming `source` and the first problem found.
    public init(bytes: [UInt8], source: String = "<memory>") throws {
        self = try bytes.withUnsafeBytes { try Self(parsing: $0, source: source) }
    }

    /// Where one tensor's bytes lie in the data buffer, as the header claims.
    private struct Layout {
        var name: String
        var dtype: DType
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    private init(parsing file: UnsafeRawBufferPointer, source: String) throws {
        let fail = { (problem: String) in ModelFileError(source, problem) }
        guard file.count >= 8 else {
            throw fail("the file is \(file.count) bytes long, shorter than its 8-byte header length")
        }
        let declared = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(file.count - 8) else {
            throw fail(
                "header length \(declared) runs past the end of the \(file.count)-byte file (truncated?)")
        }
        let headerLength = Int(declared)
        guard headerLength <= Self.maximumHeaderLength else {
            throw fail("header length \(headerLength) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        let header = Data(UnsafeRawBufferPointer(rebasing: file[8..<(8 + headerLength)]))
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: header)
        } catch {
            throw fail("the \(headerLength)-byte header is not valid UTF-8 JSON")
        }
        guard case .object(let fields) = json else {
            throw fail("the header is JSON but not an object: \(json)")
        }
        var metadata: [String: String] = [:]
        var layouts: [Layout] = []
        // Sorted so that a file with several problems always reports the same one.
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            if key == "__metadata__" {
                guard case .object(let pairs) = value else {
                    throw fail("__metadata__ is not an object of strings: \(value)")
                }
                for (name, item) in pairs {
                    guard case .string(let text) = item else {
                        throw fail("__metadata__ value for \(name) is not a string: \(item)")
                    }
                    metadata[name] = text
                }
            } else {
                layouts.append(try Self.layout(key, value, fail))
            }
        }
        layouts.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let data = UnsafeRawBufferPointer(rebasing: file[(8 + headerLength)...])
        try Self.checkTiling(layouts, bufferSize: data.count, fail)
        let entries = layouts.map { layout in
            let bytes = UnsafeRawBufferPointer(rebasing: data[layout.begin..<layout.end])
            let count = layout.shape.reduce(1, *)
            let tensor = Tensor(shape: layout.shape, scalars: layout.dtype.decode(bytes, count: count))
            return Entry(layout.name, tensor, dtype: layout.dtype)
        }
        self.init(entries, metadata: metadata, source: source)
    }

    /// Parses one tensor's header entry and checks its byte range against its dtype and shape.
    private static func layout(
        _ name: String, _ value: JSONValue, _ fail: (String) -> ModelFileError
    ) throws -> Layout {
        guard case .object(let info) = value else {
            throw fail("tensor \(name) is not an object with dtype, shape and data_offsets: \(value)")
        }
        guard case .string(let dtypeName)? = info["dtype"] else {
            throw fail("tensor \(name) has no dtype string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("tensor \(name) has unknown dtype \(dtypeName) (Doodle reads \(known))")
        }
        guard let shape = info["shape"]?.naturals else {
            throw fail(
                "tensor \(name): shape must be a list of non-negative integers, got \(info["shape"] ?? .null)"
            )
        }
        guard let offsets = info["data_offsets"]?.naturals, offsets.count == 2, offsets[0] <= offsets[1]
        else {
            throw fail(
                "tensor \(name): data_offsets must be [begin, end] with 0 <= begin <= end, "
                    + "got \(info["data_offsets"] ?? .null)")
        }
        var needed = dtype.byteCount
        for dimension in shape {
            let (product, overflow) = needed.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("tensor \(name): shape \(shape) is too large") }
            needed = product
        }
        guard offsets[1] - offsets[0] == needed else {
            throw fail(
                "tensor \(name): data_offsets \(offsets) span \(offsets[1] - offsets[0]) bytes, "
                    + "but shape \(shape) of \(dtype) needs \(needed)")
        }
        return Layout(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    /// Checks that the byte ranges, sorted by start, cover the data buffer exactly once.
    ///
    /// Overlaps would let two tensors alias (and a duplicated JSON key slip through); holes and trailing
    /// bytes are data no tensor accounts for. The reference implementation rejects all three.
    private static func checkTiling(
        _ layouts: [Layout], bufferSize: Int, _ fail: (String) -> ModelFileError
    ) throws {
        var cursor = 0
        var previous: Layout?
        for layout in layouts {
            let range = "[\(layout.begin), \(layout.end)]"
            if let previous, layout.begin < cursor {
                throw fail(
                    "tensors \(previous.name) [\(previous.begin), \(previous.end)] and \(layout.name) "
                        + "\(range) overlap")
            }
            if layout.end > bufferSize {
                // Tensors laid end to end up to here, running past the end: the file was cut short.
                if layout.begin == cursor, let needed = layouts.map(\.end).max() {
                    throw fail(
                        "the file is truncated: its tensors need \(needed) bytes after the header, "
                            + "only \(bufferSize) remain")
                }
                throw fail(
                    "tensor \(layout.name): data_offsets \(range) are out of range of the "
                        + "\(bufferSize)-byte data buffer")
            }
            if layout.begin > cursor {
                throw fail(
                    "hole in the data buffer: bytes [\(cursor), \(layout.begin)) before \(layout.name) "
                        + "belong to no tensor")
            }
            cursor = layout.end
            previous = layout
        }
        if cursor < bufferSize {
            throw fail("trailing garbage: \(bufferSize - cursor) bytes after the last tensor's data")
        }
    }
}
