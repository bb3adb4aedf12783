import Foundation

/// Softmax over the last dimension of (N, K) logits, computed stably.
public func softmax(_ logits: Tensor) -> Tensor {
    precondition(logits.shape.count == 2, "softmax expects (N, K) logits, got \(logits.shape)")
    let (n, k) = (logits.shape[0], logits.shape[1])
    return logits.withUnsafeBufferPointer { x in
        Tensor(shape: logits.shape) { p in
            for i in 0..<n {
                let row = x.baseAddress! + i * k
                var top = -Float.infinity
                for j in 0..<k { top = max(top, row[j]) }
                var sum: Float = 0
                for j in 0..<k {
                    let e = exp(row[j] - top)
                    p[i * k + j] = e
                    sum += e
                }
                for j in 0..<k { p[i * k + j] /= sum }
            }
        }
    }
}

/// Softmax followed by cross-entropy against integer class labels, averaged over the batch,
/// as PyTorch's `CrossEntropyLoss(label_smoothing:)`.
public struct SoftmaxCrossEntropy: Sendable {
    /// ε: the target puts `1 - ε + ε/K` on the true class and `ε/K` on every other.
    public var labelSmoothing: Float

    /// A loss with the given label smoothing (0 for none).
    public init(labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1)")
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss over the batch and its gradient with respect to the logits.
    ///
    /// - Parameters:
    ///   - logits: (N, K).
    ///   - labels: N class indices in `0..<K`.
    /// - Returns: the loss and dLogits (N, K).
    public func callAsFunction(_ logits: Tensor, labels: [Int]) -> (loss: Float, dLogits: Tensor) {
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n, "need one label per row: \(labels.count) labels for \(n) rows")
        var probabilities = softmax(logits)
        let off = labelSmoothing / Float(k)
        let on = 1 - labelSmoothing + off
        var loss: Double = 0
        logits.withUnsafeBufferPointer { x in
            probabilities.withUnsafeMutableBufferPointer { p in
                for i in 0..<n {
                    precondition(labels[i] >= 0 && labels[i] < k, "label \(labels[i]) out of range 0..<\(k)")
                    let row = x.baseAddress! + i * k
                    // log pⱼ = xⱼ - logΣexp(x), computed from the logits so tiny p keep their precision.
                    var top = -Double.infinity
                    for j in 0..<k { top = max(top, Double(row[j])) }
                    var sum: Double = 0
                    for j in 0..<k { sum += Foundation.exp(Double(row[j]) - top) }
                    let logSum = top + Foundation.log(sum)
                    for j in 0..<k {
                        let target = j == labels[i] ? on : off
                        loss -= Double(target) * (Double(row[j]) - logSum)
                        p[i * k + j] = (p[i * k + j] - target) / Float(n)
                    }
                }
            }
        }
        return (Float(loss / Double(n)), probabilities)
    }
}
