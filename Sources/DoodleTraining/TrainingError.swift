/// A training or evaluation request that cannot be carried out, with the reason.
public struct TrainingError: Error, CustomStringConvertible {
    public var description: String

    /// An error explaining `description`.
    public init(_ description: String) { self.description = description }
}
