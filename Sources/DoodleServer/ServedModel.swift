import DoodleData
import DoodleNN
import Foundation
import Hummingbird
import Metrics
import Synchronization

/// A model as the server serves it: its facts, and inference copies of its weights.
///
/// The value is immutable and `Sendable`, so every request handler can share it. Requests go through
/// a batcher (one inference thread, concurrent requests batched); direct calls check out their own
/// copy of the network from a pool.
public struct ServedModel: Sendable {
    /// The name clients use (`doodles`, `digits`): the file's name without `.safetensors`.
    public let name: String
    /// The class names, in output order.
    public let labels: [String]
    /// How inputs are framed: Quick, Draw! bitmaps or MNIST digits.
    public let framing: ImageInput.Framing
    /// The architecture's name (`small`, `mnist`, ...).
    public let architecture: String
    /// The training summary from the model file's metadata.
    public let training: [String: String]
    /// The side of the square input image.
    public let side: Int
    /// The words the game may ask for (classes the model knows well), or nil when the model is not
    /// for the game.
    public let gameWords: [String]?
    /// Each class's validation top-1 at training, when recorded.
    public let validationTop1PerClass: [String: Double]?
    /// The model file, as the page downloads it to guess in the browser.
    public let file: ModelFileBytes
    /// The words players taught it, scored beside its classes; nil when the model cannot learn words
    /// (its last layer is not linear).
    public let taught: TaughtWordBook?
    let pool: InferencePool
    let batcher: InferenceBatcher
    /// Counts the guesses this server makes with the model.
    let guessesOnServer: Counter

    /// Serves `model` under `name`.
    ///
    /// - Parameters:
    ///   - name: the name clients ask for.
    ///   - model: the loaded model; its network is copied, not kept.
    ///   - poolSize: how many idle inference copies to keep.
    ///   - lanes: how many of the server's forward passes may run at once (`InferenceBatcher`).
    /// - Throws: `ModelFileError` when the model cannot be serialised for the page to download.
    public init(name: String, model: Model, poolSize: Int = 4, lanes: Int = 1) throws {
        self.name = name
        self.labels = model.labels
        self.framing = ImageInput.Framing(rawValue: model.preprocessing) ?? .quickdraw
        self.architecture = model.spec.name
        self.training = model.training
        self.side = model.spec.input.count >= 2 ? model.spec.input[0] : 28
        self.gameWords = model.gameWords
        self.validationTop1PerClass = model.validationTop1PerClass
        self.file = try ModelFileBytes(model)
        self.pool = InferencePool(network: model.network, capacity: poolSize)
        self.batcher = InferenceBatcher(network: model.network, side: side, lanes: lanes, model: name)
        self.guessesOnServer = ServerMetrics.guesses(model: name, where: "server")
        self.taught = (try? WordImprinter(network: model.network)).map(TaughtWordBook.init)
    }

    /// The top-1 validation accuracy recorded at training, when the file has it.
    public var accuracy: Double? { training["val_top1"].flatMap(Double.init) }

    /// Probabilities for one `side × side` input (light ink on black, 0-255): the model's classes in
    /// order, then the words it was taught (`taughtLabels`).
    public func probabilities(_ pixels: [UInt8]) -> [Float] {
        precondition(pixels.count == side * side, "an input of \(pixels.count) pixels is not \(side)×\(side)")
        let output = pool.withWorker { $0.infer([pixels], side: side)[0] }
        return probabilities(output, words: taught?.words ?? [])
    }

    /// Rows of penultimate features for `images`, each `side × side`, as a taught word is built from.
    public func features(_ images: [[UInt8]]) -> [[Float]] {
        precondition(images.allSatisfy { $0.count == side * side }, "inputs must be \(side)×\(side)")
        return pool.withWorker { $0.infer(images, side: side) }.map(\.features)
    }

    /// The `top` most likely labels with their probabilities, most likely first (ties: lower index);
    /// taught words compete with the model's classes.
    public func predict(_ pixels: [UInt8], top: Int) -> [(label: String, confidence: Float)] {
        let words = taught?.words ?? []
        let output = pool.withWorker { $0.infer([pixels], side: side)[0] }
        return best(probabilities(output, words: words), top: top, words: words)
    }

    /// `predict(_:top:)` through the batcher: how the server answers requests.
    public func batchedPredict(_ pixels: [UInt8], top: Int) async -> [(label: String, confidence: Float)] {
        precondition(pixels.count == side * side, "an input of \(pixels.count) pixels is not \(side)×\(side)")
        let output = await batcher.infer(pixels)
        guessesOnServer.increment()
        let words = taught?.words ?? []
        return best(probabilities(output, words: words), top: top, words: words)
    }

    func probabilities(_ output: InferenceOutput, words: [TaughtWord]) -> [Float] {
        output.logits.withUnsafeBufferPointer { logits in
            output.features.withUnsafeBufferPointer { words.probabilities(logits: logits, features: $0) }
        }
    }

    func best(_ probabilities: [Float], top: Int, words: [TaughtWord]) -> [(label: String, confidence: Float)]
    {
        probabilities.indices.sorted {
            probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1)
        }
        .prefix(top).map {
            ($0 < labels.count ? labels[$0] : words[$0 - labels.count].label, probabilities[$0])
        }
    }
}

/// A model's safetensors file in memory, ready to send, with the entity tag that names its contents.
public struct ModelFileBytes: Sendable {
    /// The file: the weights in PyTorch's layouts and the metadata, exactly as `Model.write(to:)` writes.
    public let bytes: ByteBuffer
    /// A strong HTTP entity tag, the quoted MD5 of `bytes`: it changes whenever the weights do.
    public let entityTag: String

    /// The file of `model`.
    ///
    /// - Throws: `ModelFileError` when the model cannot be serialised.
    init(_ model: Model) throws {
        let bytes = try model.safeTensors().serialized()
        var digest = MD5()
        digest.update(bytes)
        self.bytes = ByteBuffer(bytes: bytes)
        self.entityTag = "\"\(digest.hexDigest())\""
    }
}

/// The models a server offers, by name.
public struct ModelRegistry: Sendable {
    /// The models, by name.
    public let models: [String: ServedModel]
    /// The model used when a request names none: `doodles` when present, else the first by name.
    public let defaultName: String

    /// A registry of `models`; there must be at least one, with distinct names.
    public init(_ models: [ServedModel]) {
        precondition(!models.isEmpty, "a model registry needs at least one model")
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = models.map(\.name).sorted()
        self.defaultName = names.contains("doodles") ? "doodles" : names[0]
    }

    /// Loads every `*.safetensors` file in `folder`, each named by its file name.
    ///
    /// - Throws: `ModelRegistryError` when the folder has no model files, or a `ModelFileError` naming a
    ///   file that cannot be loaded.
    public init(folder: URL, poolSize: Int = 4, lanes: Int = 1) throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let modelFiles = files.filter { $0.hasSuffix(".safetensors") }.sorted()
        guard !modelFiles.isEmpty else {
            throw ModelRegistryError(description: "no .safetensors model files in \(folder.path)")
        }
        self.init(
            try modelFiles.map { file in
                let model = try Model(contentsOf: folder.appendingPathComponent(file))
                return try ServedModel(
                    name: String(file.dropLast(".safetensors".count)), model: model, poolSize: poolSize,
                    lanes: lanes)
            })
    }

    /// The names of the models, sorted.
    public var names: [String] { models.keys.sorted() }

    /// The model called `name` (the default when nil), or 400 naming the models there are: how every
    /// route finds the model a request names.
    func served(_ name: String?) throws -> ServedModel {
        let name = name ?? defaultName
        guard let model = models[name] else {
            throw HTTPError(
                .badRequest,
                message:
                    "unknown model '\(name.prefix(40))'; this server has \(names.joined(separator: ", "))")
        }
        return model
    }
}

/// A models folder the server cannot use.
public struct ModelRegistryError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String
}

/// The words taught to one served model, shared by every request: read on each guess, replaced
/// whole when a word is taught or forgotten.
public final class TaughtWordBook: Sendable {
    /// Builds the words from drawings' features.
    public let imprinter: WordImprinter
    private let state = Mutex<[TaughtWord]>([])

    init(_ imprinter: WordImprinter) {
        self.imprinter = imprinter
    }

    /// The taught words, in the order first taught.
    public var words: [TaughtWord] { state.withLock { $0 } }

    /// Teaches `label` from `features` (a row per drawing): a new word goes last, a known one is rebuilt.
    @discardableResult
    public func teach(_ label: String, features: [[Float]]) -> TaughtWord {
        let word = imprinter.imprint(label: label, features: features)
        state.withLock { words in
            if let index = words.firstIndex(where: { $0.label == label }) {
                words[index] = word
            } else {
                words.append(word)
            }
        }
        return word
    }

    /// Forgets `label`; false when it was not taught.
    @discardableResult
    public func forget(_ label: String) -> Bool {
        state.withLock { words in
            guard let index = words.firstIndex(where: { $0.label == label }) else { return false }
            words.remove(at: index)
            return true
        }
    }
}
