import Foundation

extension QuickDrawBinary {
    /// Writes `drawings` as a `.bin` file at `url`, atomically, with timestamp 0.
    ///
    /// - Throws: `DataError` when a drawing does not fit the format (see `write(records:to:)`) or
    ///   the file cannot be written.
    public static func write(_ drawings: [Drawing], to url: URL) throws {
        try write(records: drawings.map { Record(drawing: $0) }, to: url)
    }

    /// Writes `records` as a `.bin` file at `url`, atomically: the file appears, complete, only when
    /// every record has been written.
    ///
    /// The format is narrow, so each drawing must have a numeric `keyID` (or none, written as 0), a
    /// two-letter `countryCode` (or none, written as two zero bytes), coordinates that are whole
    /// numbers in 0...255, and at most 65,535 strokes of at most 65,535 points. Times and the word
    /// are not stored; `recognized` nil is written as false.
    ///
    /// - Throws: `DataError` naming the file and the first drawing that does not fit, or the
    ///   write that failed.
    public static func write(records: [Record], to url: URL) throws {
        let file = try AtomicFileWriter(destination: url)
        var bytes: [UInt8] = []
        for (index, record) in records.enumerated() {
            bytes.removeAll(keepingCapacity: true)
            do {
                try encode(record, into: &bytes)
            } catch {
                throw DataError(url.path, "drawing \(index): \(error.message)")
            }
            try file.write(bytes)
        }
        try file.commit()
    }

    private struct EncodingProblem: Error {
        var message: String
    }

    private static func encode(_ record: Record, into bytes: inout [UInt8]) throws(EncodingProblem) {
        let drawing = record.drawing
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        // No keyID is written as 0; a keyID that is not a UInt64 is an error.
        guard let keyID = drawing.keyID.map({ UInt64($0) }) ?? 0 else {
            throw EncodingProblem(message: "key_id '\(drawing.keyID!)' is not a 64-bit unsigned integer")
        }
        let code = Array((drawing.countryCode ?? "").utf8)
        guard code.isEmpty || code.count == 2 else {
            throw EncodingProblem(message: "countrycode '\(drawing.countryCode!)' is not two bytes")
        }
        guard drawing.strokes.count <= Int(UInt16.max) else {
            throw EncodingProblem(message: "\(drawing.strokes.count) strokes; the format holds 65,535")
        }
        append(keyID)
        bytes.append(contentsOf: code.isEmpty ? [0, 0] : code)
        append(UInt8(drawing.recognized == true ? 1 : 0))
        append(record.timestamp)
        append(UInt16(drawing.strokes.count))
        for (s, stroke) in drawing.strokes.enumerated() {
            guard stroke.x.count <= Int(UInt16.max) else {
                throw EncodingProblem(
                    message: "stroke \(s) has \(stroke.x.count) points; the format holds 65,535")
            }
            append(UInt16(stroke.x.count))
            for (axis, values) in [("x", stroke.x), ("y", stroke.y)] {
                for v in values {
                    guard let byte = UInt8(exactly: v) else {
                        throw EncodingProblem(
                            message: "stroke \(s) has \(axis) = \(v), not a whole number in 0...255")
                    }
                    bytes.append(byte)
                }
            }
        }
    }
}
