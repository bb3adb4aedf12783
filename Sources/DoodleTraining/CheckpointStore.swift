import DoodleNN
import Foundation

/// A folder of checkpoints numbered by step (`checkpoint-000000012.safetensors`), keeping the last few.
///
/// A checkpoint holds the network's weights, the optimizer's state, the best weights so far and the
/// run's position (epoch, step within it) and history, in one safetensors file written atomically
/// (a temporary file, flushed, then renamed): a run killed while writing one, or one whose disk fills
/// up, still has the previous checkpoint intact. Each save first removes the temporary files such
/// killed writes leave behind, then, once the new checkpoint is in place, all but the newest `keep`.
public struct CheckpointStore: Sendable {
    public let directory: URL
    /// How many of the newest checkpoints to keep (at least 1).
    public let keep: Int

    /// A store in `directory` (created if missing) keeping the newest `keep` checkpoints.
    public init(directory: URL, keep: Int = 2) throws {
        guard keep >= 1 else { throw TrainingError("--keep must be at least 1") }
        self.directory = directory
        self.keep = keep
        try makeFolder(directory, for: "the checkpoint folder")
        try ensureWritableFolder(directory, for: "checkpoints")
    }

    /// The checkpoint files, oldest first (regular files only: a folder by that name is no checkpoint).
    public func checkpoints() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey]
        )
        .filter { $0.lastPathComponent.hasPrefix("checkpoint-") && $0.pathExtension == "safetensors" }
        .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The newest checkpoint, if any.
    public func latest() throws -> URL? { try checkpoints().last }

    func save(_ trainer: Trainer) throws {
        var entries = trainer.network.stateDict().map { SafeTensors.Entry("model/" + $0.name, $0.tensor) }
        entries += trainer.optimizer.state.sorted { $0.key < $1.key }.map {
            SafeTensors.Entry("optimizer/" + $0.key, $0.value)
        }
        entries += (trainer.state.bestWeights ?? []).map { SafeTensors.Entry("best/" + $0.name, $0.tensor) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = [
            "format": "doodle-checkpoint/1",
            "configuration": String(decoding: try encoder.encode(trainer.configuration), as: UTF8.self),
            "state": String(decoding: try encoder.encode(trainer.state), as: UTF8.self),
        ]
        let url = directory.appendingPathComponent(
            String(format: "checkpoint-%09d.safetensors", trainer.state.step))
        removeStaleTemporaries()
        let previous = try? latest()
        do {
            try SafeTensors(entries, metadata: metadata, source: url.path).write(to: url)
        } catch let error as ModelFileError {
            let kept =
                previous.map { "; \($0.lastPathComponent) is intact and --resume continues from it" } ?? ""
            throw TrainingError("cannot save the checkpoint \(error.file): \(error.problem)\(kept)")
        }
        for old in try checkpoints().dropLast(keep) { try? FileManager.default.removeItem(at: old) }
    }

    /// Removes the temporary files (`.checkpoint-….safetensors.tmp-…`) of writes that were killed
    /// before they could clean up, which would otherwise fill the disk one checkpoint at a time.
    private func removeStaleTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(".checkpoint-") && name.contains(".safetensors.tmp-") {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

}

extension Trainer {
    /// Continues from a checkpoint written by a run with the same configuration and data.
    ///
    /// - Throws: `TrainingError` when the checkpoint belongs to another configuration, or
    ///   `ModelFileError` when it is unreadable.
    public func resume(from url: URL) throws {
        let file = try SafeTensors(contentsOf: url)
        guard file.metadata["format"] == "doodle-checkpoint/1",
            let configurationJSON = file.metadata["configuration"], let stateJSON = file.metadata["state"]
        else { throw TrainingError("\(url.path) is not a Doodle checkpoint") }
        let saved = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(configurationJSON.utf8))
        guard saved == configuration else {
            throw TrainingError(
                "\(url.path) was written by a run with other settings; resume with the same options or start afresh"
            )
        }
        var restored = try JSONDecoder().decode(TrainingState.self, from: Data(stateJSON.utf8))
        func prefixed(_ prefix: String) -> [String: Tensor] {
            Dictionary(
                uniqueKeysWithValues: file.entries.filter { $0.name.hasPrefix(prefix) }
                    .map { (String($0.name.dropFirst(prefix.count)), $0.tensor) })
        }
        try network.load(stateDict: prefixed("model/"))
        try optimizer.load(state: prefixed("optimizer/"))
        let best = file.entries.filter { $0.name.hasPrefix("best/") }
        restored.bestWeights =
            best.isEmpty ? nil : best.map { SafeTensors.Entry(String($0.name.dropFirst(5)), $0.tensor) }
        state = restored
    }
}
