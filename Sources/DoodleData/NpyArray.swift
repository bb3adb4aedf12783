import Foundation

/// A NumPy `.npy` array, memory-mapped: opening a file reads its header and copies none of its data.
///
/// Reads format versions 1.0, 2.0 and 3.0 with dtype `|u1` (uint8) or `<f4` (float32) in C order,
/// any shape. The first axis counts the rows; a row is everything below it, so a Quick, Draw!
/// numpy_bitmap file of shape (N, 784) has N rows of 784 bytes. Data past the end of the array is
/// ignored, as numpy ignores it.
public struct NpyArray: Sendable {
    /// The element types Doodle reads and writes.
    public enum DType: String, Sendable, CaseIterable {
        /// Unsigned bytes, numpy's `|u1`.
        case uint8 = "|u1"
        /// Little-endian 32-bit floats, numpy's `<f4`.
        case float32 = "<f4"

        /// The size of one element in bytes.
        public var byteCount: Int {
            switch self {
            case .uint8: 1
            case .float32: 4
            }
        }
    }

    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The element type.
    public let dtype: DType
    /// The number of elements: the product of the shape.
    public let count: Int
    /// The path of the file, for messages.
    public var file: String { storage.path }

    private let storage: MappedFile
    private let dataOffset: Int

    /// The number of rows: the first dimension, or 1 for a 0-dimensional array.
    public var rowCount: Int { shape.first ?? 1 }
    /// The number of elements in one row: the product of all dimensions but the first.
    public var rowLength: Int { shape.dropFirst().reduce(1, *) }

    /// Maps the `.npy` file at `url` and checks its header and size.
    ///
    /// - Throws: `DataError` naming the file when it cannot be read, is not a `.npy` file, has an
    ///   unsupported dtype or Fortran order, or is shorter than its shape says.
    public init(contentsOf url: URL) throws {
        let storage = try MappedFile(path: url.path)
        let file = storage.path
        let (header, dataOffset) = try storage.withUnsafeBytes { try NpyHeader.parse($0, file: file) }
        guard let dtype = DType(rawValue: header.descr) else {
            let supported = DType.allCases.map(\.rawValue).joined(separator: " and ")
            throw DataError(file, "unsupported dtype '\(header.descr)' (Doodle reads \(supported))")
        }
        guard !header.fortranOrder else {
            throw DataError(file, "Fortran-order arrays are not supported; save the array in C order")
        }
        // Every product the accessors take (the count, its bytes, a row's length) must fit in an Int,
        // even where a zero dimension makes the count 0.
        var count = 1
        var rowLength = 1
        for (axis, dimension) in header.shape.enumerated() {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            let (row, rowOverflow) = rowLength.multipliedReportingOverflow(by: axis == 0 ? 1 : dimension)
            guard !overflow, !rowOverflow else { throw DataError(file, "shape \(header.shape) is too large") }
            (count, rowLength) = (product, row)
        }
        let (needed, bytesOverflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
        guard !bytesOverflow, !rowLength.multipliedReportingOverflow(by: dtype.byteCount).overflow else {
            throw DataError(file, "shape \(header.shape) of \(dtype.rawValue) is too large")
        }
        let available = storage.count - dataOffset
        guard available >= needed else {
            throw DataError(
                file,
                "truncated: shape \(header.shape) of \(dtype.rawValue) needs \(needed) bytes of data, "
                    + "the file has \(available)")
        }
        self.storage = storage
        self.dataOffset = dataOffset
        self.shape = header.shape
        self.dtype = dtype
        self.count = count
    }

    /// Reads all the array's data, `count * dtype.byteCount` bytes in C order, through a pointer that
    /// is valid only inside `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { file in
            try body(
                UnsafeRawBufferPointer(rebasing: file[dataOffset..<(dataOffset + count * dtype.byteCount)]))
        }
    }

    /// Reads the bytes of rows `rows` through a pointer that is valid only inside `body`.
    public func withUnsafeBytes<R>(
        ofRows rows: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        precondition(
            rows.lowerBound >= 0 && rows.upperBound <= rowCount, "rows \(rows) out of 0..<\(rowCount)")
        let rowBytes = rowLength * dtype.byteCount
        return try withUnsafeBytes { all in
            try body(
                UnsafeRawBufferPointer(
                    rebasing: all[(rows.lowerBound * rowBytes)..<(rows.upperBound * rowBytes)]))
        }
    }

    /// Row `index` of a uint8 array, copied into an array of `rowLength` bytes.
    public func row(_ index: Int) -> [UInt8] {
        precondition(dtype == .uint8, "row(_:) reads uint8 arrays; this one is \(dtype.rawValue)")
        return withUnsafeBytes(ofRows: index..<(index + 1)) { Array($0) }
    }

    /// Row `index` of a float32 array, copied into an array of `rowLength` floats.
    public func floatRow(_ index: Int) -> [Float] {
        precondition(dtype == .float32, "floatRow(_:) reads float32 arrays; this one is \(dtype.rawValue)")
        return withUnsafeBytes(ofRows: index..<(index + 1)) { bytes in
            // The data of a hand-made file need not be 4-byte aligned, so copy rather than bind.
            [Float](unsafeUninitializedCapacity: rowLength) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
                initialized = rowLength
            }
        }
    }

    /// All elements of a uint8 array, copied.
    public func bytes() -> [UInt8] {
        precondition(dtype == .uint8, "bytes() reads uint8 arrays; this one is \(dtype.rawValue)")
        return withUnsafeBytes { Array($0) }
    }

    /// All elements of a float32 array, copied.
    public func floats() -> [Float] {
        precondition(dtype == .float32, "floats() reads float32 arrays; this one is \(dtype.rawValue)")
        return withUnsafeBytes { bytes in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
                initialized = count
            }
        }
    }
}
