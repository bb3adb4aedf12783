import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The message of the current `errno`, after `what` failed.
func systemProblem(_ what: String) -> String {
    "\(what): \(String(cString: strerror(errno)))"
}

/// `write(2)`, named apart from `AtomicFileWriter.write`, which would shadow it inside the class.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// A whole file mapped read-only into memory, so that reading it copies nothing.
///
/// `@unchecked Sendable` is safe: the mapping is private and read-only, never changes after `init`,
/// and is unmapped only in `deinit`, when no one can hold the object any more. (If another process
/// truncates the file while it is mapped, reads past the new end fault; Doodle's data files are not
/// rewritten in place, since its writers rename a new file over the old one.)
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened at, for error messages.
    let path: String
    private let base: UnsafeMutableRawPointer?
    /// The size of the file in bytes.
    let count: Int

    /// Maps the file at `path`.
    ///
    /// - Throws: `DataError` when the file cannot be opened or mapped.
    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError(path, systemProblem("cannot open")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError(path, systemProblem("cannot stat")) }
        count = Int(info.st_size)
        guard count > 0 else {  // mmap refuses an empty range; an empty file has nothing to map
            base = nil
            return
        }
        let address = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else {
            throw DataError(path, systemProblem("cannot map"))
        }
        base = address
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// Reads the file's bytes through a pointer that is valid only inside `body`.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) {
            try body(UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) }, count: count))
        }
    }
}

/// A file written under a temporary name in its destination's directory, then renamed into place.
///
/// Readers therefore see either the old file or the complete new one, never a partial write. A
/// writer that is dropped without `commit()` removes its temporary file.
final class AtomicFileWriter {
    /// Where the file will appear on `commit()`.
    let destination: String
    private let temporary: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20

    /// Creates the temporary file beside `url`.
    ///
    /// - Throws: `DataError` when the temporary file cannot be created.
    init(destination url: URL) throws {
        destination = url.path
        let directory = url.deletingLastPathComponent().path
        temporary = "\(directory)/.\(url.lastPathComponent).\(UUID().uuidString).tmp"
        // 0o666 so the umask decides the final permissions, as for any newly created file.
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw DataError(destination, systemProblem("cannot create \(temporary)")) }
        buffer.reserveCapacity(bufferLimit)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    /// Appends `bytes` to the file.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeAll(bytes, at: nil)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends `bytes` to the file.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Overwrites bytes already written, starting at `offset` from the start of the file.
    func overwrite(_ bytes: [UInt8], at offset: Int) throws {
        try flush()
        try bytes.withUnsafeBytes { try writeAll($0, at: offset) }
    }

    /// Flushes, syncs and renames the file into place; the writer cannot be used afterwards.
    ///
    /// - Throws: `DataError` when a write, the sync or the rename fails.
    func commit() throws {
        precondition(fd >= 0, "AtomicFileWriter.commit called twice")
        try flush()
        // Sync before the rename, or a crash could leave the new name on an empty file.
        guard fsync(fd) == 0 else { throw DataError(destination, systemProblem("cannot sync")) }
        close(fd)
        fd = -1
        guard rename(temporary, destination) == 0 else {
            let problem = systemProblem("cannot rename \(temporary) into place")
            unlink(temporary)
            throw DataError(destination, problem)
        }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0, at: nil) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int?) throws {
        var done = 0
        while done < bytes.count {
            let start = bytes.baseAddress! + done
            let n =
                if let offset {
                    pwrite(fd, start, bytes.count - done, off_t(offset + done))
                } else {
                    systemWrite(fd, start, bytes.count - done)
                }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw DataError(destination, systemProblem("cannot write")) }
            done += n
        }
    }
}

/// Writes `bytes` to `url` under a temporary name, syncs, and renames it into place: a reader, or a
/// run killed midway, sees the old file or the whole new one.
///
/// - Throws: `DataError` naming the file when a write, the sync or the rename fails.
public func writeFileAtomically(_ url: URL, _ bytes: [UInt8]) throws {
    let file = try AtomicFileWriter(destination: url)
    try file.write(bytes)
    try file.commit()
}
