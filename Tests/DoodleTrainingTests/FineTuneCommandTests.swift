import DoodleData
import DoodleNN
import Foundation
import TestSupport
import Testing

/// `doodle train --from`, the built binary on generated data: a model of three classes fine-tuned
/// into one of four keeps its classes first, in its order, and records where it started; data that
/// lacks one of its classes is refused with the class named.
@Suite("doodle train --from", .serialized)
struct FineTuneCommandTests {
    @Test(.enabled(if: TrainCommandTests.reason == nil, "\(TrainCommandTests.reason ?? "")"))
    func aModelOfThreeClassesLearnsAFourth() throws {
        let fixture = try TrainCommandTests.Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let base = try fixture.trainBase()

        let data = fixture.folder.appendingPathComponent("data").path
        let tuned = try TrainCommandTests.Launch(
            [
                "train", "--from", base.path, "--data", data, "--no-cache", "--epochs", "2", "--batch", "32",
                "--lr", "0.001", "--threads", "2", "--out",
                fixture.folder.appendingPathComponent("tuned.safetensors").path,
            ], in: fixture.folder
        ).finish()
        try #require(tuned.status == 0, "\(tuned.error)")
        #expect(tuned.output.contains("its 3 classes, and 1 new"), "\(tuned.output)")
        let model = try Model(contentsOf: fixture.folder.appendingPathComponent("tuned.safetensors"))
        #expect(model.labels == ["slash", "box", "bar", "pole"])
        #expect(model.training["fine_tuned_from"]?.hasSuffix("base.safetensors") == true)
        // It learnt the new class: the validation split holds drawings of all four.
        let perClass = try #require(model.training["val_top1_per_class"])
        #expect(perClass.contains("\"pole\""), "\(perClass)")

        // Only the new drawings, without the folders the model learnt from: refused, naming what is missing.
        let newOnly = fixture.folder.appendingPathComponent("new-only")
        try FileManager.default.createDirectory(at: newOnly, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: "\(data)/pole.npy", toPath: newOnly.appendingPathComponent("pole.npy").path)
        let refused = try TrainCommandTests.Launch(
            [
                "train", "--from", base.path, "--data", newOnly.path, "--no-cache", "--out",
                fixture.folder.appendingPathComponent("refused.safetensors").path,
            ], in: fixture.folder
        ).finish()
        #expect(refused.status != 0)
        #expect(
            refused.error.contains("no drawings of 3 of its classes (slash, box, bar)"), "\(refused.error)")
    }
}
