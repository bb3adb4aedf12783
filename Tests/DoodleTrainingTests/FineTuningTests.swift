import DoodleNN
import DoodleTraining
import Testing

/// Starting a network from a trained model for `doodle train --from`: every tensor kept, the
/// classifier grown by fresh rows for new classes, another architecture refused.
@Suite struct FineTuningTests {
    static let spec = ArchitectureSpec(
        name: "tiny",
        layers: [
            .init("conv", filters: 4, kernel: 3, padding: "same"), .init("batchnorm"), .init("relu"),
            .init("maxpool"), .init("flatten"), .init("linear", units: .count(8)), .init("relu"),
            .init("linear", units: .classes),
        ])

    @Test func theModelsWeightsAndClassifierRowsAreTheStartAndNewClassesKeepFreshRows() throws {
        var generator = SeededGenerator(seed: 1)
        let trained = Model(
            spec: Self.spec, labels: ["cat", "dog", "sun"], preprocessing: "quickdraw",
            network: try Self.spec.build(classes: 3, generator: &generator))
        let network = try Self.spec.build(classes: 5, generator: &generator)
        let fresh = Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.name, $0.tensor) })
        try network.start(from: trained)

        let old = Dictionary(uniqueKeysWithValues: trained.network.stateDict().map { ($0.name, $0.tensor) })
        for (name, tensor) in network.stateDict() {
            let before = try #require(old[name])
            if before.shape == tensor.shape {
                #expect(tensor.scalars == before.scalars, "\(name) is the model's")
            } else {
                // The classifier: (5, 8) from (3, 8), or (5) from (3).
                let kept = before.count
                #expect(Array(tensor.scalars[..<kept]) == before.scalars, "\(name): the model's rows first")
                #expect(
                    Array(tensor.scalars[kept...]) == Array(fresh[name]!.scalars[kept...]),
                    "\(name): the new classes' rows as initialised")
            }
        }
        #expect(
            network.stateDict().contains { $0.tensor.shape != old[$0.name]?.shape }, "the classifier grew")
    }

    @Test func anotherArchitectureIsRefusedByTensor() throws {
        var generator = SeededGenerator(seed: 2)
        let trained = Model(
            spec: Self.spec, labels: ["cat", "dog"], preprocessing: "quickdraw",
            network: try Self.spec.build(classes: 2, generator: &generator))
        let wider = try ArchitectureSpec.small.build(classes: 2, generator: &generator)
        let error = #expect(throws: TrainingError.self) { try wider.start(from: trained) }
        // Its first convolution is wider: refused there, not taken for a classifier with more classes.
        #expect(
            error?.description.contains("'0.weight' is [4, 1, 3, 3]") == true, "\(error?.description ?? "")")
    }
}
