import DoodleData
import DoodleNN
import DoodleServer
import Foundation
import Hummingbird

extension Harnesses {
    /// A model file as `doodle serve` loads one on start: the safetensors container, the metadata, the
    /// architecture built from its spec and every tensor checked against it; then written back, as the
    /// server does to offer the file to the page.
    static func model(_ bytes: [UInt8]) {
        guard let file = try? SafeTensors(bytes: bytes, source: "fuzz.safetensors") else { return }
        guard let model = try? Model(file) else { return }
        guard let written = try? model.safeTensors().serialized() else { return }
        precondition((try? SafeTensors(bytes: written)) != nil, "a loaded model does not read back")
    }

    /// `POST /api/predict` with a JSON body, up to inference: `PredictController.scan` and the
    /// `JSONDecoder` fallback, the model and `top` checks, strokes through the normaliser and the
    /// rasteriser (or pixels checked).
    static func predict(_ bytes: [UInt8]) {
        guard let input = try? PredictServer.controller.input(fromJSON: bytes) else { return }
        precondition(input.pixels.count == input.model.side * input.model.side, "input of the wrong size")
        precondition(input.top > 0 && input.top <= input.model.labels.count, "top out of range")
    }
}

/// The server the predict harness calls: one Quick, Draw! and one MNIST model (tiny, random weights,
/// as the server tests use), under the default limits.
enum PredictServer {
    static let controller: PredictController<BasicRequestContext> = {
        let spec = ArchitectureSpec(
            name: "tiny", layers: [.init("flatten"), .init("linear", units: .classes)])
        var generator = SeededGenerator(seed: 13)
        func served(_ name: String, labels: [String], preprocessing: String) -> ServedModel {
            do {
                let network = try spec.build(classes: labels.count, generator: &generator)
                let model = Model(spec: spec, labels: labels, preprocessing: preprocessing, network: network)
                return try ServedModel(name: name, model: model, poolSize: 1)
            } catch {
                fatalError("doodle-fuzz: cannot build the predict harness's models: \(error)")
            }
        }
        let registry = ModelRegistry([
            served("doodles", labels: ["cat", "dog", "house"], preprocessing: "quickdraw"),
            served("digits", labels: (0..<10).map(String.init), preprocessing: "mnist"),
        ])
        return PredictController(models: registry, limits: RequestLimits())
    }()
}
