import Foundation
import Hummingbird

extension PredictController.PredictResponse: ResponseGenerator {
    /// The answer as a `200 OK` JSON response, with the same fields `JSONEncoder` would write.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let json = self.json()
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(json.count)],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// The answer's JSON text, as UTF-8 bytes.
    func json() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(4 * bitmap.count + 64 * predictions.count + 128)
        out.append(contentsOf: #"{"model":"#.utf8)
        Self.appendString(model, to: &out)
        out.append(contentsOf: #","predictions":["#.utf8)
        for (index, guess) in predictions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"label":"#.utf8)
            Self.appendString(guess.label, to: &out)
            out.append(contentsOf: #","confidence":"#.utf8)
            out.append(contentsOf: Self.number(guess.confidence).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"bitmap":["#.utf8)
        Self.appendNumbers(bitmap, to: &out)
        out.append(contentsOf: #"],"took_ms":"#.utf8)
        out.append(contentsOf: Self.number(tookMs).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A finite number as JSON (Swift's shortest round-trip form is valid JSON); 0 for NaN or infinity.
    static func number<Value: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Value) -> String {
        value.isFinite ? value.description : "0"
    }

    /// `values` as comma-separated decimals. Written through a pointer into a buffer of the longest
    /// possible text, three digits and a comma each: appending byte by byte checked the array's
    /// capacity for every digit, 1% of the server's CPU under load.
    static func appendNumbers(_ values: [UInt8], to out: inout [UInt8]) {
        guard !values.isEmpty else { return }
        let text = [UInt8](unsafeUninitializedCapacity: 4 * values.count) { buffer, count in
            let zero = UInt8(ascii: "0")
            var p = buffer.baseAddress!
            for (index, value) in values.enumerated() {
                if index > 0 {
                    p.pointee = UInt8(ascii: ",")
                    p += 1
                }
                if value >= 100 {
                    p.pointee = zero + value / 100
                    p += 1
                }
                if value >= 10 {
                    p.pointee = zero + value / 10 % 10
                    p += 1
                }
                p.pointee = zero + value % 10
                p += 1
            }
            count = p - buffer.baseAddress!
        }
        out.append(contentsOf: text)
    }

    /// `text` as a JSON string: quoted, with quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
