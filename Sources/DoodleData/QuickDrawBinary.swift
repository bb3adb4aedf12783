import Foundation

/// Reader and writer for Quick, Draw!'s binary `.bin` files (Google's `binary_file_parser.py`).
///
/// A file is a sequence of drawings, each (all integers little-endian):
///
/// | field | bytes |
/// | --- | --- |
/// | key_id | uint64 |
/// | countrycode | 2 ASCII bytes |
/// | recognized | uint8 |
/// | timestamp | uint32, seconds since 1970 |
/// | n_strokes | uint16 |
/// | per stroke: n_points, x[n_points], y[n_points] | uint16, n_points bytes, n_points bytes |
///
/// The files hold simplified drawings (coordinates 0...255) and no category name: each file is one
/// category, named by the file.
public enum QuickDrawBinary {
    /// One drawing of a `.bin` file, with the timestamp that `Drawing` has no field for.
    public struct Record: Sendable, Equatable {
        /// The drawing and its record fields.
        public var drawing: Drawing
        /// When it was drawn, in seconds since 1970.
        public var timestamp: UInt32

        /// A record of `drawing`, made at `timestamp`.
        public init(drawing: Drawing, timestamp: UInt32 = 0) {
            self.drawing = drawing
            self.timestamp = timestamp
        }
    }

    /// Reads every drawing in the `.bin` file at `url`.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - word: the category to give each drawing, usually the file's name; the file does not hold it.
    /// - Returns: the drawings, in file order.
    /// - Throws: `DataError` naming the file and the byte offset where it is truncated.
    public static func read(from url: URL, word: String? = nil) throws -> [Drawing] {
        try readRecords(from: url, word: word).map(\.drawing)
    }

    /// Reads every record in the `.bin` file at `url`, timestamps included.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - word: the category to give each drawing, usually the file's name; the file does not hold it.
    /// - Returns: the records, in file order.
    /// - Throws: `DataError` naming the file and the byte offset where it is truncated.
    public static func readRecords(from url: URL, word: String? = nil) throws -> [Record] {
        let mapped = try MappedFile(path: url.path)
        return try mapped.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes: bytes, file: mapped.path)
            var records: [Record] = []
            while reader.offset < bytes.count {
                records.append(try reader.record(number: records.count, word: word))
            }
            return records
        }
    }
}

/// A bounds-checked little-endian reader over a `.bin` file's bytes.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    let file: String
    var offset = 0
    /// The drawing being read and where it starts, for error messages.
    private var current = (number: 0, start: 0)

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func record(number: Int, word: String?) throws -> QuickDrawBinary.Record {
        current = (number, offset)
        let keyID = try load(UInt64.self, "key_id")
        try need(2, "countrycode")
        let codeBytes = bytes[offset..<(offset + 2)].filter { $0 != 0 }
        offset += 2
        let recognized = try load(UInt8.self, "recognized")
        let timestamp = try load(UInt32.self, "timestamp")
        let strokeCount = Int(try load(UInt16.self, "n_strokes"))
        var strokes: [Stroke] = []
        strokes.reserveCapacity(strokeCount)
        for s in 0..<strokeCount {
            let n = Int(try load(UInt16.self, "n_points of stroke \(s)"))
            try need(2 * n, "the \(n) points of stroke \(s)")
            let x = bytes[offset..<(offset + n)].map(Double.init)
            let y = bytes[(offset + n)..<(offset + 2 * n)].map(Double.init)
            offset += 2 * n
            strokes.append(Stroke(x: x, y: y))
        }
        let drawing = Drawing(
            strokes: strokes, word: word, keyID: String(keyID),
            countryCode: codeBytes.isEmpty ? nil : String(decoding: codeBytes, as: UTF8.self),
            recognized: recognized != 0)
        return QuickDrawBinary.Record(drawing: drawing, timestamp: timestamp)
    }

    private mutating func load<T: FixedWidthInteger>(_ type: T.Type, _ field: String) throws -> T {
        try need(MemoryLayout<T>.size, field)
        defer { offset += MemoryLayout<T>.size }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    private func need(_ count: Int, _ field: String) throws {
        guard bytes.count - offset < count else { return }
        throw DataError(
            file,
            "truncated at byte offset \(offset): drawing \(current.number) (from offset \(current.start)) "
                + "needs \(count) bytes for \(field), \(bytes.count - offset) remain")
    }
}
