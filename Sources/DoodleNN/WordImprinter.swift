import DoodleEngine
import Foundation

/// A word taught from a few drawings: one more output beside the trained classes, a weight row and a
/// bias on the network's penultimate features, as the last linear layer has for each of its classes.
public struct TaughtWord: Sendable, Equatable, Codable {
    /// The word, as the store normalised it.
    public var label: String
    /// The weight row, one value per penultimate feature.
    public var weight: [Float]
    /// The bias.
    public var bias: Float
    /// How many drawings it was taught from.
    public var examples: Int

    /// A taught word with these parts.
    public init(label: String, weight: [Float], bias: Float, examples: Int) {
        (self.label, self.weight, self.bias, self.examples) = (label, weight, bias, examples)
    }

    /// The word's logit for one row of penultimate features.
    public func logit(_ features: UnsafeBufferPointer<Float>) -> Float {
        precondition(
            features.count == weight.count, "\(features.count) features for a \(weight.count)-wide word")
        var sum = bias
        for i in 0..<weight.count { sum += weight[i] * features[i] }
        return sum
    }
}

/// Teaches a network new words without a training run, by weight imprinting (Qi, Brown and Lowe,
/// "Low-Shot Learning with Imprinted Weights", CVPR 2018).
///
/// A word's weight row is the mean direction of its drawings' penultimate features (the input of the
/// network's last linear layer), `scale` times as long as the trained rows are on average; its bias
/// is the trained biases' mean plus `biasOffset`. The trained classes keep their weights.
///
/// The two numbers trade the taught words' recall against the trained classes' accuracy: the
/// penultimate features of a model trained on other classes separate new ones only roughly, and a
/// long row or a high bias claims the trained classes' drawings too. They were chosen on ten
/// categories the shipped `doodles` does not know (`doodle words eval --skip 10`) as the most recall
/// that costs its own classes about half a point of top-1 with ten words taught; models/README.md
/// gives the figures on ten other categories.
public struct WordImprinter: Sendable {
    /// How many penultimate features the network has.
    public let featureCount: Int
    /// The mean length of the trained classes' weight rows.
    public let meanRowLength: Float
    /// The mean of the trained classes' biases.
    public let meanBias: Float
    /// A taught row's length as a multiple of `meanRowLength`.
    public let scale: Float
    /// A taught word's bias minus `meanBias`.
    public let biasOffset: Float

    /// The default `scale`.
    public static let defaultScale: Float = 0.2
    /// The default `biasOffset`.
    public static let defaultBiasOffset: Float = -0.25

    /// An imprinter for `network`, whose last layer must be linear.
    ///
    /// - Throws: `TeachingError` when the network does not end in a linear layer.
    public init(
        network: Sequential, scale: Float = WordImprinter.defaultScale,
        biasOffset: Float = WordImprinter.defaultBiasOffset
    ) throws {
        guard let last = network.layers.last as? Linear else {
            throw TeachingError("this model cannot learn words: its last layer is not a linear layer")
        }
        let (classes, inputs) = (last.outFeatures, last.inFeatures)
        let weight = last.weight.value.scalars
        var lengths: Float = 0
        for row in 0..<classes {
            var squares: Float = 0
            for i in 0..<inputs { squares += weight[row * inputs + i] * weight[row * inputs + i] }
            lengths += squares.squareRoot()
        }
        self.featureCount = inputs
        self.meanRowLength = lengths / Float(classes)
        self.meanBias = last.bias.value.scalars.reduce(0, +) / Float(classes)
        (self.scale, self.biasOffset) = (scale, biasOffset)
    }

    /// The word `label` taught from `features`, one row of penultimate features per drawing.
    ///
    /// - Precondition: at least one row, each `featureCount` wide. A drawing whose features are all
    ///   zero (nothing the network responds to) adds nothing to the direction.
    public func imprint(label: String, features: [[Float]]) -> TaughtWord {
        precondition(!features.isEmpty, "a word needs at least one drawing")
        var mean = [Float](repeating: 0, count: featureCount)
        for row in features {
            precondition(row.count == featureCount, "\(row.count) features, expected \(featureCount)")
            var squares: Float = 0
            for value in row { squares += value * value }
            guard squares > 0 else { continue }
            let inverse = 1 / squares.squareRoot()
            for i in 0..<featureCount { mean[i] += row[i] * inverse }
        }
        var squares: Float = 0
        for value in mean { squares += value * value }
        let factor = squares > 0 ? scale * meanRowLength / squares.squareRoot() : 0
        return TaughtWord(
            label: label, weight: mean.map { $0 * factor }, bias: meanBias + biasOffset,
            examples: features.count)
    }
}

/// A word that cannot be taught, or a model that cannot learn words.
public struct TeachingError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}

extension [TaughtWord] {
    /// Probabilities over the trained classes and then these words: one softmax over the network's
    /// logits and each word's logit on the same drawing's penultimate features.
    public func probabilities(logits: UnsafeBufferPointer<Float>, features: UnsafeBufferPointer<Float>)
        -> [Float]
    {
        var all = [Float](logits)
        all.reserveCapacity(logits.count + count)
        for word in self { all.append(word.logit(features)) }
        return softmax(Tensor(shape: [1, all.count], scalars: all)).scalars
    }
}
