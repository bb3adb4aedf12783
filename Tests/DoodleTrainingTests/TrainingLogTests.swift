import DoodleTraining
import Foundation
import TestSupport
import Testing

@Suite struct TrainingLogTests {
    static func record(_ epoch: Int, validated: Bool = true) -> EpochRecord {
        EpochRecord(
            epoch: epoch, step: epoch * 100, trainLoss: 2.0 / Double(epoch),
            trainTop1: 0.5 + 0.01 * Double(epoch),
            valLoss: validated ? 2.1 / Double(epoch) : nil, valTop1: validated ? 0.49 : nil,
            valTop5: validated ? 0.8 : nil, learningRate: 0.001, imagesPerSecond: 1234.5,
            seconds: 10.25 * Double(epoch))
    }

    @Test func roundTrip() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        let records = [Self.record(1), Self.record(2, validated: false), Self.record(3)]
        let writer = try TrainingLogWriter(appendingTo: url)
        for record in records { try writer.append(record) }
        let contents = try TrainingLog.read(from: url)
        #expect(contents.records == records)
        #expect(contents.skippedLines == 0)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 3)
        #expect(text.hasSuffix("}\n"))
    }

    @Test func lineUsesTheDocumentedKeys() throws {
        let line = try TrainingLog.line(for: Self.record(1))
        for key in [
            "epoch", "step", "train_loss", "train_top1", "val_loss", "val_top1", "val_top5", "learning_rate",
            "images_per_s", "seconds",
        ] {
            #expect(line.contains("\"\(key)\":"), "missing \(key)")
        }
        #expect(!line.contains("\n"))
        #expect(!(try TrainingLog.line(for: Self.record(1, validated: false))).contains("val_"))
    }

    @Test func nonFiniteLossSurvives() throws {
        var record = Self.record(1)
        record.trainLoss = .nan
        record.valLoss = .infinity
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        try TrainingLogWriter(appendingTo: url).append(record)
        let read = try #require(try TrainingLog.read(from: url).records.first)
        #expect(read.trainLoss.isNaN)
        #expect(read.valLoss == .infinity)
    }

    @Test func tornLastLineIsSkippedAndCounted() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        let lines = try [Self.record(1), Self.record(2)].map { try TrainingLog.line(for: $0) }
        let torn = String(try TrainingLog.line(for: Self.record(3)).prefix(30))
        try (lines.joined(separator: "\n") + "\n" + torn).write(to: url, atomically: true, encoding: .utf8)
        let contents = try TrainingLog.read(from: url)
        #expect(contents.records == [Self.record(1), Self.record(2)])
        #expect(contents.skippedLines == 1)

        // A resumed run cuts the torn line off before appending.
        try TrainingLogWriter(appendingTo: url).append(Self.record(3))
        let resumed = try TrainingLog.read(from: url)
        #expect(resumed.records == [Self.record(1), Self.record(2), Self.record(3)])
        #expect(resumed.skippedLines == 0)
    }

    @Test func badLineInTheMiddleIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        let good = try TrainingLog.line(for: Self.record(1))
        try ([good, "", "{\"epoch\": oops}", good].joined(separator: "\n") + "\n")
            .write(to: url, atomically: true, encoding: .utf8)
        let error = #expect(throws: TrainingError.self) { try TrainingLog.read(from: url) }
        #expect(error?.description.contains("metrics.jsonl line 3") == true)
    }

    @Test func missingFileNamesIt() {
        let url = URL(fileURLWithPath: "/nonexistent/doodle/metrics.jsonl")
        let error = #expect(throws: TrainingError.self) { try TrainingLog.read(from: url) }
        #expect(error?.description.contains("/nonexistent/doodle/metrics.jsonl") == true)
    }

    @Test func emptyFileHasNoRecords() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("metrics.jsonl")
        _ = try TrainingLogWriter(appendingTo: url)
        let contents = try TrainingLog.read(from: url)
        #expect(contents.records.isEmpty)
        #expect(contents.skippedLines == 0)
    }
}
