import DoodleNN
import Foundation
import TestSupport
import Testing

/// A committed fixture written by `Scripts/make_nn_fixtures.py`.
func fixture(_ name: String) throws -> SafeTensors {
    let url = try #require(
        Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"),
        "fixture \(name).safetensors is missing; run Scripts/make_nn_fixtures.py")
    return try SafeTensors(contentsOf: url)
}

/// The Python with torch and safetensors that the interop tests drive, when this machine has one and
/// the PyTorch peer (`../shared/peers/torch_peer.py` beside the repository, or `$DOODLE_PEERS`) is there.
let peerPython: String? = {
    let environment = ProcessInfo.processInfo.environment
    let path = environment["DOODLE_PEER_PYTHON"] ?? "/tmp/peer/bin/python"
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let peers =
        environment["DOODLE_PEERS"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared/peers").path
    guard FileManager.default.isExecutableFile(atPath: path),
        FileManager.default.fileExists(atPath: peers + "/torch_peer.py")
    else { return nil }
    return path
}()

@Suite struct SafeTensorsFixtureTests {
    @Test func readsEveryDtypeThePythonPackageWrites() throws {
        let file = try fixture("dtypes")
        #expect(file.metadata == ["purpose": "reader test", "answer": "42"])
        let expected: [String: (SafeTensors.DType, [Float])] = [
            "f32": (.f32, [1.5, -2.25, 3]), "f16": (.f16, [0.5, -1, 65504]), "bf16": (.bf16, [1, -3.5, 256]),
            "f64": (.f64, [0.1, -1e10, 2]), "i64": (.i64, [-3, 0, 1_048_576]), "i32": (.i32, [7, -8, 9]),
            "u8": (.u8, [0, 128, 255]),
        ]
        for (name, (dtype, values)) in expected {
            #expect(file[name]?.dtype == dtype, "\(name)")
            #expect(try file.tensor(name, shape: [3]).scalars == values, "\(name)")
        }
        #expect(try file.tensor("matrix", shape: [2, 3]).scalars == [0, 1, 2, 3, 4, 5])
        #expect(try file.tensor("scalar", shape: []).scalars == [42])
        #expect(try file.tensor("empty", shape: [0, 3]).count == 0)
        #expect(file.entries.count == 10)
    }

    @Test func readsThePyTorchMNISTStateDict() throws {
        let file = try fixture("mnist_model")
        #expect(file.metadata["arch"] == "mnist" && file.metadata["classes"] == "10")
        let shapes = [
            "0.weight": [32, 1, 3, 3], "0.bias": [32], "3.weight": [64, 32, 3, 3], "3.bias": [64],
            "8.weight": [10, 1600], "8.bias": [10],
        ]
        try file.checkNames(shapes.keys)
        for (name, shape) in shapes {
            let tensor = try file.tensor(name, shape: shape, dtype: .f32)
            #expect(tensor.scalars.allSatisfy { $0.isFinite && abs($0) < 1 }, "\(name)")
        }
        let io = try fixture("mnist_io")
        #expect(try io.tensor("input", shape: [4, 1, 28, 28]).scalars.allSatisfy { (0..<1).contains($0) })
        #expect(try io.tensor("logits", shape: [4, 10]).count == 40)
    }

    @Test(arguments: [
        "conv2d_same_3x3_b7_c3_5x7", "conv2d_valid_3x3_b1_c1_3x3", "conv2d_stride2_pad1_3x3_b7_c3_5x7",
        "linear_b7_in20_out5", "batchnorm2d_train_b7_c3_5x7", "maxpool2d_2_b2_c3_5x7", "softmax_b7_c5",
    ])
    func layerFixturesDescribeTheirCase(_ name: String) throws {
        let file = try fixture(name)
        let json = try #require(file.metadata["case"]?.data(using: .utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(name.hasPrefix(try #require(object["kind"] as? String)))
        for tensor in ["input", "output", "dOutput", "dInput"] {
            #expect(file[tensor]?.dtype == .f32, "\(name) lacks \(tensor)")
        }
        #expect(file["dOutput"]?.tensor.shape == file["output"]?.tensor.shape)
        #expect(file["dInput"]?.tensor.shape == file["input"]?.tensor.shape)
    }

    @Test(
        .enabled(
            if: peerPython != nil,
            "needs /tmp/peer/bin/python (or DOODLE_PEER_PYTHON) with torch, and ../shared/peers"))
    func pyTorchLoadsAFileDoodleWrote() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Read PyTorch's file, then write it again with Doodle's writer, in another tensor order.
        var model = try fixture("mnist_model")
        model.entries.reverse()
        let modelURL = directory.appendingPathComponent("mnist.safetensors")
        try model.write(to: modelURL)
        let io = try fixture("mnist_io")
        let inputsURL = directory.appendingPathComponent("inputs.safetensors")
        try SafeTensors([.init("input", try io.tensor("input", shape: [4, 1, 28, 28]))]).write(to: inputsURL)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/check_torch_load.py")
        let data = try runPeerPython([script.path, modelURL.path, inputsURL.path])

        struct Result: Decodable { var arch: String, classes: Int, logits: [[Float]] }
        let result = try JSONDecoder().decode(Result.self, from: data)
        #expect(result.arch == "mnist" && result.classes == 10)
        let expected = try io.tensor("logits", shape: [4, 10]).scalars
        #expect(mismatch(result.logits.flatMap { $0 }, expected, rtol: 1e-4, atol: 1e-5) == nil)
    }

    @Test(
        .enabled(
            if: peerPython != nil,
            "needs /tmp/peer/bin/python (or DOODLE_PEER_PYTHON) with torch, and ../shared/peers"))
    func pythonReadsEveryDtypeDoodleWrites() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("all.safetensors")
        var entries = SafeTensors.DType.allCases.map {
            SafeTensors.Entry($0.rawValue, Tensor(shape: [2, 2], scalars: [0, 1, 2, 255]), dtype: $0)
        }
        entries += [
            .init("empty", Tensor(shape: [3, 0], scalars: [])),
            .init("scalar", Tensor(shape: [], scalars: [-4])),
        ]
        try SafeTensors(entries, metadata: ["note": "ünïcödé \"quoted\"\n"]).write(to: url)
        let code = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], "pt") as f:
                out = {k: [str(f.get_tensor(k).dtype), list(f.get_tensor(k).shape),
                           f.get_tensor(k).double().flatten().tolist()] for k in f.keys()}
                print(json.dumps({"metadata": f.metadata(), "tensors": out}))
            """
        struct Listing: Decodable {
            var metadata: [String: String]
            var tensors: [String: [Item]]
        }
        enum Item: Decodable {
            case text(String), numbers([Double])
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let text = try? container.decode(String.self) {
                    self = .text(text)
                } else {
                    self = .numbers(try container.decode([Double].self))
                }
            }
        }
        let listing = try JSONDecoder().decode(Listing.self, from: try runPeerPython(["-c", code, url.path]))
        #expect(listing.metadata == ["note": "ünïcödé \"quoted\"\n"])
        let torchNames: [SafeTensors.DType: String] = [
            .f32: "torch.float32", .f16: "torch.float16", .bf16: "torch.bfloat16", .f64: "torch.float64",
            .i64: "torch.int64", .i32: "torch.int32", .u8: "torch.uint8",
        ]
        for dtype in SafeTensors.DType.allCases {
            let item = listing.tensors[dtype.rawValue]
            guard case .text(let name) = item?[0], case .numbers(let values) = item?[2] else {
                Issue.record("Python did not list \(dtype)")
                continue
            }
            #expect(name == torchNames[dtype])
            #expect(values == [0, 1, 2, 255], "\(dtype)")
        }
        guard case .numbers(let shape) = listing.tensors["empty"]?[1],
            case .numbers(let scalar) = listing.tensors["scalar"]?[2]
        else {
            Issue.record("Python did not list the empty tensor and the scalar")
            return
        }
        #expect(shape == [3, 0] && scalar == [-4])
    }
}

/// Runs the peer Python with `arguments` and returns what it printed; fails the test if it fails.
func runPeerPython(_ arguments: [String]) throws -> Data {
    try runPythonScript(try #require(peerPython), arguments)
}
