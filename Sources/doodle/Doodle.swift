import ArgumentParser

/// The `doodle` command: sketch recognition from the command line.
@main
struct Doodle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Doodle: a Pictionary game and sketch-recognition toolkit.",
        subcommands: [
            Download.self, DatasetCommands.self, Render.self, Train.self, Eval.self, Predict.self, Bench.self,
            BenchData.self, Serve.self,
        ])
}
