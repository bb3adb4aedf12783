/// The header of a NumPy `.npy` file: element type, memory order and shape.
///
/// Format (numpy.lib.format): the magic `\x93NUMPY`, a major and minor version byte, the header
/// length (uint16 LE for version 1.0, uint32 LE for 2.0 and 3.0), then a Python dict literal such as
/// `{'descr': '|u1', 'fortran_order': False, 'shape': (3494, 784), }`, padded with spaces and a
/// newline; the array data follows.
struct NpyHeader: Equatable {
    /// The dtype string, e.g. `|u1` or `<f4`.
    var descr: String
    /// Whether the data is in Fortran (column-major) order.
    var fortranOrder: Bool
    /// The array's shape, outermost first.
    var shape: [Int]

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses the header at the start of `bytes`.
    ///
    /// - Returns: the header and the offset of the array data.
    /// - Throws: `DataError` naming `file` when the magic, version or dictionary is wrong.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (NpyHeader, dataOffset: Int) {
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw DataError(file, "not a .npy file: bad magic (expected \\x93NUMPY)")
        }
        let major = bytes[6]
        let lengthSize: Int
        switch major {
        case 1: lengthSize = 2
        case 2, 3: lengthSize = 4
        default: throw DataError(file, "unsupported .npy format version \(major).\(bytes[7])")
        }
        guard bytes.count >= 8 + lengthSize else { throw DataError(file, "truncated .npy header") }
        var headerLength = 0
        for i in (0..<lengthSize).reversed() { headerLength = headerLength << 8 | Int(bytes[8 + i]) }
        let start = 8 + lengthSize
        guard bytes.count >= start + headerLength else {
            throw DataError(file, "truncated .npy header: needs \(headerLength) bytes after the prefix")
        }
        let text = Array(bytes[start..<(start + headerLength)])
        var scanner = LiteralScanner(bytes: text)
        guard let header = scanner.header() else {
            let shown = String(decoding: text, as: UTF8.self).trimmingSuffix { $0 == " " || $0 == "\n" }
            throw DataError(file, "bad .npy header at character \(scanner.position): \(shown)")
        }
        return (header, start + headerLength)
    }

    /// The header in numpy's own bytes (format 1.0, with room for the first axis to grow, padded so
    /// that the data starts at a multiple of 64), as `numpy.save` writes it.
    func encoded() -> [UInt8] {
        let dims = shape.map(String.init)
        let shapeText = "(" + dims.joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
        let order = fortranOrder ? "True" : "False"
        var text = "{'descr': '\(descr)', 'fortran_order': \(order), 'shape': \(shapeText), }"
        // numpy leaves room for the growth axis to reach 21 digits, so a writer can patch the shape.
        if let growth = fortranOrder ? shape.last : shape.first {
            text += String(repeating: " ", count: 21 - String(growth).count)
        }
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: 64 - unpadded % 64) + "\n"
        let length = text.utf8.count
        precondition(length <= Int(UInt16.max), ".npy header too long for format 1.0")
        return Self.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(text.utf8)
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}

/// A scanner for the small subset of Python literals that `.npy` headers use.
private struct LiteralScanner {
    let bytes: [UInt8]
    var position = 0

    mutating func header() -> NpyHeader? {
        var fields: [String: Any] = [:]
        guard take("{") else { return nil }
        while !take("}") {
            guard let key = string(), take(":"), let value = value(), fields[key] == nil else { return nil }
            fields[key] = value
            guard take(",") || peek("}") else { return nil }
        }
        skipSpace()
        guard position == bytes.count, fields.count == 3,
            let descr = fields["descr"] as? String,
            let fortranOrder = fields["fortran_order"] as? Bool,
            let shape = fields["shape"] as? [Int]
        else { return nil }
        return NpyHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    private mutating func value() -> Any? {
        skipSpace()
        if peek("'") || peek("\"") { return string() }
        if take("True") { return true }
        if take("False") { return false }
        guard take("(") else { return nil }
        var shape: [Int] = []
        while !take(")") {
            guard let n = integer() else { return nil }
            shape.append(n)
            _ = take("L")  // Python 2 wrote long integers as `3L`
            guard take(",") || peek(")") else { return nil }
        }
        return shape
    }

    private mutating func string() -> String? {
        skipSpace()
        guard position < bytes.count,
            bytes[position] == UInt8(ascii: "'") || bytes[position] == UInt8(ascii: "\"")
        else { return nil }
        let quote = bytes[position]
        guard let end = bytes[(position + 1)...].firstIndex(of: quote) else { return nil }
        defer { position = end + 1 }
        return String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
    }

    private mutating func integer() -> Int? {
        skipSpace()
        var n = 0
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (times10, o1) = n.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            n = sum
            position += 1
        }
        return position > start ? n : nil
    }

    private mutating func skipSpace() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x0A { position += 1 }
    }

    private mutating func peek(_ token: String) -> Bool {
        skipSpace()
        return bytes[position...].starts(with: token.utf8)
    }

    private mutating func take(_ token: String) -> Bool {
        guard peek(token) else { return false }
        position += token.utf8.count
        return true
    }
}
