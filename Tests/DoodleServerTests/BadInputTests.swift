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
        let hugePNG: [UInt8] = {
            var png = PNG.encode(GrayImage(width: 4, height: 4, pixels: .init(repeating: 0, count: 16)))
            png.replaceSubrange(16..<24, with: [0, 1, 0, 0, 0, 1, 0, 0])  // 65536 × 65536
            return png
        }()
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
            BadRequest("an enormous PNG", png: hugePNG, status: .contentTooLarge, message: "65536×65536"),
            BadRequest(
                "a PNG for an unknown model", png: PNG.encode(GrayImage(width: 1, height: 1, pixels: [0])),
                query: "?model=cats", status: .badRequest, message: "unknown model 'cats'"),
        ]
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
