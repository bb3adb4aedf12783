import Foundation
import SwiftProtobuf

/// Writes a TensorBoard event file: the scalars of a training run (loss, accuracy, learning rate), by
/// step, which `tensorboard --logdir DIR` plots as it does a PyTorch or TensorFlow run's.
///
/// The file is TensorBoard's own format: TFRecords (a little-endian 64-bit length, its masked CRC-32C,
/// the bytes, their masked CRC-32C), each holding an `Event` message (Proto/tensorboard_event.proto,
/// encoded by swift-protobuf), the first giving the file's version. It is appended to as training
/// goes, so TensorBoard shows a run while it trains; a resumed run starts a new file in the same
/// folder, and TensorBoard reads them together.
public final class TensorBoardWriter {
    /// The event file.
    public let url: URL
    private let handle: FileHandle

    /// Starts a new event file in `directory`, made if missing.
    ///
    /// - Throws: `TrainingError` naming the folder or file when it cannot be made or written.
    public init(directory: URL, now: Date = Date()) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TrainingError(
                "cannot make the TensorBoard folder \(directory.path): \(error.localizedDescription)")
        }
        // TensorBoard finds event files by "tfevents" in their names; the rest keeps runs apart.
        let host = ProcessInfo.processInfo.hostName
        let name =
            "events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host).\(ProcessInfo.processInfo.processIdentifier)"
        url = directory.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: url)
        else {
            throw TrainingError("cannot write the TensorBoard event file \(url.path)")
        }
        self.handle = handle
        var version = Tensorboard_Event()
        version.wallTime = now.timeIntervalSince1970
        version.fileVersion = "brain.Event:2"
        try write(version)
    }

    deinit {
        try? handle.close()
    }

    /// Adds `scalars` (tag, value) at `step`.
    ///
    /// - Throws: `TrainingError` naming the file when it cannot be written.
    public func add(_ scalars: [(tag: String, value: Double)], step: Int, wallTime: Date = Date()) throws {
        var event = Tensorboard_Event()
        event.wallTime = wallTime.timeIntervalSince1970
        event.step = Int64(step)
        event.summary = Tensorboard_Summary.with { summary in
            summary.value = scalars.map { scalar in
                Tensorboard_Summary.Value.with {
                    $0.tag = scalar.tag
                    $0.simpleValue = Float(scalar.value)
                }
            }
        }
        try write(event)
    }

    /// One event as one TFRecord.
    private func write(_ event: Tensorboard_Event) throws {
        do {
            let data = [UInt8](try event.serializedBytes() as [UInt8])
            var record = [UInt8]()
            record.reserveCapacity(data.count + 16)
            var length = UInt64(data.count).littleEndian
            let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
            record += lengthBytes
            record += Self.littleEndian(CRC32C.masked(lengthBytes))
            record += data
            record += Self.littleEndian(CRC32C.masked(data))
            try handle.write(contentsOf: record)
        } catch {
            throw TrainingError(
                "cannot write the TensorBoard event file \(url.path): \(error.localizedDescription)")
        }
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// CRC-32C (Castagnoli), as TFRecord checksums its lengths and records.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form: rotated right by 15 bits, plus a constant.
    static func masked(_ bytes: [UInt8]) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
