import DoodleNN
import DoodleONNX
import Foundation

extension Harnesses {
    /// `doodle import`: an ONNX file read into a model (labels from its metadata, else three made
    /// up), then one guess on a grey image: one probability per label, each in 0...1 (or NaN where
    /// extreme weights overflow, as they do in ONNX Runtime).
    static func onnx(_ bytes: [UInt8]) {
        let model: Model
        do {
            model = try ONNXImport.model(from: bytes)
        } catch let error as ONNXError where error.description.contains("labels") {
            guard let found = try? ONNXImport.model(from: bytes, labels: ["a", "b", "c"]) else { return }
            model = found
        } catch {
            return
        }
        let side = model.spec.input
        let input = Tensor(shape: [1] + side, scalars: [Float](repeating: 0.5, count: side.reduce(1, *)))
        let probabilities = softmax(model.network.inferenceCopy().forward(input)).scalars
        precondition(probabilities.count == model.labels.count, "one probability per label")
        // Weights within the importer's bounds can still overflow through enough layers, as they do in
        // ONNX Runtime: NaN then, which the server answers as 0; never a probability outside 0...1.
        precondition(
            probabilities.allSatisfy { $0.isNaN || (0...1).contains($0) }, "a probability outside 0...1")
    }
}
