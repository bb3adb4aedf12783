import DoodleData
import DoodleNN
import DoodleServer
import DoodleStore
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

extension Harnesses {
    /// `POST /api/drawings` up to the store: the body decoded, the source, label, model and guesses
    /// checked, the strokes (with their times) through the same checks as a prediction's; then the
    /// drawing as the store writes it and `doodle drawings export` reads it back.
    static func drawing(_ bytes: [UInt8]) {
        guard let drawing = try? PredictServer.drawings.newDrawing(fromJSON: bytes) else { return }
        precondition((try? DrawingLabel.normalize(drawing.label)) == drawing.label, "a label not normalised")
        let points = drawing.strokes.reduce(0) { $0 + $1.x.count }
        precondition(points > 0 && points <= RequestLimits().maxPoints, "a drawing outside the point limit")
        let line = StoredDrawing(id: 1, drawing: drawing).ndjsonLine
        guard let read = try? QuickDrawNDJSON.parseDrawing(line) else {
            preconditionFailure("an accepted drawing does not export as ndjson: \(line.prefix(200))")
        }
        precondition(read.strokes == drawing.strokes, "an exported drawing reads back differently")
    }
}

extension Harnesses {
    /// `POST /api/words` up to the store: the body decoded, the model, the word and the number of
    /// drawings checked, each drawing's strokes through a prediction's checks and rendered; then the
    /// word taught to a model of its own from those drawings, and a guess that includes it.
    static func words(_ bytes: [UInt8]) {
        guard let (model, word, drawings) = try? PredictServer.words.teaching(fromJSON: bytes) else { return }
        precondition((try? DrawingLabel.normalize(word)) == word, "a word not normalised")
        precondition(!model.labels.contains(word), "a word the model knows was accepted")
        precondition(
            (WordsController<BasicRequestContext>
                .minDrawings...WordsController<BasicRequestContext>.maxDrawings)
                .contains(drawings.count), "a number of drawings outside the limits")
        for drawing in drawings {
            precondition(drawing.label == word && drawing.source == .taught && drawing.model == model.name)
            let points = drawing.strokes.reduce(0) { $0 + $1.x.count }
            precondition(
                points > 0 && points <= RequestLimits().maxPoints, "a drawing outside the point limit")
        }
        let images = drawings.map {
            try! ImageInput.modelInput(strokes: $0.strokes, framing: model.framing, side: model.side)
        }
        let book = model.taught!
        book.teach(word, features: model.features(images))
        defer { book.forget(word) }
        let guesses = model.predict(images[0], top: model.labels.count + 1)
        precondition(guesses.count == model.labels.count + 1 && guesses.contains { $0.label == word })
        precondition(guesses.allSatisfy { $0.confidence.isFinite && (0...1).contains($0.confidence) })
    }
}

/// The server the predict harness calls: one Quick, Draw! and one MNIST model (tiny, random weights,
/// as the server tests use), under the default limits.
enum PredictServer {
    static let controller = PredictController<BasicRequestContext>(models: registry, limits: RequestLimits())

    /// One Quick, Draw! and one MNIST model.
    static let registry: ModelRegistry = {
        let spec = ArchitectureSpec(
            name: "tiny", layers: [.init("flatten"), .init("linear", units: .classes)])
        var generator = SeededGenerator(seed: 13)
        func served(_ name: String, labels: [String], preprocessing: String) -> ServedModel {
            do {
                let network = try spec.build(classes: labels.count, generator: &generator)
                let model = Model(spec: spec, labels: labels, preprocessing: preprocessing, network: network)
                return try ServedModel(name: name, model: model, poolSize: 1)
            } catch {
                fatalError("doodle-fuzz: cannot build the harnesses' models: \(error)")
            }
        }
        return ModelRegistry([
            served("doodles", labels: ["cat", "dog", "house"], preprocessing: "quickdraw"),
            served("digits", labels: (0..<10).map(String.init), preprocessing: "mnist"),
        ])
    }()

    /// The words controller over the same models, with no store: the harness stops before saving.
    static let words = WordsController(service)

    /// The drawings controller over the same models, with no store: the harness stops before saving.
    static let drawings = DrawingsController(service)

    /// No store, no admin from outside, one client: the harnesses stop before saving.
    static let service = DrawingService<BasicRequestContext>(
        store: nil, models: registry, limits: RequestLimits(), saveLimits: SaveLimits(), adminToken: nil,
        clientKey: { _ in "fuzz" }, isLoopback: { _ in false })
}
