import Foundation

/// Writes a `.npy` file row by row, atomically: the file appears under its name, complete, only
/// when `finish()` succeeds.
///
/// The header is numpy's own (format 1.0, data aligned to 64 bytes), written first with zero rows
/// and patched with the final row count by `finish()`; numpy reserves room in the header for the
/// first dimension to grow, so the patch always fits. A writer dropped without `finish()` leaves no
/// file behind.
///
/// ```swift
/// let writer = try NpyWriter(url: url, rowShape: [784])
/// for bitmap in bitmaps { try writer.append(row: bitmap) }
/// try writer.finish()
/// ```
public final class NpyWriter {
    /// The shape of one row: the array's shape without its first dimension.
    public let rowShape: [Int]
    /// The element type.
    public let dtype: NpyArray.DType
    /// The rows appended so far.
    public private(set) var rowCount = 0

    private let file: AtomicFileWriter
    private let rowByteCount: Int
    private let headerLength: Int

    /// Starts a `.npy` file at `url` whose rows have shape `rowShape`.
    ///
    /// - Parameters:
    ///   - url: where the file will appear; an existing file there is replaced on `finish()`.
    ///   - rowShape: the shape of one row, e.g. `[784]` for flat 28x28 bitmaps.
    ///   - dtype: the element type.
    /// - Throws: `DataError` when the temporary file cannot be created.
    public init(url: URL, rowShape: [Int], dtype: NpyArray.DType = .uint8) throws {
        precondition(rowShape.allSatisfy { $0 >= 0 }, "row shape \(rowShape) has a negative dimension")
        self.rowShape = rowShape
        self.dtype = dtype
        rowByteCount = rowShape.reduce(1, *) * dtype.byteCount
        file = try AtomicFileWriter(destination: url)
        let header = Self.header(rows: 0, rowShape: rowShape, dtype: dtype)
        headerLength = header.count
        try file.write(header)
    }

    /// Appends whole rows given as raw bytes: a multiple of the row size, in C order.
    ///
    /// - Throws: `DataError` when the write fails.
    public func append(rows bytes: UnsafeRawBufferPointer) throws {
        precondition(
            rowByteCount == 0 ? bytes.isEmpty : bytes.count % rowByteCount == 0,
            "\(bytes.count) bytes are not whole rows of \(rowByteCount) bytes")
        try file.write(bytes)
        rowCount += rowByteCount == 0 ? 0 : bytes.count / rowByteCount
    }

    /// Appends one row of a uint8 array.
    ///
    /// - Throws: `DataError` when the write fails.
    public func append(row: [UInt8]) throws {
        precondition(
            dtype == .uint8, "append(row: [UInt8]) writes uint8 arrays; this one is \(dtype.rawValue)")
        precondition(row.count == rowByteCount, "a row has \(rowByteCount) elements, got \(row.count)")
        try row.withUnsafeBytes { try file.write($0) }
        rowCount += 1
    }

    /// Appends one row of a float32 array.
    ///
    /// - Throws: `DataError` when the write fails.
    public func append(floatRow row: [Float]) throws {
        precondition(
            dtype == .float32, "append(floatRow:) writes float32 arrays; this one is \(dtype.rawValue)")
        precondition(
            row.count * 4 == rowByteCount, "a row has \(rowByteCount / 4) elements, got \(row.count)")
        try row.withUnsafeBytes { try file.write($0) }
        rowCount += 1
    }

    /// Writes the final header and renames the file into place. The writer cannot be used afterwards.
    ///
    /// - Throws: `DataError` when a write, the sync or the rename fails.
    public func finish() throws {
        let header = Self.header(rows: rowCount, rowShape: rowShape, dtype: dtype)
        precondition(header.count == headerLength, "the .npy header changed length")
        try file.overwrite(header, at: 0)
        try file.commit()
    }

    /// Writes a whole uint8 array of shape `shape` to `url`, atomically.
    ///
    /// - Parameters:
    ///   - bytes: the elements in C order; `shape.reduce(1, *)` of them.
    ///   - shape: the array's shape, e.g. `[rows, 784]`.
    ///   - url: where the file will appear; an existing file there is replaced.
    /// - Throws: `DataError` when the file cannot be written.
    public static func write(_ bytes: [UInt8], shape: [Int], to url: URL) throws {
        precondition(!shape.isEmpty, "NpyWriter writes arrays of at least one dimension")
        precondition(bytes.count == shape.reduce(1, *), "shape \(shape) needs \(shape.reduce(1, *)) bytes")
        let writer = try NpyWriter(url: url, rowShape: Array(shape.dropFirst()))
        try bytes.withUnsafeBytes { try writer.append(rows: $0) }
        writer.rowCount = shape[0]  // also right when rows are empty, e.g. shape (5, 0)
        try writer.finish()
    }

    private static func header(rows: Int, rowShape: [Int], dtype: NpyArray.DType) -> [UInt8] {
        NpyHeader(descr: dtype.rawValue, fortranOrder: false, shape: [rows] + rowShape).encoded()
    }
}
