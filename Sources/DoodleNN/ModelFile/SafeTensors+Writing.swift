import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif

extension SafeTensors {
    /// The bytes of a safetensors file holding `entries` in order, then `metadata`.
    ///
    /// The header is compact JSON with `__metadata__` first, padded with spaces so that the data buffer
    /// starts at a multiple of 8 bytes, as the Python `safetensors` package writes it.
    ///
    /// - Returns: the whole file.
    /// - Throws: `ModelFileError` for a duplicate or reserved name, or a value its integer dtype cannot hold.
    public func serialized() throws -> [UInt8] {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }
                .map { JSONValue.quoted($0.key) + ":" + JSONValue.quoted($0.value) }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var data: [UInt8] = []
        var seen: Set<String> = []
        for entry in entries {
            guard entry.name != "__metadata__" else {
                throw ModelFileError(source, "__metadata__ is reserved and cannot name a tensor")
            }
            guard seen.insert(entry.name).inserted else {
                throw ModelFileError(source, "two tensors are named \(entry.name)")
            }
            let begin = data.count
            let bad = entry.tensor.withUnsafeBufferPointer { entry.dtype.encode($0, into: &data) }
            if let bad {
                throw ModelFileError(
                    source,
                    "tensor \(entry.name) element \(bad) is \(entry.tensor[flat: bad]), "
                        + "which \(entry.dtype) cannot hold exactly")
            }
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            fields.append(
                JSONValue.quoted(entry.name) + ":{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var header = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        var file: [UInt8] = []
        file.reserveCapacity(8 + header.count + data.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        file.append(contentsOf: data)
        return file
    }

    /// Writes the file atomically: a reader sees the old file or the whole new one, never a part.
    ///
    /// The bytes go to a temporary file beside `url`, are flushed to disk, and the temporary is renamed
    /// over `url`. On any failure the temporary is removed and `url` is left as it was.
    ///
    /// - Parameter url: where the file goes; its directory must exist.
    /// - Throws: `ModelFileError` naming `url` when the tensors cannot be encoded or the file not written.
    public func write(to url: URL) throws {
        try AtomicFile.write(try serialized(), to: url)
    }
}

/// Files written whole or not at all.
public enum AtomicFile {
    /// Writes `bytes` atomically: to a temporary file beside `url`, flushed to disk, then renamed over
    /// `url`. On any failure the temporary is removed and `url` is left as it was.
    ///
    /// - Throws: `ModelFileError` naming `url` when the file cannot be written.
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let destination = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        let fail = { (problem: String) in ModelFileError(destination, problem) }
        func reason() -> String { String(cString: strerror(errno)) }

        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fail("cannot create a temporary file there: \(reason())") }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }

        var failure = bytes.withUnsafeBytes { raw -> String? in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return "cannot write: \(reason())"
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : "cannot flush to disk: \(reason())"
        }
        if close(descriptor) != 0 && failure == nil { failure = "cannot close: \(reason())" }
        if let failure { throw fail(failure) }
        guard rename(temporary, destination) == 0 else {
            throw fail("cannot rename the temporary file into place: \(reason())")
        }
        renamed = true
        // Makes the rename itself durable; best effort, as some file systems refuse to sync a directory.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            _ = close(directoryDescriptor)
        }
    }
}
