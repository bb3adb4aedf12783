import ArgumentParser
import DoodleNN
import Foundation

/// The `doodle` command: sketch recognition from the command line.
@main
struct Doodle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Doodle: a Pictionary game and sketch-recognition toolkit.",
        subcommands: [
            Download.self, DatasetCommands.self, Render.self, Train.self, Eval.self, Predict.self, Bench.self,
            BenchData.self, Serve.self, Drawings.self, Words.self, Export.self, ImportModel.self,
        ])

    /// Checks `DOODLE_ISA` before any command runs, so that a set this CPU cannot run is a one-line
    /// error and not a stop in the middle of the engine; then runs the command as usual.
    static func main() async {
        do {
            _ = try KernelSet.choose(ProcessInfo.processInfo.environment["DOODLE_ISA"])
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
