import DoodleNN
import Foundation
import TestSupport
import Testing

@Suite struct ModelFileTests {
    static func model(_ spec: ArchitectureSpec, classes: Int, seed: UInt64 = 1) throws -> Model {
        var g = SeededGenerator(seed: seed)
        let network = try spec.build(classes: classes, generator: &g)
        return Model(
            spec: spec, labels: (0..<classes).map { "class \($0)" }, preprocessing: "quickdraw",
            training: ["top1": "0.5"], network: network)
    }

    static func input(_ n: Int, seed: UInt64 = 2) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [n, 28, 28, 1], scalars: (0..<(n * 784)).map { _ in g.nextUnitFloat() })
    }

    @Test(arguments: ["small", "mnist", "deep"])
    func roundTripGivesTheSameModel(arch: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = try Self.model(ArchitectureSpec.named[arch]!, classes: 6)
        // Move batch-norm statistics away from their defaults so the round trip has something to keep.
        _ = original.network.forward(Self.input(8), training: true)
        let url = directory.appendingPathComponent("m.safetensors")
        try original.write(to: url)
        let loaded = try Model(contentsOf: url)
        #expect(loaded.spec == original.spec)
        #expect(loaded.labels == original.labels)
        #expect(loaded.preprocessing == "quickdraw")
        #expect(loaded.training == ["top1": "0.5"])
        let x = Self.input(3, seed: 5)
        #expect(loaded.network.forward(x).scalars == original.network.forward(x).scalars)
        #expect(!FileManager.default.fileExists(atPath: url.path + ".tmp"))
    }

    /// Rewrites a valid model file with one thing changed and expects a load error mentioning `needle`.
    func expectLoadError(_ needle: String, _ change: (inout SafeTensors) -> Void) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var file = try Self.model(.mnist, classes: 4).safeTensors()
        change(&file)
        let url = directory.appendingPathComponent("bad.safetensors")
        try file.write(to: url)
        do {
            _ = try Model(contentsOf: url)
            Issue.record("loading should fail with '\(needle)'")
        } catch {
            #expect("\(error)".contains(needle), "\(error)")
            #expect("\(error)".contains("bad.safetensors"), "the error names the file: \(error)")
        }
    }

    @Test func mismatchedFilesAreNamedErrors() throws {
        try expectLoadError("not a Doodle model") { $0.metadata["format"] = nil }
        try expectLoadError("format 'doodle-model/9'") { $0.metadata["format"] = "doodle-model/9" }
        try expectLoadError("missing tensors 3.bias") { $0.entries.removeAll { $0.name == "3.bias" } }
        try expectLoadError("unexpected tensors 9.weight") {
            $0.entries.append(.init("9.weight", Tensor(repeating: 0, shape: [2])))
        }
        try expectLoadError("8.weight has shape [4, 1600], expected [5, 1600]") {
            $0.metadata["labels"] = #"["a","b","c","d","e"]"#
        }
        try expectLoadError("unreadable metadata") { $0.metadata["spec"] = "{not json" }
        try expectLoadError("unknown layer type") {
            $0.metadata["spec"] = #"{"name":"x","input":[28,28,1],"layers":[{"type":"wobble"}]}"#
        }
    }

    @Test func truncatedFileIsANamedError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("cut.safetensors")
        let bytes = try Self.model(.mnist, classes: 4).safeTensors().serialized()
        try Data(bytes.prefix(bytes.count / 2)).write(to: url)
        #expect(throws: ModelFileError.self) { try Model(contentsOf: url) }
    }

    /// A model Doodle wrote loads into torch_peer.py's architecture (strict) and gives the same logits.
    @Test(
        .enabled(
            if: peerPython != nil,
            "needs /tmp/peer/bin/python (or DOODLE_PEER_PYTHON) with torch, and ../shared/peers"),
        arguments: ["small", "mnist"])
    func pyTorchLoadsADoodleModel(arch: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let classes = arch == "mnist" ? 10 : 7
        let model = try Self.model(ArchitectureSpec.named[arch]!, classes: classes)
        let modelURL = directory.appendingPathComponent("model.safetensors")
        try model.write(to: modelURL)
        let x = Self.input(3)
        let inputsURL = directory.appendingPathComponent("inputs.safetensors")
        // NHWC with one channel is NCHW too.
        try SafeTensors([.init("input", x.reshaped([3, 1, 28, 28]))]).write(to: inputsURL)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/check_torch_load.py")
        let data = try runPeerPython([script.path, modelURL.path, inputsURL.path])
        struct Result: Decodable { var logits: [[Float]] }
        let logits = try JSONDecoder().decode(Result.self, from: data).logits.flatMap { $0 }
        let ours = model.network.forward(x).scalars
        #expect(mismatch(ours, logits, rtol: 1e-4, atol: 1e-4) == nil)
    }
}
