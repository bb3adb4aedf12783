/// The slow paths of `JSONScanner`: escaped strings, and values of fields Doodle ignores.
extension JSONScanner {
    /// Finishes a string whose fast path stopped at a backslash, appending its UTF-8 to `utf8`.
    mutating func unescape(into utf8: inout [UInt8]) throws(JSONProblem) {
        while let c = peek() {
            skip(1)
            switch c {
            case UInt8(ascii: "\""):
                return
            case UInt8(ascii: "\\"):
                guard let e = peek() else { break }
                skip(1)
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    // A high surrogate followed by an escaped low one encodes a scalar above U+FFFF.
                    if (0xD800..<0xDC00).contains(scalar), take("\\u") {
                        let low = try hex4()
                        scalar =
                            (0xDC00..<0xE000).contains(low)
                            ? 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00) : 0xFFFD
                    }
                    let decoded = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    utf8.append(contentsOf: String(decoded).utf8)
                default:
                    throw JSONProblem(
                        message: "bad escape '\\\(Character(Unicode.Scalar(e)))'", offset: position - 2)
                }
            case 0..<0x20:
                throw JSONProblem(message: "control character in a string", offset: position - 1)
            default:
                utf8.append(c)
            }
        }
        throw problem("unterminated string")
    }

    private mutating func hex4() throws(JSONProblem) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek(), let digit = Character(Unicode.Scalar(c)).hexDigitValue else {
                throw problem("expected four hex digits after \\u")
            }
            value = value << 4 | UInt32(digit)
            skip(1)
        }
        return value
    }

    /// Checks and skips one JSON value of any kind. `depth` bounds nesting so that hostile input
    /// cannot exhaust the stack.
    public mutating func skipValue(depth: Int = 0) throws(JSONProblem) {
        guard depth < 64 else { throw problem("nested too deeply") }
        skipSpace()
        switch peek() {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"):
            skip(1)
            var first = true
            while !take("}") {
                if !first { try expect(",") }
                first = false
                skipSpace()
                _ = try string()
                try expect(":")
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            skip(1)
            var first = true
            while !take("]") {
                if !first { try expect(",") }
                first = false
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard take("true") || take("false") || take("null") else { throw problem("expected a value") }
        default:
            _ = try number()
        }
    }
}
