import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks that files can be created in `folder` by creating (and removing) one there, so that a run
/// learns of a read-only or missing folder before it trains for hours, not when it saves.
///
/// - Parameters:
///   - folder: the folder that must take new files.
///   - purpose: what will be written there, for the message ("checkpoints", "the model").
/// - Throws: `TrainingError` naming the folder and the system's reason.
public func ensureWritableFolder(_ folder: URL, for purpose: String) throws {
    let probe = folder.appendingPathComponent(".doodle-write-test-\(UUID().uuidString)").path
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
        throw TrainingError("cannot write \(purpose) in \(folder.path): \(String(cString: strerror(errno)))")
    }
    close(descriptor)
    unlink(probe)
}

/// Creates `folder` and any missing parents, like `mkdir -p`.
///
/// - Parameter purpose: what the folder is for, for the message ("the checkpoint folder").
/// - Throws: `TrainingError` naming the folder and the system's reason (Foundation's own error says
///   only "The operation could not be completed" on Linux).
func makeFolder(_ folder: URL, for purpose: String) throws {
    var path = ""
    for component in folder.standardizedFileURL.pathComponents {
        path = path.isEmpty || path == "/" ? path + component : path + "/" + component
        if mkdir(path, 0o777) != 0 && errno != EEXIST {
            throw TrainingError(
                "cannot create \(purpose) \(folder.path): \(String(cString: strerror(errno)))")
        }
    }
}
