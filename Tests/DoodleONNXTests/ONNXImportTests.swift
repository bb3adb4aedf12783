import DoodleNN
import Foundation
import SwiftProtobuf
import TestSupport
import Testing

@testable import DoodleONNX

/// `ONNXImport`: Doodle's own exports read back, graphs made by PyTorch and in Keras's NHWC layout
/// computing what ONNX Runtime computes, and files it must refuse, with the reason.
@Suite struct ONNXImportTests {
    static func probabilities(_ model: Model, _ pixels: [Float], batch: Int) -> [Float] {
        softmax(model.network.inferenceCopy().forward(Tensor(shape: [batch, 28, 28, 1], scalars: pixels)))
            .scalars
    }

    static func pixels(_ batch: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<(batch * 784)).map { _ in Float.random(in: 0...1, using: &generator) }
    }

    @Test(arguments: ["small", "medium", "mnist", "deep", "compact"])
    func anExportedModelImportsAsTheSameModel(architecture: String) throws {
        let model = try ONNXExportTests.model(architecture)
        let imported = try ONNXImport.model(from: try model.onnxModel())
        #expect(imported.labels == model.labels)
        #expect(imported.preprocessing == model.preprocessing)
        #expect(imported.network.parameterCount == model.network.parameterCount)
        let pixels = Self.pixels(7, seed: 4)
        let difference = mismatch(
            Self.probabilities(imported, pixels, batch: 7), Self.probabilities(model, pixels, batch: 7),
            rtol: 0,
            atol: 1e-5)
        #expect(difference == nil, "\(architecture): \(difference ?? "")")
    }

    @Test func whatCannotBeImportedIsRefusedWithTheReason() throws {
        let model = try ONNXExportTests.model("small")
        let bytes = try model.onnxModel()
        func refusal(_ bytes: [UInt8], labels: [String]? = nil) -> String {
            do {
                _ = try ONNXImport.model(from: bytes, labels: labels)
                return "imported"
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(Array(bytes.prefix(bytes.count / 2))).contains("not an ONNX model"))
        #expect(refusal([]).contains("no graph"))
        #expect(refusal(bytes, labels: ["a", "b"]).contains("2 labels for a model of 5 outputs"))
        // An operator the engine lacks, named: the exporter's first Relu made a LeakyRelu.
        let leaky = try Self.edited(bytes) { graph in
            let index = graph.node.firstIndex { $0.opType == "Relu" }!
            graph.node[index].opType = "LeakyRelu"
        }
        #expect(refusal(leaky).contains("the operator LeakyRelu (node '1.Relu') is not one the engine has"))
        // A weight that does not fit its node.
        let misfit = try Self.edited(bytes) { graph in
            graph.initializer[0].dims = [32, 2, 3, 3]
        }
        #expect(refusal(misfit).contains("does not fit 1 input channels"), "\(refusal(misfit))")
        // A damaged weight (the fuzzer's find: a Gemm weight of 5e14, which overflows to NaN in ONNX
        // Runtime too) is refused.
        let huge = try Self.edited(bytes) { graph in
            let index = graph.initializer.firstIndex { $0.name.hasSuffix(".weight") && $0.dims.count == 2 }!
            graph.initializer[index].rawData.replaceSubrange(
                0..<4, with: withUnsafeBytes(of: Float(5.4e14).bitPattern.littleEndian) { Data($0) })
        }
        #expect(refusal(huge).contains("holds values beyond ±1e6"), "\(refusal(huge))")
        // A graph that is not a chain.
        let branch = try Self.edited(bytes) { graph in graph.node[2].input[0] = "input" }
        #expect(refusal(branch).contains("the graph is not a chain"))
    }

    /// The model in `bytes` with its graph changed in one place.
    static func edited(_ bytes: [UInt8], _ change: (inout Onnx_GraphProto) -> Void) throws -> [UInt8] {
        var model = try Onnx_ModelProto(serializedBytes: bytes)
        change(&model.graph)
        return try model.serializedBytes()
    }

    static let python = TestSupport.python(importing: ["onnx", "onnxruntime", "numpy"])

    /// Models made outside Doodle (Scripts/make_onnx_fixtures.py): a Keras-style NHWC graph always, and
    /// torch_peer.py's small, medium and mnist exported by torch.onnx.export when torch is there.
    @Test(
        .enabled(
            if: python != nil, "needs a Python with onnx, onnxruntime and numpy ($DOODLE_PYTHON or /tmp/peer)"
        ))
    func modelsMadeElsewhereComputeWhatONNXRuntimeDoes() throws {
        let folder = try makeTemporaryDirectory("doodle-onnx-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = ONNXExportTests.script.deletingLastPathComponent().appendingPathComponent(
            "make_onnx_fixtures.py")
        let names = String(
            decoding: try runPythonScript(Self.python!, [script.path, folder.path]), as: UTF8.self
        )
        .split(separator: "\n").map(String.init)
        #expect(names.first == "keras")
        let pixels = try Self.floats(folder.appendingPathComponent("inputs.f32"))
        for name in names {
            let expected = try Self.floats(folder.appendingPathComponent("\(name).expected.f32"))
            let classes = expected.count / 7
            let model = try ONNXImport.model(
                from: [UInt8](try Data(contentsOf: folder.appendingPathComponent("\(name).onnx"))),
                labels: (0..<classes).map { "class \($0)" })
            let difference = mismatch(
                Self.probabilities(model, pixels, batch: 7), expected, rtol: 0, atol: 1e-5)
            print("onnx import \(name): \(model.network.layers.count) layers, \(difference ?? "within 1e-5")")
            #expect(difference == nil, "\(name)")
        }
    }

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map {
                Float(
                    bitPattern: UInt32(
                        littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
    }
}
