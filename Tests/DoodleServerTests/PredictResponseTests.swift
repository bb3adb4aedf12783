import Foundation
import Hummingbird
import Testing

@testable import DoodleServer

@Suite("The predict answer's hand-written JSON")
struct PredictResponseTests {
    typealias Answer = PredictController<BasicRequestContext>.PredictResponse

    @Test func decodesToTheSameValuesWithAwkwardLabels() throws {
        let labels = ["cat", "a \"quoted\" \\ back\\slash", "tab\tnew\nline\u{1}", "crème brûlée 🍮"]
        let answer = Answer(
            model: "odd \"model\"",
            predictions: labels.enumerated().map { .init(label: $1, confidence: [0.93, 1e-7, 0, 1][$0]) },
            bitmap: (0..<784).map { UInt8($0 % 256) }, tookMs: 0.123456789)
        let decoded = try JSONDecoder().decode(Answer.self, from: Data(answer.json()))
        #expect(decoded.model == answer.model)
        #expect(decoded.predictions.map(\.label) == labels)
        #expect(decoded.predictions.map(\.confidence) == answer.predictions.map(\.confidence))
        #expect(decoded.bitmap == answer.bitmap)
        #expect(decoded.tookMs == answer.tookMs)
    }

    @Test func nonFiniteNumbersStillMakeValidJSON() throws {
        let answer = Answer(
            model: "m", predictions: [.init(label: "x", confidence: .nan)], bitmap: [], tookMs: .infinity)
        let object = try JSONSerialization.jsonObject(with: Data(answer.json())) as? [String: Any]
        #expect(object?["took_ms"] as? Double == 0)
    }
}

@Suite("Reading predict requests")
struct PredictRequestTests {
    typealias Controller = PredictController<BasicRequestContext>

    /// The fast scanner reads what `JSONDecoder` reads, and gives up (so `JSONDecoder` answers) on the rest.
    @Test(arguments: [
        #"{"model": "doodles", "strokes": [[[1, 2.5, -3e2], [4, 5, 6]], [[7], [8], [0]]], "top": 3}"#,
        #"  {"strokes":[[[0,1],[2,3],[10,20]]],"extra":{"a":[1,{"b":null}],"c":"\"q\""},"model":null} "#,
        #"{"pixels": [0, 255, 12.5], "top": 5.0, "model": "d\u0069gits"}"#,
        #"{"strokes": [], "top": null}"#,
    ])
    func readsWhatJSONDecoderReads(body: String) throws {
        let scanned = try #require(Controller.scan(Array(body.utf8)))
        let decoded = try JSONDecoder().decode(Controller.PredictRequest.self, from: Data(body.utf8))
        #expect(scanned.model == decoded.model)
        #expect(scanned.strokes == decoded.strokes)
        #expect(scanned.pixels == decoded.pixels)
        #expect(scanned.top == decoded.top)
    }

    @Test(arguments: [
        #"{"model": 3}"#, #"{"top": 2.5}"#, #"{"top": 1, "top": 2}"#, #"{"strokes": [[]]}"#,
        #"{"strokes": [[[1], [2]]]} x"#, #"{"strokes": [[[1,], [2]]]}"#, #"[1, 2]"#, #"{"pixels": "no"}"#,
    ])
    func leavesTheUnusualToJSONDecoder(body: String) {
        #expect(Controller.scan(Array(body.utf8)) == nil)
    }
}
