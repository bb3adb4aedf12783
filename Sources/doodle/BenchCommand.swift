import ArgumentParser
import DoodleNN

extension Doodle {
    /// Measures the engine's training and inference speed.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure training and inference speed of the named architectures.")

        func run() async throws {
            print("bench: not yet implemented")
        }
    }
}
