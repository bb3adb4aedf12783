import Foundation

/// One epoch's line of the metrics log: a JSON object on a line of its own, keys in snake_case.
///
/// ```json
/// {"epoch":3,"step":1406,"train_loss":0.91,"train_top1":0.74,"val_loss":0.88,"val_top1":0.75,...}
/// ```
/// Accuracies are fractions, not percentages. The validation fields are left out of a line written
/// without validation. Non-finite numbers (a diverged loss) are written as the strings "NaN",
/// "Infinity" and "-Infinity".
public struct EpochRecord: Codable, Sendable, Equatable {
    /// The epoch just finished, counting from 1.
    public var epoch: Int
    /// The optimizer steps taken so far.
    public var step: Int
    /// The mean training loss over the epoch.
    public var trainLoss: Double
    /// The training top-1 accuracy over the epoch.
    public var trainTop1: Double
    /// The validation loss, if the epoch was validated.
    public var valLoss: Double?
    /// The validation top-1 accuracy, if the epoch was validated.
    public var valTop1: Double?
    /// The validation top-5 accuracy, if the epoch was validated.
    public var valTop5: Double?
    /// The learning rate at the end of the epoch.
    public var learningRate: Double
    /// Training throughput over the epoch.
    public var imagesPerSecond: Double
    /// Wall-clock seconds since training started.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case epoch, step, seconds
        case trainLoss = "train_loss"
        case trainTop1 = "train_top1"
        case valLoss = "val_loss"
        case valTop1 = "val_top1"
        case valTop5 = "val_top5"
        case learningRate = "learning_rate"
        case imagesPerSecond = "images_per_s"
    }

    /// A record from its fields; see the properties for their meaning.
    public init(
        epoch: Int, step: Int, trainLoss: Double, trainTop1: Double, valLoss: Double? = nil,
        valTop1: Double? = nil, valTop5: Double? = nil, learningRate: Double, imagesPerSecond: Double,
        seconds: Double
    ) {
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.trainTop1 = trainTop1
        self.valLoss = valLoss
        self.valTop1 = valTop1
        self.valTop5 = valTop5
        self.learningRate = learningRate
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
    }
}

/// Reading and appending the JSON-lines metrics log (`metrics.jsonl`), one ``EpochRecord`` a line.
public enum TrainingLog {
    /// What ``read(from:)`` found.
    public struct Contents: Sendable, Equatable {
        /// The records, in file order.
        public var records: [EpochRecord]
        /// How many torn lines were skipped: 1 when the last line was cut short (a run killed mid-write),
        /// else 0.
        public var skippedLines: Int
    }

    /// Reads a metrics log.
    ///
    /// Blank lines are ignored. A last line that does not parse is taken to be the torn write of a
    /// killed run: it is skipped and counted in ``Contents/skippedLines``.
    /// - Parameter url: The `.jsonl` file.
    /// - Returns: The records and the count of skipped lines.
    /// - Throws: `TrainingError` naming the file when it cannot be read, or naming the file and line when
    ///   a line other than the last does not parse.
    public static func read(from url: URL) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw TrainingError("cannot read the training log \(url.path): \(error.localizedDescription)")
        }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let numbered = lines.enumerated().filter { !isBlank($0.element) }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = nonConformingFloats
        var contents = Contents(records: [], skippedLines: 0)
        for (position, (offset, line)) in numbered.enumerated() {
            do {
                contents.records.append(try decoder.decode(EpochRecord.self, from: Data(line)))
            } catch  where position == numbered.count - 1 {
                contents.skippedLines += 1
            } catch {
                throw TrainingError("\(url.path) line \(offset + 1) is not an epoch record: \(error)")
            }
        }
        return contents
    }

    /// One line of the log for `record`, without the newline.
    public static func line(for record: EpochRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    static let nonConformingFloats = JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
        positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")

    private static func isBlank(_ line: Data.SubSequence) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }
}

/// Appends ``EpochRecord`` lines to a metrics log, one write and one flush to disk per record, so a
/// killed run loses at most the line being written.
public final class TrainingLogWriter {
    /// The log file.
    public let url: URL
    private let handle: FileHandle

    /// Opens `url` for appending, creating it if it does not exist.
    ///
    /// A torn last line left by a killed run (bytes after the last newline) is cut off first, so a
    /// resumed run's records start on a line of their own.
    /// - Parameter url: The `.jsonl` file.
    /// - Throws: `TrainingError` naming the file when it cannot be created, read or truncated.
    public init(appendingTo url: URL) throws {
        self.url = url
        do {
            let fileManager = FileManager.default
            if !fileManager.fileExists(atPath: url.path) {
                guard fileManager.createFile(atPath: url.path, contents: nil) else {
                    throw TrainingError("cannot create the file")
                }
            }
            handle = try FileHandle(forUpdating: url)
            let existing = try handle.readToEnd() ?? Data()
            if let last = existing.last, last != UInt8(ascii: "\n") {
                let kept = existing.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? existing.startIndex
                try handle.truncate(atOffset: UInt64(kept - existing.startIndex))
            }
            try handle.seekToEnd()
        } catch {
            throw TrainingError("cannot open the training log \(url.path) for appending: \(error)")
        }
    }

    deinit { try? handle.close() }

    /// Writes `record` as one line and flushes it to disk.
    ///
    /// - Throws: `TrainingError` naming the file when the write fails.
    public func append(_ record: EpochRecord) throws {
        let line = try TrainingLog.line(for: record) + "\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
            try handle.synchronize()
        } catch {
            throw TrainingError("cannot append to the training log \(url.path): \(error)")
        }
    }
}
