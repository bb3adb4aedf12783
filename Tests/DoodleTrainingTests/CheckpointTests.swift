import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

@testable import DoodleTraining

/// Checkpoints within an epoch, what a save leaves behind, and a save that fails.
@Suite struct CheckpointTests {
    let train = syntheticImages(count: 192, seed: 1)
    let validation = syntheticImages(count: 64, seed: 2)
    /// 6 steps an epoch, 18 in all.
    let configuration = TrainingConfiguration(
        spec: tinySpec, epochs: 3, batchSize: 32, learningRate: 0.01, augment: true, seed: 11)

    func trainer() throws -> Trainer {
        try Trainer(
            configuration: configuration, train: train, validation: validation, augmenter: Augmenter())
    }

    func steps(in store: CheckpointStore) throws -> [Int] {
        try store.checkpoints().map { Int($0.lastPathComponent.dropFirst(11).prefix(9))! }
    }

    /// `checkpointEverySteps` writes checkpoints at its multiples as well as at epoch ends, changes
    /// nothing the run computes, and a run resumed from any of the mid-epoch ones ends like an
    /// unbroken run.
    @Test func checkpointsEveryFewStepsResumeExactly() throws {
        let unbroken = try trainer()
        try unbroken.run()
        let expected = unbroken.network.stateDict().map(\.tensor.scalars)

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpointed = try trainer()
        checkpointed.checkpoints = try CheckpointStore(directory: directory, keep: 100)
        checkpointed.checkpointEverySteps = 4
        #expect(try checkpointed.run())
        #expect(checkpointed.network.stateDict().map(\.tensor.scalars) == expected)
        // 4, 8 and 16 mid-epoch; 6, 12 and 18 at epoch ends (12 is both, written once).
        #expect(try steps(in: checkpointed.checkpoints!) == [4, 6, 8, 12, 16, 18])

        for url in try checkpointed.checkpoints!.checkpoints() {
            let resumed = try trainer()
            try resumed.resume(from: url)
            #expect(try resumed.run())
            #expect(resumed.network.stateDict().map(\.tensor.scalars) == expected, "\(url.lastPathComponent)")
            #expect(resumed.history.map(\.trainLoss) == unbroken.history.map(\.trainLoss))
        }
    }

    /// A timed interval that is always due checkpoints after every step but an epoch's last, whose
    /// end-of-epoch checkpoint follows at once; pruning keeps the newest `keep`.
    @Test func aDueIntervalCheckpointsEveryStepAndPrunes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try trainer()
        run.checkpoints = try CheckpointStore(directory: directory, keep: 3)
        run.checkpointInterval = .zero
        var seen: Set<Int> = []
        run.onProgress = { [unowned run] _ in seen.formUnion((try? steps(in: run.checkpoints!)) ?? []) }
        #expect(try run.run())
        #expect(seen == Set(1...17))
        #expect(try steps(in: run.checkpoints!) == [16, 17, 18])
    }

    /// The temporary file of a write that was killed half-way is removed by the next save.
    @Test func aKilledWritesTemporaryIsRemoved() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stale = directory.appendingPathComponent(".checkpoint-000000003.safetensors.tmp-\(UUID())")
        try Data(repeating: 7, count: 1000).write(to: stale)
        let run = try trainer()
        run.checkpoints = try CheckpointStore(directory: directory)
        run.shouldStop = { [unowned run] in run.step >= 2 }
        #expect(try run.run() == false)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["checkpoint-000000002.safetensors"])
    }

    /// A checkpoint that cannot be put in place (here its name is taken by a folder, so the rename
    /// fails after the bytes were written) is an error naming the file and the reason; the previous
    /// checkpoint stays byte for byte as it was and no temporary file is left.
    @Test func aFailedSaveNamesTheFileAndKeepsThePreviousCheckpoint() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try trainer()
        run.checkpoints = try CheckpointStore(directory: directory)
        run.checkpointEverySteps = 2
        let blocked = directory.appendingPathComponent("checkpoint-000000004.safetensors")
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("in-the-way"), withIntermediateDirectories: true)
        var previous: Data?
        run.onProgress = { [unowned run] _ in
            if run.step == 3 {
                previous = try? Data(
                    contentsOf: directory.appendingPathComponent("checkpoint-000000002.safetensors"))
            }
        }
        let error = try #require(throws: TrainingError.self) { try run.run() }
        #expect(error.description.contains(blocked.path), "\(error)")
        #expect(error.description.contains("cannot rename"), "\(error)")
        #expect(error.description.contains("checkpoint-000000002.safetensors is intact"), "\(error)")
        let survivor = directory.appendingPathComponent("checkpoint-000000002.safetensors")
        #expect(try Data(contentsOf: survivor) == (try #require(previous)))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names == ["checkpoint-000000002.safetensors", "checkpoint-000000004.safetensors"])

        // The survivor is a good checkpoint: resuming from it ends like an unbroken run.
        let unbroken = try trainer()
        try unbroken.run()
        let resumed = try trainer()
        try resumed.resume(from: survivor)
        #expect(try resumed.run())
        #expect(
            resumed.network.stateDict().map(\.tensor.scalars)
                == unbroken.network.stateDict().map(\.tensor.scalars))
    }

    /// A checkpoint folder that cannot exist (its parent is a regular file) is refused up front, with
    /// the folder and the reason.
    @Test func aFolderUnderAFileIsRefusedByName() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("notes.txt")
        try Data("not a folder".utf8).write(to: file)
        let inside = file.appendingPathComponent("checkpoints")
        let error = try #require(throws: TrainingError.self) { try CheckpointStore(directory: inside) }
        #expect(error.description.contains(inside.path), "\(error)")
        #expect(error.description.lowercased().contains("not a directory"), "\(error)")
        let probe = try #require(throws: TrainingError.self) {
            try ensureWritableFolder(file.appendingPathComponent("out"), for: "the model")
        }
        #expect(probe.description.contains("notes.txt/out"), "\(probe)")
        #expect(probe.description.lowercased().contains("not a directory"), "\(probe)")
    }
}
