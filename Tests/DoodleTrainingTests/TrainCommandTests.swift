import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

/// `doodle train` run as a user runs it, the built binary on a small generated dataset: killed with
/// SIGKILL at random moments and resumed, starved of disk, and pointed at folders it cannot write.
@Suite("doodle train, the command", .serialized)
struct TrainCommandTests {
    static let reason: String? =
        PredictCommandTests.binary == nil
        ? "the doodle binary is not built beside the tests (swift build)" : nil

    /// Four classes of 120 generated bitmaps as `<class>.npy`, the tiny network as a spec file, and
    /// the options every run of these tests shares: 4 epochs of 12 steps, augmented, checkpoints
    /// after every step.
    struct Fixture {
        let folder: URL
        let options: [String]

        init() throws {
            folder = try makeTemporaryDirectory("doodle-train-command")
            let data = folder.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let images = syntheticImages(count: 480, seed: 5)
            for (label, name) in images.classes.enumerated() {
                let rows = (0..<images.count).filter { images.labels[$0] == label }
                let pixels = rows.flatMap { images.pixels[$0 * 784..<($0 + 1) * 784] }
                try NpyWriter.write(
                    pixels, shape: [rows.count, 784], to: data.appendingPathComponent("\(name).npy"))
            }
            let spec = folder.appendingPathComponent("tiny.json")
            try JSONEncoder().encode(tinySpec).write(to: spec)
            options = [
                "train", "--data", data.path, "--no-cache", "--arch", spec.path, "--epochs", "4", "--batch",
                "32",
                "--augment", "--seed", "3", "--threads", "2", "--checkpoint-every", "1",
            ]
        }

        /// The options of a run that writes `name`.safetensors and checkpoints in `name`.checkpoints.
        func run(_ name: String) -> [String] {
            options + ["--out", folder.appendingPathComponent("\(name).safetensors").path]
        }

        func checkpoints(_ name: String) -> URL { folder.appendingPathComponent("\(name).checkpoints") }

        /// Trains `base.safetensors` on three of the four categories (slash, box, bar; not pole), for
        /// the tests that start from a model lacking one.
        func trainBase() throws -> URL {
            let trained = try Launch(run("base") + ["--categories", "slash,box,bar"], in: folder).finish()
            try #require(trained.status == 0, "\(trained.error)")
            return folder.appendingPathComponent("base.safetensors")
        }
    }

    /// A `doodle` process whose output goes to files, so it can be killed at any moment.
    final class Launch {
        let process = Process()
        let output: URL
        let error: URL

        init(
            _ arguments: [String], in folder: URL, wrappedIn wrapper: [String] = [],
            workingDirectory: URL? = nil
        ) throws {
            let id = UUID().uuidString
            output = folder.appendingPathComponent("out-\(id).txt")
            error = folder.appendingPathComponent("err-\(id).txt")
            try Data().write(to: output)
            try Data().write(to: error)
            let binary = PredictCommandTests.binary!
            if wrapper.isEmpty {
                process.executableURL = binary
                process.arguments = arguments
            } else {
                process.executableURL = URL(fileURLWithPath: wrapper[0])
                process.arguments = Array(wrapper.dropFirst()) + [binary.path] + arguments
            }
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: error)
            process.standardInput = FileHandle.nullDevice
            if let workingDirectory { process.currentDirectoryURL = workingDirectory }
            try process.run()
        }

        /// Waits for the process to end and returns its status and output.
        func finish() throws -> (status: Int32, signalled: Bool, output: String, error: String) {
            process.waitUntilExit()
            return (
                process.terminationStatus, process.terminationReason == .uncaughtSignal,
                try String(contentsOf: output, encoding: .utf8),
                try String(contentsOf: error, encoding: .utf8)
            )
        }
    }

    /// The steps of the checkpoints in `folder` (none if it does not exist yet).
    static func checkpointSteps(_ folder: URL) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".safetensors") }
            .compactMap { Int($0.dropFirst(11).prefix(9)) }.sorted()
    }

    /// Every tensor of a safetensors file, by name; the metadata (which holds the command line) aside.
    static func tensors(_ url: URL, prefix: String = "") throws -> [String: [Float]] {
        Dictionary(
            uniqueKeysWithValues: try SafeTensors(contentsOf: url).entries.filter {
                $0.name.hasPrefix(prefix)
            }
            .map { ($0.name, $0.tensor.scalars) })
    }

    /// The names of the tensors that differ between two files' tensors (or are in one only), so that
    /// a failure says what differs instead of printing every number.
    static func differences(_ actual: [String: [Float]], _ expected: [String: [Float]]) -> [String] {
        Set(actual.keys).union(expected.keys).filter { actual[$0] != expected[$0] }.sorted()
    }

    /// Killed with SIGKILL at random moments (each after a new checkpoint appeared, some while the
    /// next was being written) and resumed each time with `--resume`, a run ends with the model, the
    /// weights and the optimizer state of an unbroken run, bit for bit. Its first `--resume`, with
    /// no checkpoint yet, starts from the beginning and says so.
    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func killedAndResumedRunsEndLikeAnUnbrokenOne() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let unbroken = try Launch(fixture.run("unbroken"), in: fixture.folder).finish()
        try #require(unbroken.status == 0, "\(unbroken.error)")

        let seed = UInt64.random(in: 0..<1000)
        var generator = SeededGenerator(seed: seed)
        var kills = 0
        var resumedFrom = 0
        var finished: (status: Int32, signalled: Bool, output: String, error: String)?
        for attempt in 0..<4 {
            let launch = try Launch(fixture.run("killed") + ["--resume"], in: fixture.folder)
            if attempt < 3 {
                // Kill after a checkpoint a few steps past the one resumed from, then up to 20 ms more.
                let target = resumedFrom + Int.random(in: 1...8, using: &generator)
                let delay = Double.random(in: 0..<0.02, using: &generator)
                while launch.process.isRunning
                    && (Self.checkpointSteps(fixture.checkpoints("killed")).last ?? 0) < target
                {
                    usleep(1000)
                }
                usleep(UInt32(delay * 1e6))
                kill(launch.process.processIdentifier, SIGKILL)
                let result = try launch.finish()
                if attempt == 0 {
                    #expect(result.error.contains("no checkpoint in"), "\(result.error)")
                    #expect(result.error.contains("starting from the beginning"), "\(result.error)")
                }
                if result.signalled { kills += 1 }
                resumedFrom = Self.checkpointSteps(fixture.checkpoints("killed")).last ?? 0
            } else {
                finished = try launch.finish()
            }
        }
        let last = try #require(finished)
        #expect(last.status == 0, "\(last.error)")
        #expect(last.output.contains("resuming from checkpoint-"), "\(last.output)")
        #expect(kills == 3, "kill seed \(seed): some runs finished before their kill")

        let expected = try Self.tensors(fixture.folder.appendingPathComponent("unbroken.safetensors"))
        let actual = try Self.tensors(fixture.folder.appendingPathComponent("killed.safetensors"))
        #expect(!expected.isEmpty)
        #expect(Self.differences(actual, expected) == [], "kill seed \(seed): the final model differs")
        // The last checkpoints hold the same weights, best weights and optimizer moments too.
        let lastStep = String(format: "checkpoint-%09d.safetensors", 4 * 12)
        let expectedState = try Self.tensors(fixture.checkpoints("unbroken").appendingPathComponent(lastStep))
        let actualState = try Self.tensors(fixture.checkpoints("killed").appendingPathComponent(lastStep))
        #expect(expectedState.keys.contains { $0.hasPrefix("optimizer/") })
        #expect(
            Self.differences(actualState, expectedState) == [], "kill seed \(seed): the checkpoint differs")
        // No temporary file of a killed write survives the next save.
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.checkpoints("killed").path)
        #expect(names.allSatisfy { !$0.contains(".tmp-") }, "\(names)")
    }

    /// A disk that fills while a checkpoint is written (a file-size limit, so `write` fails part-way,
    /// as on a full disk) stops the run with an error naming the checkpoint and the reason; the
    /// previous checkpoint is untouched, and resuming once there is room ends like an unbroken run.
    @Test(
        .enabled(
            if: reason == nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"),
            "\(reason ?? "no /usr/bin/prlimit to limit file sizes")"))
    func aFullDiskKeepsThePreviousCheckpoint() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let unbroken = try Launch(fixture.run("unbroken"), in: fixture.folder).finish()
        try #require(unbroken.status == 0, "\(unbroken.error)")

        // A run stopped cleanly (SIGINT) after its 15th step, past an epoch end, so its checkpoint
        // holds best weights too.
        let first = try Launch(fixture.run("full"), in: fixture.folder)
        while first.process.isRunning && (Self.checkpointSteps(fixture.checkpoints("full")).last ?? 0) < 15 {
            usleep(1000)
        }
        kill(first.process.processIdentifier, SIGINT)
        let stopped = try first.finish()
        try #require(stopped.status == 130, "\(stopped.error)")
        let survivorStep = try #require(Self.checkpointSteps(fixture.checkpoints("full")).last)
        let survivor = fixture.checkpoints("full").appendingPathComponent(
            String(format: "checkpoint-%09d.safetensors", survivorStep))
        let before = try Data(contentsOf: survivor)

        // Files may grow to half a checkpoint; SIGXFSZ is ignored, so the write fails with EFBIG.
        let limit = before.count / 2
        let full = try Launch(
            fixture.run("full") + ["--resume"], in: fixture.folder,
            wrappedIn: ["/bin/sh", "-c", "trap '' XFSZ; exec /usr/bin/prlimit --fsize=\(limit) \"$@\"", "sh"]
        ).finish()
        #expect(full.status != 0 && !full.signalled, "\(full.output)\(full.error)")
        let next = String(format: "checkpoint-%09d.safetensors", survivorStep + 1)
        #expect(
            full.error.contains(fixture.checkpoints("full").appendingPathComponent(next).path),
            "\(full.error)")
        #expect(full.error.contains("File too large"), "\(full.error)")
        #expect(full.error.contains("\(survivor.lastPathComponent) is intact"), "\(full.error)")
        #expect(try Data(contentsOf: survivor) == before)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.checkpoints("full").path)
        #expect(names.allSatisfy { !$0.contains(".tmp-") }, "\(names)")

        let resumed = try Launch(fixture.run("full") + ["--resume"], in: fixture.folder).finish()
        #expect(resumed.status == 0, "\(resumed.error)")
        let model = try Self.tensors(fixture.folder.appendingPathComponent("full.safetensors"))
        let expected = try Self.tensors(fixture.folder.appendingPathComponent("unbroken.safetensors"))
        #expect(Self.differences(model, expected) == [])
    }

    /// An output folder that cannot take files (its path runs through a regular file) is refused
    /// before any training, naming the folder and the reason; so is such a checkpoint folder.
    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func unwritableFoldersAreNamedBeforeTraining() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let file = fixture.folder.appendingPathComponent("notes.txt")
        try Data("not a folder".utf8).write(to: file)
        let model = try Launch(
            fixture.options + ["--out", file.appendingPathComponent("model.safetensors").path],
            in: fixture.folder
        ).finish()
        #expect(model.status != 0 && !model.signalled)
        #expect(model.error.contains("cannot write the model in \(file.path)"), "\(model.error)")
        #expect(model.error.contains("Not a directory"), "\(model.error)")

        let checkpoints = try Launch(
            fixture.run("model") + ["--checkpoints", file.appendingPathComponent("checkpoints").path],
            in: fixture.folder
        ).finish()
        #expect(checkpoints.status != 0 && !checkpoints.signalled)
        #expect(
            checkpoints.error.contains(file.appendingPathComponent("checkpoints").path),
            "\(checkpoints.error)")
        #expect(checkpoints.error.lowercased().contains("not a directory"), "\(checkpoints.error)")
    }

    /// The model records how to rebuild it with no absolute path of this machine, its data folders
    /// (which `doodle eval` then uses by default) and the words it knows well enough for the game;
    /// `doodle dataset` prints its counts by format and `doodle dataset audit` passes its own data.
    @Test(.enabled(if: reason == nil, "\(reason ?? "")"))
    func theModelRecordsAPortableCommandItsDataAndItsGameWords() throws {
        let fixture = try Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let arguments = [
            "train", "--data", fixture.folder.appendingPathComponent("data").path, "--no-cache", "--arch",
            "tiny.json", "--epochs", "3", "--batch", "32", "--threads", "2", "--sampling", "balanced",
            "--min-drawings", "100", "--out", "model.safetensors",
        ]
        let run = try Launch(arguments, in: fixture.folder, workingDirectory: fixture.folder).finish()
        try #require(run.status == 0, "\(run.error)")
        let model = try Model(contentsOf: fixture.folder.appendingPathComponent("model.safetensors"))
        let command = try #require(model.training["command"])
        #expect(
            command
                == "doodle train --data data --no-cache --arch tiny.json --epochs 3 --batch 32 --threads 2 "
                + "--sampling balanced --min-drawings 100 --out model.safetensors")
        #expect(model.training["data"] == #"["data"]"#)
        #expect(model.training["sampling"] == "balanced" && model.training["duplicates"] == "merge")
        let accuracy = try #require(model.validationTop1PerClass)
        #expect(Set(accuracy.keys) == Set(model.labels))
        let words = try #require(model.gameWords)
        #expect(words == model.labels.filter { accuracy[$0]! >= 0.8 })
        #expect(
            run.output.contains("game words (validation top-1 ≥ 0.8): \(words.count) of 4"), "\(run.output)")

        let eval = try Launch(
            ["eval", "--model", "model.safetensors", "--json"], in: fixture.folder,
            workingDirectory: fixture.folder
        ).finish()
        try #require(eval.status == 0, "\(eval.error)")
        #expect(eval.output.contains("\"count\":48"), "a tenth of each class's 120: \(eval.output)")

        let table = try Launch(
            ["dataset", "--data", "data", "--no-cache"], in: fixture.folder, workingDirectory: fixture.folder
        ).finish()
        try #require(table.status == 0, "\(table.error)")
        #expect(table.output.contains("category"), "\(table.output)")
        let all = try #require(table.output.split(separator: "\n").first { $0.hasPrefix("all ") })
        #expect(all.split(separator: " ") == ["all", "480", "480", "384", "48", "48"], "\(all)")

        let audit = try Launch(
            ["dataset", "audit", "--model", "model.safetensors", "--data", "data"], in: fixture.folder,
            workingDirectory: fixture.folder
        ).finish()
        #expect(audit.output.contains("audited 4 files (480 drawings)"), "\(audit.output)\(audit.error)")
    }
}
