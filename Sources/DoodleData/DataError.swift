/// A file or input that Doodle's data layer cannot use, naming the file and the problem.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The file (or input) at fault.
    public var file: String
    /// What is wrong with it.
    public var problem: String

    /// An error about `file`, explaining `problem`.
    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
