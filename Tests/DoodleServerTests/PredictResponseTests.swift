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
