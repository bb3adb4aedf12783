import DoodleData
import DoodleNN

/// Where a run is and what it has learnt: everything a checkpoint stores besides the weights.
struct TrainingState: Codable {
    var epoch = 0
    var batchInEpoch = 0
    var step = 0
    var epochLoss: Double = 0
    var epochCorrect = 0
    var epochSeen = 0
    /// Wall-clock seconds of training before this process (resumed runs add theirs).
    var seconds: Double = 0
    var history: [EpochRecord] = []
    var best: EpochRecord?
    /// The best epoch's weights (kept in the checkpoint file as tensors, not in this JSON).
    var bestWeights: [SafeTensors.Entry]?

    enum CodingKeys: String, CodingKey {
        case epoch, batchInEpoch, step, epochLoss, epochCorrect, epochSeen, seconds, history, best
    }
}

/// Where a run is within its epoch, for a progress bar.
public struct TrainingProgress: Sendable {
    public var epoch, epochs, batch, batches: Int
    /// The steps taken since the run began, this one included.
    public var step: Int
    /// This step's training loss.
    public var stepLoss: Double
    /// Mean training loss and top-1 accuracy over the epoch so far.
    public var loss, accuracy: Double
    public var imagesPerSecond: Double
    public var learningRate: Float
}

/// Loss and top-1/top-5 accuracy of a network on labelled images, in inference mode.
struct Scores {
    var loss: Double = 0
    var top1: Double = 0
    var top5: Double = 0

    init(network: Sequential, images: LabeledImages, loss lossFunction: SoftmaxCrossEntropy, batchSize: Int) {
        guard images.count > 0 else { return }
        let inference = network.inferenceCopy()
        var total: Double = 0
        var hits1 = 0
        var hits5 = 0
        var start = 0
        while start < images.count {
            let indices = start..<min(start + batchSize, images.count)
            let (input, labels) = Batches.make(indices.map { $0 }[...], of: images)
            let logits = inference.forward(input)
            total += Double(lossFunction(logits, labels: labels).loss) * Double(labels.count)
            let k = logits.shape[1]
            for (row, label) in labels.enumerated() {
                let target = logits[flat: row * k + label]
                // Rank = how many classes beat the true one (ties count for the lower index).
                var rank = 0
                for j in 0..<k
                where logits[flat: row * k + j] > target || (logits[flat: row * k + j] == target && j < label)
                {
                    rank += 1
                }
                if rank == 0 { hits1 += 1 }
                if rank < 5 { hits5 += 1 }
            }
            start = indices.upperBound
        }
        loss = total / Double(images.count)
        top1 = Double(hits1) / Double(images.count)
        top5 = Double(hits5) / Double(images.count)
    }
}
