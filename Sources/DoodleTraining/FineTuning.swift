import DoodleNN

extension Sequential {
    /// Starts this network from a trained model's weights, to fine-tune it: every tensor of the same
    /// name and shape is the model's; the classifier, built here for more classes, takes the model's
    /// rows for its first classes (the model's, in its order) and keeps its fresh rows for the new.
    ///
    /// - Parameter model: a model of the same architecture, with the same classes or fewer.
    /// - Throws: `TrainingError` naming the tensor that does not fit.
    public func start(from model: Model) throws {
        let source = Dictionary(uniqueKeysWithValues: model.network.stateDict().map { ($0.name, $0.tensor) })
        var merged: [String: Tensor] = [:]
        // Only the classifier, the last layer with weights, may have more classes than the model.
        let classifier = layers.lastIndex { !$0.parameters.isEmpty }.map { "\($0)." } ?? "-"
        for (name, fresh) in stateDict() {
            guard let old = source[name] else {
                throw TrainingError("the model to fine-tune has no tensor '\(name)': another architecture")
            }
            if old.shape == fresh.shape {
                merged[name] = old
                continue
            }
            guard name.hasPrefix(classifier), old.shape.count == fresh.shape.count,
                old.shape.dropFirst() == fresh.shape.dropFirst(), old.shape[0] < fresh.shape[0]
            else {
                throw TrainingError(
                    "'\(name)' is \(old.shape) in the model to fine-tune but \(fresh.shape) here: another architecture"
                )
            }
            // Row-major (classes, ...): the model's rows first, then the new classes' fresh rows.
            var scalars = fresh.scalars
            scalars.replaceSubrange(0..<old.count, with: old.scalars)
            merged[name] = Tensor(shape: fresh.shape, scalars: scalars)
        }
        try load(stateDict: merged)
    }
}
