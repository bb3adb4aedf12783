import DoodleTraining
import Foundation
import TestSupport
import Testing

/// `doodle train --tensorboard DIR`, the built binary on generated data, read back by TensorBoard's
/// own reader (Scripts/read_tensorboard.py): every step's loss and learning rate, and each epoch's
/// accuracy, the same as the run's JSON-lines log.
@Suite("doodle train --tensorboard", .serialized)
struct TensorBoardTests {
    static let python = TestSupport.python(importing: ["tensorboard"])

    @Test(
        .enabled(if: TrainCommandTests.reason == nil, "\(TrainCommandTests.reason ?? "")"),
        .enabled(
            if: python != nil, "needs a Python with tensorboard ($DOODLE_PYTHON or /tmp/peer/bin/python)"))
    func tensorBoardReadsTheRunsScalarsAndJSONLinesReportIt() throws {
        let fixture = try TrainCommandTests.Fixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let board = fixture.folder.appendingPathComponent("board")
        let run = try TrainCommandTests.Launch(
            fixture.run("tb") + ["--tensorboard", board.path], in: fixture.folder
        ).finish()
        try #require(run.status == 0, "\(run.error)")
        #expect(run.output.contains("TensorBoard: \(board.path)/events.out.tfevents."))

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/read_tensorboard.py")
        let data = try runPythonScript(Self.python!, [script.path, board.path])
        let scalars = try JSONDecoder().decode([String: [[Double]]].self, from: data)
        let records = try TrainingLog.read(
            from: fixture.folder.appendingPathComponent("tb.jsonl")
        ).records
        try #require(records.count == 4, "four epochs in the log")
        let steps = records.last!.step

        // Every step's loss and learning rate, steps 1 to the last, in order.
        let loss = try #require(scalars["train/loss"])
        #expect(loss.map { Int($0[0]) } == Array(1...steps))
        #expect(loss.allSatisfy { $0[1].isFinite && $0[1] > 0 })
        #expect(scalars["train/learning_rate"]?.count == steps)
        // Each epoch's figures, at the epoch's last step, as the log has them (stored as 32-bit floats).
        for (tag, value) in [
            ("epoch/train_loss", \EpochRecord.trainLoss), ("epoch/train_top1", \.trainTop1),
        ] {
            let read = try #require(scalars[tag], "\(tag) missing: \(scalars.keys.sorted())")
            #expect(read.map { Int($0[0]) } == records.map(\.step), "\(tag)")
            for (point, record) in zip(read, records) {
                #expect(
                    abs(point[1] - Double(Float(record[keyPath: value]))) < 1e-6, "\(tag) at \(record.step)")
            }
        }
        let validation = try #require(scalars["epoch/val_top1"])
        #expect(zip(validation, records).allSatisfy { abs($0[1] - Double(Float($1.valTop1 ?? -1))) < 1e-6 })
        #expect(scalars["epoch/val_top5"]?.count == 4 && scalars["epoch/val_loss"]?.count == 4)

        // Off a terminal, the run also writes JSON lines on standard output: its progress, each epoch's
        // record as the log has it, and the model it saved.
        let events = run.output.split(separator: "\n").filter { $0.hasPrefix("{") }.map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        let epochs = events.filter { $0["event"] as? String == "epoch" }
        #expect(epochs.count == 4)
        let logged = epochs.compactMap { ($0["record"] as? [String: Any])?["val_top1"] as? Double }
        #expect(logged == records.compactMap(\.valTop1))
        let progress = events.filter { $0["event"] as? String == "progress" }
        #expect(progress.count >= 4, "at least each epoch's last step")
        #expect(progress.allSatisfy { $0["loss"] is Double && $0["step"] is Int && $0["time"] is String })
        let saved = try #require(events.last)
        #expect(saved["event"] as? String == "saved")
        #expect((saved["out"] as? String)?.hasSuffix("tb.safetensors") == true)
    }
}
