import DoodleNN
import DoodleONNX
import Foundation
import TestSupport
import Testing

/// `Model.onnxModel()` for every architecture the engine names, checked by onnx.checker and run by
/// ONNX Runtime (Scripts/check_onnx.py): the same probabilities as the engine, within 1e-5, at
/// batch 1 and batch 7.
@Suite struct ONNXExportTests {
    static let python = TestSupport.python(importing: ["onnx", "onnxruntime", "numpy"])
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scripts/check_onnx.py")

    struct Check: Decodable {
        var maxDifference: Double
        var shape: [Int]
        var labels: [String]
        var opset: Int
        var input: [StringOrInt]
        var output: String

        enum CodingKeys: String, CodingKey {
            case maxDifference = "max_difference"
            case shape, labels, opset, input, output
        }
    }

    enum StringOrInt: Decodable, Equatable {
        case string(String), int(Int)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int.self) {
                self = .int(number)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    /// A model of `architecture` with its He-initialised weights, and random biases and batch-norm
    /// statistics, so that every tensor the graph holds matters and the outputs are not one-hot.
    static func model(_ architecture: String, classes: Int = 5) throws -> Model {
        var generator = SeededGenerator(seed: 11)
        let spec = try #require(ArchitectureSpec.named[architecture])
        let network = try spec.build(classes: classes, generator: &generator)
        for layer in network.layers {
            for parameter in layer.parameters where parameter.name != "weight" || layer is BatchNorm2D {
                guard !parameter.name.hasSuffix("num_batches_tracked") else { continue }
                let range: ClosedRange<Float> =
                    switch parameter.name {
                    case "running_var", "weight": 0.5...1.5
                    default: -0.1...0.1
                    }
                parameter.value = Tensor(
                    shape: parameter.value.shape,
                    scalars: (0..<parameter.value.count).map { _ in Float.random(in: range, using: &generator)
                    })
            }
        }
        return Model(
            spec: spec, labels: (0..<classes).map { "class \($0)" },
            preprocessing: architecture == "mnist" ? "mnist" : "quickdraw", network: network)
    }

    @Test(
        .enabled(
            if: python != nil, "needs a Python with onnx, onnxruntime and numpy ($DOODLE_PYTHON or /tmp/peer)"
        ),
        arguments: ["small", "medium", "mnist", "deep", "compact"])
    func onnxRuntimeGivesTheEnginesProbabilities(architecture: String) throws {
        let model = try Self.model(architecture)
        let folder = try makeTemporaryDirectory("doodle-onnx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("\(architecture).onnx")
        try Data(try model.onnxModel()).write(to: file)
        var generator = SeededGenerator(seed: 3)
        for batch in [1, 7] {
            let count = batch * 28 * 28
            let pixels = (0..<count).map { _ in Float.random(in: 0...1, using: &generator) }
            let probabilities = softmax(
                model.network.inferenceCopy().forward(Tensor(shape: [batch, 28, 28, 1], scalars: pixels))
            ).scalars
            // Outputs far from one-hot, where a wrong weight or layout would show.
            #expect(probabilities.max()! < 0.95, "\(architecture): \(probabilities.prefix(5))")
            // One channel: the engine's (N, H, W, C) bytes are ONNX's (N, C, H, W).
            let inputs = folder.appendingPathComponent("inputs.f32")
            let expected = folder.appendingPathComponent("expected.f32")
            try Self.bytes(pixels).write(to: inputs)
            try Self.bytes(probabilities).write(to: expected)
            let output = try runPythonScript(
                Self.python!, [Self.script.path, file.path, inputs.path, expected.path, "\(batch)"])
            let check = try JSONDecoder().decode(Check.self, from: output)
            print("onnx \(architecture) batch \(batch): largest difference \(check.maxDifference)")
            #expect(check.maxDifference <= 1e-5, "\(architecture) batch \(batch)")
            #expect(check.shape == [batch, 5])
            #expect(check.labels == model.labels)
            #expect(check.opset == 17)
            #expect(check.input == [.string("batch"), .int(1), .int(28), .int(28)])
            #expect(check.output == "probabilities")
        }
    }

    static func bytes(_ values: [Float]) -> Data {
        Data(
            values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
            })
    }

    /// `doodle export` on the shipped models: an ONNX file that ONNX Runtime runs as the engine does.
    @Test(
        .enabled(
            if: python != nil, "needs a Python with onnx, onnxruntime and numpy ($DOODLE_PYTHON or /tmp/peer)"
        ),
        .enabled(if: doodleBinary != nil, "needs the doodle binary built beside the tests"),
        arguments: ["doodles", "digits"])
    func theShippedModelsExportFromTheCommandLine(name: String) throws {
        let folder = try makeTemporaryDirectory("doodle-onnx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = Self.script.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models")
        let file = folder.appendingPathComponent("\(name).onnx")
        let process = Process()
        process.executableURL = doodleBinary
        process.arguments = [
            "export", models.appendingPathComponent("\(name).safetensors").path, "--out", file.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let model = try Model(contentsOf: models.appendingPathComponent("\(name).safetensors"))
        var generator = SeededGenerator(seed: 5)
        let pixels = (0..<(7 * 784)).map { _ in Float.random(in: 0...1, using: &generator) }
        let probabilities = softmax(
            model.network.inferenceCopy().forward(Tensor(shape: [7, 28, 28, 1], scalars: pixels))
        ).scalars
        let (inputs, expected) = (
            folder.appendingPathComponent("in.f32"), folder.appendingPathComponent("out.f32")
        )
        try Self.bytes(pixels).write(to: inputs)
        try Self.bytes(probabilities).write(to: expected)
        let check = try JSONDecoder().decode(
            Check.self,
            from: try runPythonScript(
                Self.python!, [Self.script.path, file.path, inputs.path, expected.path, "7"]))
        print("onnx shipped \(name): largest difference \(check.maxDifference)")
        #expect(check.maxDifference <= 1e-5)
        #expect(check.labels == model.labels)
    }

    static let torchPython = TestSupport.python(importing: ["torch", "safetensors", "numpy"])

    /// `Model.pyTorchModule()` for every architecture: PyTorch builds the module, takes the model
    /// file's tensors strictly, and computes the engine's logits.
    @Test(
        .enabled(
            if: torchPython != nil, "needs a Python with torch, safetensors and numpy (the peer environment)"),
        arguments: ["small", "medium", "mnist", "deep", "compact"])
    func pyTorchLoadsEveryArchitectureStrictly(architecture: String) throws {
        let model = try Self.model(architecture)
        let folder = try makeTemporaryDirectory("doodle-torch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (weights, module) = (
            folder.appendingPathComponent("m.safetensors"), folder.appendingPathComponent("m.py")
        )
        try model.write(to: weights)
        try Data(try model.pyTorchModule().utf8).write(to: module)
        var generator = SeededGenerator(seed: 9)
        let pixels = (0..<(3 * 784)).map { _ in Float.random(in: 0...1, using: &generator) }
        let inputs = folder.appendingPathComponent("in.f32")
        try Self.bytes(pixels).write(to: inputs)
        struct Answer: Decodable {
            var logits: [[Float]]
            var labels: [String]
        }
        let answer = try JSONDecoder().decode(
            Answer.self,
            from: try runPythonScript(
                Self.torchPython!,
                [
                    Self.script.deletingLastPathComponent().appendingPathComponent("check_torch_module.py")
                        .path,
                    weights.path, module.path, inputs.path, "3",
                ]))
        let ours = model.network.inferenceCopy().forward(Tensor(shape: [3, 28, 28, 1], scalars: pixels))
            .scalars
        #expect(
            mismatch(ours, answer.logits.flatMap { $0 }, rtol: 1e-4, atol: 1e-4) == nil, "\(architecture)")
        #expect(answer.labels == model.labels)
    }
}
