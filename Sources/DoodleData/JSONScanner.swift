/// Why some JSON is not what was expected, and where (0-based byte offset).
public struct JSONProblem: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The byte offset where it was found.
    public var offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}

/// A JSON reader straight from UTF-8 bytes, for the stroke arrays of Quick, Draw! files and requests.
///
/// Hand-written because Foundation's JSON parsers build a boxed value per number: on 10,000 real
/// drawings (7.5 MB) in a release build, JSONSerialization took 0.7-1.3 s and JSONDecoder 1.0-1.5 s,
/// this scanner 0.1 s; in the server, `JSONDecoder` took a tenth of the CPU under load. It accepts
/// exactly JSON (RFC 8259). The caller reads values in the order it expects them; any surprise is a
/// `JSONProblem`.
public struct JSONScanner {
    private let bytes: UnsafeRawBufferPointer
    private var i = 0
    private var scratch: [Double] = []

    /// A scanner at the start of `bytes`, which must outlive it.
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        scratch.reserveCapacity(256)
    }

    /// Whether only white space is left.
    public var isAtEnd: Bool {
        mutating get {
            skipSpace()
            return i == bytes.count
        }
    }

    /// An array of numbers.
    public mutating func numbers() throws(JSONProblem) -> [Double] {
        try expect("[")
        if take("]") { return [] }
        // Collect into one reused buffer, then copy once at the exact size: growing each stroke's
        // array by appending cost more than the parsing.
        scratch.removeAll(keepingCapacity: true)
        repeat {
            skipSpace()
            scratch.append(try number())
        } while take(",")
        try expect("]")
        return Array(scratch)
    }

    /// A number.
    public mutating func number() throws(JSONProblem) -> Double {
        let start = i
        let negative = peek() == UInt8(ascii: "-")
        if negative { i += 1 }
        var integer = 0
        var digits = 0
        while let d = digit() {
            // Beyond 15 digits an Int could overflow or a Double lose exactness: let Double parse it.
            if digits < 15 { integer = integer * 10 + d }
            digits += 1
        }
        guard digits > 0, !(digits > 1 && bytes[start + (negative ? 1 : 0)] == UInt8(ascii: "0")) else {
            i = start
            throw problem("expected a number")
        }
        var isInteger = digits <= 15
        if peek() == UInt8(ascii: ".") {
            i += 1
            guard digit() != nil else { throw problem("expected a digit after '.'") }
            while digit() != nil {}
            isInteger = false
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            i += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { i += 1 }
            guard digit() != nil else { throw problem("expected a digit in the exponent") }
            while digit() != nil {}
            isInteger = false
        }
        if isInteger { return Double(negative ? -integer : integer) }
        // Rare (fractions, exponents, huge values): let the standard library round it correctly.
        guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)), value.isFinite else {
            throw JSONProblem(message: "number out of range", offset: start)
        }
        return value
    }

    @inline(__always)
    private mutating func digit() -> Int? {
        guard i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 else { return nil }
        defer { i += 1 }
        return Int(bytes[i] &- UInt8(ascii: "0"))
    }

    /// A string, or `nil` for `null`.
    public mutating func optionalString() throws(JSONProblem) -> String? {
        if take("null") { return nil }
        return try string()
    }

    /// A string.
    public mutating func string() throws(JSONProblem) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw problem("expected a string") }
        i += 1
        let start = i
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"),
            bytes[i] >= 0x20
        {
            i += 1
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
        }
        var utf8 = Array(bytes[start..<i])
        try unescape(into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The offset of the next byte to read.
    public var position: Int { i }
    /// The text from `start` to the current position.
    func text(from start: Int) -> String { String(decoding: bytes[start..<i], as: UTF8.self) }
    mutating func skip(_ count: Int) { i += count }
    @inline(__always) func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
    func problem(_ message: String) -> JSONProblem { JSONProblem(message: message, offset: i) }
    func byte(at offset: Int) -> UInt8 { bytes[offset] }

    /// Skips white space.
    @inline(__always)
    public mutating func skipSpace() {
        while i < bytes.count, bytes[i] <= 0x20,
            bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D
        {
            i += 1
        }
    }

    /// Skips spaces, then consumes `token` if it comes next.
    @inline(__always)
    public mutating func take(_ token: StaticString) -> Bool {
        skipSpace()
        let n = token.utf8CodeUnitCount
        if n == 1 {  // the common case, punctuation: one comparison once inlined
            guard i < bytes.count, bytes[i] == token.utf8Start.pointee else { return false }
            i += 1
            return true
        }
        guard i + n <= bytes.count else { return false }
        for k in 0..<n where bytes[i + k] != token.utf8Start[k] { return false }
        i += n
        return true
    }

    /// Skips spaces, then consumes `token`, or throws.
    @inline(__always)
    public mutating func expect(_ token: StaticString) throws(JSONProblem) {
        guard take(token) else { throw problem("expected '\(token)'") }
    }
}
