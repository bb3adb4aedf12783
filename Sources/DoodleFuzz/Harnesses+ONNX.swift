import DoodleNN
import DoodleONNX
import Foundation

extension Harnesses {
    /// `doodle import`: an ONNX file read into a model (labels from its metadata, else three made
    /// up), then one guess on a blank image, whose probabilities must be numbers that sum to 1.
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
        precondition(
            probabilities.allSatisfy { $0.isFinite && $0 >= 0 }, "a probability that is not a number")
    }
}
