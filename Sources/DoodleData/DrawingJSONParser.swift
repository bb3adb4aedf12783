/// Why one ndjson line is not a drawing, and where in the line (0-based byte offset).
struct JSONProblem: Error {
    var message: String
    var offset: Int
}

/// A parser for one Quick, Draw! ndjson record, straight from UTF-8 bytes to a `Drawing`.
///
/// Hand-written because Foundation's JSON parsers build a boxed value per number: on 10,000 real
/// drawings (7.5 MB) in a release build, JSONSerialization took 0.7-1.3 s and JSONDecoder 1.0-1.5 s,
/// this parser 0.1 s. It accepts exactly JSON (RFC 8259); fields other than `word`, `key_id`,
/// `countrycode`, `recognized` and `drawing` are checked and skipped.
struct DrawingJSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var i = 0
    private var scratch: [Double] = []

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        scratch.reserveCapacity(256)
    }

    /// The drawing in the JSON object `line`.
    static func parse(_ line: UnsafeRawBufferPointer) throws(JSONProblem) -> Drawing {
        var parser = DrawingJSONParser(line)
        return try parser.record()
    }

    private mutating func record() throws(JSONProblem) -> Drawing {
        var drawing = Drawing(strokes: [])
        var sawDrawing = false
        try expect("{")
        var first = true
        while !take("}") {
            if !first { try expect(",") }
            first = false
            skipSpace()
            let key = try string()
            try expect(":")
            skipSpace()
            switch key {
            case "word": drawing.word = try optionalString()
            case "countrycode": drawing.countryCode = try optionalString()
            case "key_id":
                if peek() == UInt8(ascii: "\"") {
                    drawing.keyID = try string()
                } else {
                    let start = i
                    _ = try number()
                    drawing.keyID = String(decoding: bytes[start..<i], as: UTF8.self)
                }
            case "recognized":
                if take("true") {
                    drawing.recognized = true
                } else if take("false") {
                    drawing.recognized = false
                } else if take("null") {
                    drawing.recognized = nil
                } else {
                    throw problem("\"recognized\" must be true or false")
                }
            case "drawing":
                drawing.strokes = try strokes()
                sawDrawing = true
            default: try skipValue(depth: 0)
            }
        }
        skipSpace()
        guard i == bytes.count else { throw problem("unexpected text after the record") }
        guard sawDrawing else { throw JSONProblem(message: "no \"drawing\" field", offset: 0) }
        return drawing
    }

    private mutating func strokes() throws(JSONProblem) -> [Stroke] {
        var strokes: [Stroke] = []
        try expect("[")
        while !take("]") {
            if !strokes.isEmpty { try expect(",") }
            let start = i
            try expect("[")
            let x = try numbers()
            try expect(",")
            let y = try numbers()
            var t: [Double]? = nil
            if take(",") { t = try numbers() }
            try expect("]")
            guard x.count == y.count, t == nil || t!.count == x.count else {
                let times = t.map { ", \($0.count) t" } ?? ""
                throw JSONProblem(
                    message: "stroke \(strokes.count) has \(x.count) x, \(y.count) y\(times)", offset: start)
            }
            strokes.append(Stroke(x: x, y: y, t: t))
        }
        return strokes
    }

    private mutating func numbers() throws(JSONProblem) -> [Double] {
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

    mutating func number() throws(JSONProblem) -> Double {
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
        guard let value = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
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

    private mutating func optionalString() throws(JSONProblem) -> String? {
        if take("null") { return nil }
        return try string()
    }

    mutating func string() throws(JSONProblem) -> String {
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

    var position: Int { i }
    mutating func skip(_ count: Int) { i += count }
    @inline(__always) func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
    func problem(_ message: String) -> JSONProblem { JSONProblem(message: message, offset: i) }
    func byte(at offset: Int) -> UInt8 { bytes[offset] }

    @inline(__always)
    mutating func skipSpace() {
        while i < bytes.count, bytes[i] <= 0x20,
            bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D
        {
            i += 1
        }
    }

    /// Skips spaces, then consumes `token` if it comes next.
    @inline(__always)
    mutating func take(_ token: StaticString) -> Bool {
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

    @inline(__always)
    mutating func expect(_ token: StaticString) throws(JSONProblem) {
        guard take(token) else { throw problem("expected '\(token)'") }
    }
}
