import DoodleData
import DoodleServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("POST /api/predict")
struct PredictRouteTests {
    @Test func strokesGiveTopGuessesAndTheImageTheModelSaw() async throws {
        let app = try ServerFixtures.application()
        try await app.test(.router) { client in
            let (status, body) = try await client.predict(
                ServerFixtures.json(["model": "doodles", "strokes": ServerFixtures.strokes, "top": 3]))
            #expect(status == .ok)
            let answer = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: body))
            #expect(answer.model == "doodles")
            #expect(answer.predictions.count == 3)
            let confidences = answer.predictions.map(\.confidence)
            #expect(confidences == confidences.sorted(by: >))
            #expect(answer.took_ms >= 0)
            // The bitmap is exactly what rendering the same strokes in Swift gives.
            let strokes = ServerFixtures.strokes.map { Stroke(x: $0[0], y: $0[1]) }
            #expect(answer.bitmap == (try ImageInput.modelInput(strokes: strokes, framing: .quickdraw)))
            // And the guesses are the model's for that bitmap.
            let direct = ServerFixtures.registry.models["doodles"]!.predict(answer.bitmap, top: 3)
            #expect(answer.predictions.map(\.label) == direct.map(\.label))
        }
    }

    @Test func timesAreAcceptedAndIgnoredAndTheDefaultModelIsDoodles() async throws {
        let app = try ServerFixtures.application()
        let timed = ServerFixtures.strokes.map {
            $0 + [Array(stride(from: 0.0, to: Double($0[0].count), by: 1))]
        }
        try await app.test(.router) { client in
            let (_, plain) = try await client.predict(
                ServerFixtures.json(["strokes": ServerFixtures.strokes]))
            let (status, body) = try await client.predict(ServerFixtures.json(["strokes": timed]))
            #expect(status == .ok)
            let a = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: plain))
            let b = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: body))
            #expect(b.model == "doodles")
            #expect(b.predictions.count == 5)
            #expect(a.bitmap == b.bitmap)
            #expect(a.predictions.map(\.label) == b.predictions.map(\.label))
        }
    }

    @Test func pixelsAreUsedAsGiven() async throws {
        let app = try ServerFixtures.application()
        let pixels = (0..<784).map { ($0 % 28 > 10 && $0 % 28 < 18) ? 255 : 0 }
        try await app.test(.router) { client in
            let (status, body) = try await client.predict(
                ServerFixtures.json(["model": "digits", "pixels": pixels, "top": 50]))
            #expect(status == .ok)
            let answer = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: body))
            #expect(answer.model == "digits")
            #expect(answer.bitmap == pixels.map(UInt8.init))
            #expect(answer.predictions.count == 10)  // top is capped at the number of classes
            #expect(abs(answer.predictions.map(\.confidence).reduce(0, +) - 1) < 1e-4)
        }
    }

    @Test func aPNGBodyIsFramedLikeTheTrainingImages() async throws {
        let app = try ServerFixtures.application()
        // A dark "1" on white, as a canvas would export it.
        var pixels = [UInt8](repeating: 255, count: 120 * 90)
        for y in 20..<100 { for x in 40..<50 { pixels[y * 90 + x] = 0 } }
        let image = GrayImage(width: 90, height: 120, pixels: pixels)
        let png = PNG.encode(image)
        try await app.test(.router) { client in
            let (status, body) = try await client.predict(
                ByteBuffer(bytes: png), contentType: "image/png", query: "?model=digits&top=3")
            #expect(status == .ok)
            let answer = try JSONDecoder().decode(PredictAnswer.self, from: Data(buffer: body))
            #expect(answer.model == "digits")
            #expect(answer.predictions.count == 3)
            #expect(answer.bitmap == ImageInput.modelInput(from: image, framing: .mnist))
        }
    }

    @Test func concurrentRequestsEachGetTheirOwnNetwork() async throws {
        let model = ServerFixtures.registry.models["doodles"]!
        let inputs = (0..<24).map { i in (0..<784).map { UInt8(truncatingIfNeeded: $0 * (i + 1) * 7) } }
        let sequential = inputs.map { model.probabilities($0) }
        let concurrent = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (i, input) in inputs.enumerated() {
                group.addTask { (i, model.probabilities(input)) }
            }
            var results = [[Float]](repeating: [], count: inputs.count)
            for await (i, p) in group { results[i] = p }
            return results
        }
        #expect(concurrent == sequential)
    }
}
