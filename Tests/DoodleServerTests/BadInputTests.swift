import DoodleData
import DoodleServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// One bad request and what the server must answer.
struct BadRequest: CustomTestStringConvertible, Sendable {
    var name: String
    var body: [UInt8]
    var contentType = "application/json"
    var query = ""
    var status: HTTPResponse.Status = .badRequest
    var message: String

    var testDescription: String { name }

    init(_ name: String, json: String, status: HTTPResponse.Status = .badRequest, message: String) {
        self.name = name
        self.body = Array(json.utf8)
        self.status = status
        self.message = message
    }

    init(_ name: String, png: [UInt8], query: String = "", status: HTTPResponse.Status, message: String) {
        self.name = name
        self.body = png
        self.contentType = "image/png"
        self.query = query
        self.status = status
        self.message = message
    }

    static var all: [BadRequest] {
        let manyPoints = "[" + Array(repeating: "1", count: 1500).joined(separator: ",") + "]"
        // The body that crashed the server (issue 13): the signature, then bytes whose IHDR width and
        // height (bytes 16-23) multiply past Int.max.
        var crashing = PNG.signature + (0..<56).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 17) }
        crashing.replaceSubrange(16..<24, with: [UInt8](repeating: 0xFF, count: 8))
        return [
            BadRequest("malformed JSON", json: #"{"strokes": [[[1, 2], [3, 4]]"#, message: "malformed JSON"),
            BadRequest("an empty body", json: "", message: "body is empty"),
            BadRequest("no strokes or pixels", json: #"{"model": "doodles"}"#, message: "missing field"),
            BadRequest(
                "both strokes and pixels", json: #"{"strokes": [[[1], [1]]], "pixels": [1]}"#,
                message: "not both"),
            BadRequest("empty strokes", json: #"{"strokes": []}"#, message: "strokes is empty"),
            BadRequest("strokes without points", json: #"{"strokes": [[[], []]]}"#, message: "no points"),
            BadRequest(
                "a stroke with only x", json: #"{"strokes": [[[1, 2, 3]]]}"#, message: "stroke 0 has 1 arrays"
            ),
            BadRequest(
                "mismatched x and y", json: #"{"strokes": [[[1, 2], [3, 4]], [[1, 2, 3], [4, 5]]]}"#,
                message: "stroke 1 has 3 x but 2 y"),
            BadRequest(
                "a NaN coordinate", json: #"{"strokes": [[[1, NaN], [3, 4]]]}"#, message: "malformed JSON"),
            BadRequest(
                "a huge coordinate", json: #"{"strokes": [[[1, 1e300], [3, 4]]]}"#,
                message: "stroke 0, point 1: (1e+300, 4.0) is out of range"),
            BadRequest(
                "an unrepresentable coordinate", json: #"{"strokes": [[[1, 1e999], [3, 4]]]}"#,
                message: "malformed JSON"),
            BadRequest(
                "strokes that are not arrays", json: #"{"strokes": "cat"}"#, message: "strokes should be"),
            BadRequest(
                "too many points",
                json: #"{"strokes": [[\#(manyPoints), \#(manyPoints)], [\#(manyPoints), \#(manyPoints)]]}"#,
                status: .contentTooLarge,
                message: "3000 points; the limit is 2000"),
            BadRequest("too few pixels", json: #"{"pixels": [0, 255]}"#, message: "pixels has 2 values"),
            BadRequest(
                "a pixel out of range",
                json: #"{"pixels": [\#(Array(repeating: "0", count: 783).joined(separator: ",")), 300]}"#,
                message: "pixels[783] = 300.0 is not in 0...255"),
            BadRequest(
                "an unknown model", json: #"{"model": "giraffes", "strokes": [[[1, 2], [3, 4]]]}"#,
                message: "unknown model 'giraffes'; this server has digits, doodles"),
            BadRequest(
                "a zero top", json: #"{"strokes": [[[1, 2], [3, 4]]], "top": 0}"#, message: "top must be"),
            BadRequest(
                "a body over the limit",
                json: #"{"strokes": [], "pad": "\#(String(repeating: "x", count: 250_000))"}"#,
                status: .contentTooLarge, message: "larger than 200000 bytes"),
            BadRequest(
                "a PNG that is not a PNG", png: Array("GIF89a...".utf8), status: .badRequest,
                message: "not a PNG"),
            BadRequest(
                "a corrupt PNG", png: PNG.signature + [0, 0, 0, 13, 73, 72, 68, 82], status: .badRequest,
                message: "PNG"),
            BadRequest(
                "random bytes after the PNG signature", png: crashing, status: .badRequest, message: "PNG"),
            BadRequest(
                "an enormous PNG", png: Self.png(width: 65536, height: 65536), status: .contentTooLarge,
                message: "65536×65536 is larger than 4194304 pixels"),
            BadRequest(
                "a PNG of 2^31 - 1 squared pixels", png: Self.png(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF),
                status: .contentTooLarge, message: "2147483647×2147483647 is larger"),
            BadRequest(
                "a PNG whose sides break the specification",
                png: Self.png(width: 0xFFFF_FFFF, height: 0xFFFF_FFFF), status: .badRequest,
                message: "each side must be below 2^31"),
            BadRequest(
                "a PNG for an unknown model", png: PNG.encode(GrayImage(width: 1, height: 1, pixels: [0])),
                query: "?model=cats", status: .badRequest, message: "unknown model 'cats'"),
        ]
    }
}

extension BadRequest {
    /// A 1×1 grey PNG whose IHDR then claims `width × height`, with a correct CRC, so that only the size
    /// is wrong with it.
    static func png(width: UInt32, height: UInt32) -> [UInt8] {
        var file = PNG.encode(GrayImage(width: 1, height: 1, pixels: [0]))
        file.replaceSubrange(16..<24, with: bigEndian(width) + bigEndian(height))
        file.replaceSubrange(29..<33, with: bigEndian(crc32(file[12..<29])))  // over "IHDR" and its data
        return file
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }

    /// CRC-32 as PNG computes it (ISO 3309, reflected, polynomial 0xEDB88320).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

@Suite("Bad input to /api/predict")
struct BadInputTests {
    @Test(arguments: BadRequest.all)
    func answersA4xxNamingTheProblemAndKeepsServing(bad: BadRequest) async throws {
        try await ServerFixtures.application().test(.router) { client in
            let (status, body) = try await client.predict(
                ByteBuffer(bytes: bad.body), contentType: bad.contentType, query: bad.query)
            #expect(status == bad.status)
            let error = try JSONDecoder().decode(ErrorAnswer.self, from: Data(buffer: body))
            #expect(error.error.message.contains(bad.message), "\(error.error.message)")
            // The server goes on answering good requests.
            let (after, _) = try await client.predict(
                ServerFixtures.json(["strokes": ServerFixtures.strokes]))
            #expect(after == .ok)
        }
    }
}
