extension Sequential {
    /// One optimisation step on a batch: forward in training mode, loss, backward, update.
    ///
    /// - Parameters:
    ///   - input: (N, H, W, C) images.
    ///   - labels: N class indices.
    ///   - loss: the loss to minimise.
    ///   - optimizer: updates the parameters and zeroes their gradients.
    /// - Returns: the batch's loss and logits (N, K), before the update.
    @discardableResult
    public func trainStep(
        _ input: Tensor, labels: [Int], loss: SoftmaxCrossEntropy, optimizer: any Optimizer
    ) -> (loss: Float, logits: Tensor) {
        let logits = forward(input, training: true)
        let (value, dLogits) = loss(logits, labels: labels)
        backward(dLogits)
        optimizer.step()
        return (value, logits)
    }
}
