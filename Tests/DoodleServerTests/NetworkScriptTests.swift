import DoodleData
import DoodleNN
import DoodleServer
import Foundation
import TestSupport
import Testing

/// The page's `network.js` against the engine: every architecture Doodle names, and one that uses every
/// layer type and awkward size, give the engine's logits and probabilities in Node, with both kernels.
@Suite("network.js against the engine", .serialized)
struct NetworkScriptTests {
    static let reason: String? = SketchHarness.node == nil ? "no node on PATH (apt-get install nodejs)" : nil

    /// Every layer type, stride 2, explicit and valid padding, channel counts that are not multiples of
    /// the WebAssembly kernel's 8, average pooling, and a batch norm that follows no convolution.
    static let awkward = ArchitectureSpec(
        name: "awkward",
        layers: [
            .init("conv", filters: 5, kernel: 5, stride: 2, padding: "1"), .init("batchnorm"), .init("relu"),
            .init("avgpool"), .init("batchnorm"),
            .init("conv", filters: 12, kernel: 3, padding: "valid"), .init("relu"),
            .init("conv", filters: 9, kernel: 1, padding: "valid"), .init("globalavgpool"),
            .init("dropout", rate: 0.2), .init("linear", units: .count(7)), .init("relu"),
            .init("linear", units: .classes),
        ])

    static var architectures: [ArchitectureSpec] {
        ArchitectureSpec.named.keys.sorted().map { ArchitectureSpec.named[$0]! } + [awkward]
    }

    /// A model of `spec` with random weights and batch norms whose statistics are far from the identity,
    /// so that folding them is exercised.
    static func randomModel(_ spec: ArchitectureSpec, classes: Int, seed: UInt64) throws -> Model {
        var generator = SeededGenerator(seed: seed)
        let network = try spec.build(classes: classes, generator: &generator)
        for case let bn as BatchNorm2D in network.layers {
            let c = bn.channels
            func values(_ range: ClosedRange<Float>) -> Tensor {
                Tensor(shape: [c], scalars: (0..<c).map { _ in Float.random(in: range, using: &generator) })
            }
            bn.weight.value = values(0.5...1.5)
            bn.bias.value = values(-0.3...0.3)
            bn.runningMean.value = values(-0.2...0.2)
            bn.runningVariance.value = values(0.3...2)
        }
        return Model(
            spec: spec, labels: (0..<classes).map { "class \($0)" }, preprocessing: "quickdraw",
            network: network)
    }

    /// Model inputs: drawings rendered as the page renders them, a blank one, and sparse noise.
    static func inputs(seed: UInt64) throws -> [[UInt8]] {
        var generator = SeededGenerator(seed: seed)
        var inputs = try [ServerFixtures.strokes, [[[0, 50, 100], [100, 0, 100]]]].map { arrays in
            try ImageInput.modelInput(
                strokes: arrays.map { Stroke(x: $0[0], y: $0[1]) }, framing: .quickdraw)
        }
        inputs.append([UInt8](repeating: 0, count: 784))
        inputs.append([UInt8](repeating: 255, count: 784))
        for _ in 0..<4 {
            inputs.append(
                (0..<784).map { _ in
                    Bool.random(using: &generator) ? 0 : UInt8.random(in: 0...255, using: &generator)
                })
        }
        return inputs
    }

    /// The engine's logits and probabilities for each input, as the server computes them.
    static func engine(_ model: Model, _ inputs: [[UInt8]]) -> [(logits: [Float], probabilities: [Float])] {
        let network = model.network.inferenceCopy()
        return inputs.map { pixels in
            let logits = network.forward(
                Tensor(shape: [1, 28, 28, 1], scalars: pixels.map { Float($0) / 255 }))
            return (logits.scalars, softmax(logits).scalars)
        }
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"), arguments: ["javascript", "wasm"])
    func everyArchitectureGivesTheEnginesAnswers(kernel: String) throws {
        let inputs = try Self.inputs(seed: 5)
        for (index, spec) in Self.architectures.enumerated() {
            let model = try Self.randomModel(spec, classes: 11, seed: UInt64(index))
            let run = try NetworkHarness.run(model: model, kernel: kernel, inputs: inputs)
            #expect(run.kernel == kernel)
            #expect(run.architecture == spec.name)
            for (i, (expected, actual)) in zip(Self.engine(model, inputs), run.outputs).enumerated() {
                let scale = expected.logits.map(abs).max() ?? 1
                let logits = mismatch(actual.logits, expected.logits, rtol: 1e-4, atol: 1e-4 * max(1, scale))
                #expect(logits == nil, "\(spec.name), input \(i), logits: \(logits ?? "")")
                let probabilities = mismatch(
                    actual.probabilities, expected.probabilities, rtol: 0, atol: 1e-4)
                #expect(
                    probabilities == nil, "\(spec.name), input \(i), probabilities: \(probabilities ?? "")")
            }
        }
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"), arguments: ["doodles", "digits"])
    func theShippedModelsGiveTheEnginesAnswersOnRealDrawings(name: String) throws {
        let file = SketchHarness.repository.appendingPathComponent("models/\(name).safetensors")
        let model = try Model(contentsOf: file)
        var inputs = try Self.inputs(seed: 9)
        if let data = sharedDataDirectory {
            let folder = data.appendingPathComponent("quickdraw/strokes/simplified_ndjson")
            for category in ["cat", "house", "bicycle", "face", "star", "tree", "fish", "clock"] {
                let drawings = try QuickDrawNDJSON.read(
                    from: folder.appendingPathComponent("\(category).ndjson"))
                let framing = ImageInput.Framing(rawValue: model.preprocessing) ?? .quickdraw
                inputs += try drawings.drawings.prefix(5).map {
                    try ImageInput.modelInput(strokes: $0.strokes, framing: framing)
                }
            }
        }
        let expected = Self.engine(model, inputs)
        for kernel in ["javascript", "wasm"] {
            let run = try NetworkHarness.run(model: model, kernel: kernel, inputs: inputs)
            var worst: Float = 0
            for (e, a) in zip(expected, run.outputs) {
                worst = max(worst, zip(e.probabilities, a.probabilities).map { abs($0 - $1) }.max() ?? 0)
                #expect(mismatch(a.probabilities, e.probabilities, rtol: 0, atol: 1e-4) == nil)
            }
            print(
                "network.js \(kernel): \(name) (\(run.architecture)) on \(inputs.count) inputs, largest "
                    + "probability difference \(worst), median \(run.medianMicroseconds) µs a guess in Node")
        }
    }

    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func aFileThatIsNotAModelIsRefusedWithItsProblem() throws {
        let model = try Self.randomModel(.mnist, classes: 3, seed: 1)
        var file = try model.safeTensors()
        file.entries.removeLast()
        let run = try NetworkHarness.run(bytes: try file.serialized(), kernel: "javascript", inputs: [])
        #expect(run.error?.contains("has no tensor '8.bias'") == true, "\(run.error ?? "no error")")
        let truncated = try NetworkHarness.run(
            bytes: Array(try model.safeTensors().serialized().prefix(600)), kernel: "javascript", inputs: [])
        #expect(truncated.error?.hasPrefix("truncated") == true, "\(truncated.error ?? "no error")")
    }

    /// The committed kernels.wasm is what Scripts/build_wasm.sh makes of kernels.c today.
    @Test func theCommittedWebAssemblyIsBuiltFromItsSource() throws {
        let clang = ["/opt/swift/usr/bin/clang", "/usr/bin/clang"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let clang else {
            print("skipped: no clang to rebuild kernels.wasm with")
            return
        }
        let directory = try makeTemporaryDirectory("doodle-wasm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("kernels.wasm")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            SketchHarness.repository.appendingPathComponent("Scripts/build_wasm.sh").path, output.path,
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["CLANG": clang]) { $1 }
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("skipped: \(clang) cannot build for wasm32 here")
            return
        }
        let committed = SketchHarness.repository.appendingPathComponent(
            "Sources/DoodleServer/Resources/kernels.wasm")
        #expect(
            try Data(contentsOf: output) == Data(contentsOf: committed),
            "Resources/kernels.wasm is stale: run Scripts/build_wasm.sh and commit it")
    }
}

/// `Scripts/network_harness.mjs`: network.js on a model file and many inputs, in one Node process.
enum NetworkHarness {
    struct Run {
        var error: String?
        var kernel = ""
        var architecture = ""
        var medianMicroseconds = 0.0
        var outputs: [(logits: [Float], probabilities: [Float])] = []
    }

    static func run(model: Model, kernel: String, inputs: [[UInt8]]) throws -> Run {
        try run(bytes: try model.safeTensors().serialized(), kernel: kernel, inputs: inputs)
    }

    static func run(bytes: [UInt8], kernel: String, inputs: [[UInt8]]) throws -> Run {
        let directory = try makeTemporaryDirectory("doodle-network")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (modelURL, inputURL, outputURL) = (
            directory.appendingPathComponent("model.safetensors"), directory.appendingPathComponent("in.bin"),
            directory.appendingPathComponent("out.bin")
        )
        try Data(bytes).write(to: modelURL)
        try Data(inputs.flatMap { $0 }).write(to: inputURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SketchHarness.node!)
        process.arguments = [
            SketchHarness.repository.appendingPathComponent("Scripts/network_harness.mjs").path,
            modelURL.path,
            kernel, inputURL.path, outputURL.path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError(description: "node exited with \(process.terminationStatus): \(text)")
        }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("error ") { return Run(error: String(line.dropFirst(6))) }
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count == 6, fields[0] == "ok", let classes = Int(fields[3]), let count = Int(fields[4]),
            count == inputs.count, let median = Double(fields[5])
        else { throw HarnessError(description: "unexpected answer '\(line.prefix(200))'") }
        let floats = try Data(contentsOf: outputURL).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        guard floats.count == count * 2 * classes else {
            throw HarnessError(
                description: "\(floats.count) floats for \(count) inputs of \(classes) classes")
        }
        let outputs = (0..<count).map { i in
            let base = i * 2 * classes
            return (Array(floats[base..<base + classes]), Array(floats[base + classes..<base + 2 * classes]))
        }
        return Run(
            kernel: fields[1], architecture: fields[2], medianMicroseconds: median, outputs: outputs)
    }
}
