/// Quick, Draw! ndjson records: fields other than `word`, `key_id`, `countrycode`, `recognized` and
/// `drawing` are checked and skipped.
extension JSONScanner {
    /// The drawing in the JSON object `line`.
    static func drawing(_ line: UnsafeRawBufferPointer) throws(JSONProblem) -> Drawing {
        var scanner = JSONScanner(line)
        return try scanner.record()
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
                    let start = position
                    _ = try number()
                    drawing.keyID = text(from: start)
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
        guard isAtEnd else { throw problem("unexpected text after the record") }
        guard sawDrawing else { throw JSONProblem(message: "no \"drawing\" field", offset: 0) }
        return drawing
    }

    private mutating func strokes() throws(JSONProblem) -> [Stroke] {
        var strokes: [Stroke] = []
        try expect("[")
        while !take("]") {
            if !strokes.isEmpty { try expect(",") }
            let start = position
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

    /// Strokes as the API takes them: `[[[x, ...], [y, ...]], ...]`, each stroke two or three arrays of
    /// numbers (a third, of times, is allowed), not checked for matching lengths.
    public mutating func strokeArrays() throws(JSONProblem) -> [[[Double]]] {
        var strokes: [[[Double]]] = []
        try expect("[")
        while !take("]") {
            if !strokes.isEmpty { try expect(",") }
            try expect("[")
            var arrays = [try numbers()]
            while take(",") { arrays.append(try numbers()) }
            try expect("]")
            strokes.append(arrays)
        }
        return strokes
    }
}
