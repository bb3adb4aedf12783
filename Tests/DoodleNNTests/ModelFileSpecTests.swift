import DoodleNN
import Foundation
import Testing

/// Model files whose architecture spec used to trap or exhaust memory while the network was built,
/// before any tensor was checked (issue 13). Each now fails with a `ModelFileError` naming the layer.
@Suite struct ModelFileSpecTests {
    /// A model file holding `tensors` whose metadata gives `spec` (JSON) and two labels.
    static func file(spec: String, tensors: [SafeTensors.Entry] = []) -> SafeTensors {
        let metadata = [
            "format": Model.format, "spec": spec, "labels": #"["cat", "dog"]"#, "preprocessing": "quickdraw",
        ]
        return SafeTensors(tensors, metadata: metadata, source: "spec.safetensors")
    }

    static let head = #"{"type": "globalavgpool"}, {"type": "linear", "units": "classes"}"#

    @Test(arguments: [
        // Conv2D's precondition `kernelSize > 0 && stride > 0` trapped.
        (#"[{"type": "conv", "filters": 2, "kernel": 0}, \#(head)]"#, "kernel 0 and stride 1 must be in"),
        (
            #"[{"type": "conv", "filters": 2, "stride": -1, "padding": "1"}, \#(head)]"#,
            "kernel 3 and stride -1"
        ),
        // Conv2D.outputShape's precondition "input is smaller than the kernel" trapped.
        (
            #"[{"type": "conv", "filters": 2, "kernel": 40, "padding": "valid"}, \#(head)]"#,
            "larger than its padded"
        ),
        // The pooling window precondition trapped.
        (#"[{"type": "maxpool", "size": 0}, \#(head)]"#, "the window 0 and stride 0 must be positive"),
        (#"[{"type": "avgpool", "stride": 0}, \#(head)]"#, "the window 2 and stride 0 must be positive"),
        // 51 million weights were allocated before the file was found to hold none of them.
        (
            #"[{"type": "flatten"}, {"type": "linear", "units": 65536}, {"type": "linear", "units": "classes"}]"#,
            "needs more parameters than the 1048576 allowed"
        ),
        (#"[{"type": "conv", "filters": 100000}, \#(head)]"#, "needs \"filters\", 1...65536"),
    ])
    func badLayerIsRefused(layers: String, message: String) throws {
        let spec = #"{"name": "bad", "layers": \#(layers)}"#
        let error = try #require(throws: ModelFileError.self) { try Model(Self.file(spec: spec)) }
        #expect(error.problem.contains(message), "\(error.problem)")
    }

    /// An input of 2^40 pixels overflowed the flattened size (and would never fit in memory).
    @Test func hugeInputIsRefused() throws {
        let spec = #"{"name": "big", "input": [1048576, 1048576, 1], "layers": [\#(Self.head)]}"#
        let error = try #require(throws: ModelFileError.self) { try Model(Self.file(spec: spec)) }
        #expect(error.problem.contains("each 1...65536"), "\(error.problem)")
    }

    /// A spec that fits the tensors the file holds still loads.
    @Test func specWithItsTensorsLoads() throws {
        let spec =
            #"{"name": "tiny", "input": [2, 2, 1], "layers": [{"type": "flatten"}, {"type": "linear", "units": "classes"}]}"#
        let tensors = [
            SafeTensors.Entry("1.weight", Tensor(repeating: 0.5, shape: [2, 4])),
            SafeTensors.Entry("1.bias", Tensor(repeating: 0, shape: [2])),
        ]
        let model = try Model(Self.file(spec: spec, tensors: tensors))
        #expect(model.labels == ["cat", "dog"])
    }
}
