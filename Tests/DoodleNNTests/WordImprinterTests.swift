import DoodleNN
import Foundation
import TestSupport
import Testing

/// Teaching words by weight imprinting: the features it reads, the rows it makes, and how a taught word
/// competes with the trained classes.
@Suite struct WordImprinterTests {
    static func network() throws -> Sequential {
        var generator = SeededGenerator(seed: 7)
        return try ArchitectureSpec.compact.build(classes: 6, generator: &generator).inferenceCopy()
    }

    static func input(_ count: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(
            shape: [count, 28, 28, 1],
            scalars: (0..<(count * 784)).map { _ in Float.random(in: 0...1, using: &generator) })
    }

    @Test func featuresAreTheLastLayersInputAndTheOutputIsUnchanged() throws {
        let network = try Self.network()
        let input = Self.input(3, seed: 1)
        let plain = network.forward(input).scalars
        let (features, output) = network.forwardWithFeatures(input)
        #expect(features.shape == [3, 256])
        #expect(output.scalars == plain)
        // What the last layer makes of the features is the output, and the features are past a ReLU.
        let last = try #require(network.layers.last as? Linear)
        #expect(last.forward(features, training: false).scalars == plain)
        #expect(features.scalars.allSatisfy { $0 >= 0 })
        #expect(features.row(2) == Array(features.scalars[512..<768]))
    }

    @Test func aRowIsTheMeanDirectionScaledToTheTrainedRows() throws {
        let network = try Self.network()
        let imprinter = try WordImprinter(network: network, scale: 0.5, biasOffset: -1)
        let last = try #require(network.layers.last as? Linear)
        let weight = last.weight.value.scalars
        let lengths = (0..<6).map { row in
            (0..<256).reduce(Float(0)) { $0 + weight[row * 256 + $1] * weight[row * 256 + $1] }.squareRoot()
        }
        #expect(abs(imprinter.meanRowLength - lengths.reduce(0, +) / 6) < 1e-5)
        // Two drawings: one along the first axis, one twice as long along the second; a blank one adds
        // nothing. The row points halfway between, whatever the lengths.
        var a = [Float](repeating: 0, count: 256)
        var b = a
        a[0] = 3
        b[1] = 6
        let word = imprinter.imprint(label: "kite", features: [a, b, [Float](repeating: 0, count: 256)])
        let expected = 0.5 * imprinter.meanRowLength / Float(2).squareRoot()
        #expect(abs(word.weight[0] - expected) < 1e-5 && abs(word.weight[1] - expected) < 1e-5)
        #expect(word.weight[2...].allSatisfy { $0 == 0 })
        #expect(word.bias == imprinter.meanBias - 1)
        #expect(word.examples == 3)
        #expect(word.label == "kite")
    }

    @Test func aTaughtWordWinsOnItsOwnDrawingsAndTheClassesKeepTheirOrder() throws {
        let network = try Self.network()
        let imprinter = try WordImprinter(network: network, scale: 3, biasOffset: 0)
        let taught = network.forwardWithFeatures(Self.input(5, seed: 2)).features
        let word = imprinter.imprint(label: "kite", features: (0..<5).map { taught.row($0) })
        let (features, logits) = network.forwardWithFeatures(Self.input(5, seed: 2))
        for i in 0..<5 {
            let row = logits.row(i)
            let probabilities = row.withUnsafeBufferPointer { l in
                features.row(i).withUnsafeBufferPointer { [word].probabilities(logits: l, features: $0) }
            }
            #expect(probabilities.count == 7)
            #expect(abs(probabilities.reduce(0, +) - 1) < 1e-5)
            #expect(probabilities.firstIndex(of: probabilities.max()!) == 6, "drawing \(i): the taught word")
            // Among the trained classes, the order is the network's.
            let trained = Array(probabilities[..<6])
            #expect(
                trained.indices.sorted { trained[$0] > trained[$1] }
                    == row.indices.sorted { row[$0] > row[$1] })
        }
        // With no word taught, the probabilities are the network's softmax.
        let alone = logits.row(0).withUnsafeBufferPointer { l in
            features.row(0).withUnsafeBufferPointer { [TaughtWord]().probabilities(logits: l, features: $0) }
        }
        let softmaxed = softmax(Tensor(shape: [1, 6], scalars: logits.row(0))).scalars
        #expect(zip(alone, softmaxed).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func aNetworkThatDoesNotEndInALinearLayerCannotLearnWords() throws {
        let network = Sequential([Flatten(), ReLU()])
        #expect(throws: TeachingError.self) { try WordImprinter(network: network) }
    }
}
