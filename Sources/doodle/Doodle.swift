import ArgumentParser

/// The `doodle` command: sketch recognition from the command line.
@main
struct Doodle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Doodle: a Pictionary game and sketch-recognition toolkit.",
        subcommands: [Bench.self, DatasetInfo.self, Render.self])
}
