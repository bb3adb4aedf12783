import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a reader does with a line it cannot parse.
public enum MalformedLinePolicy: Sendable {
    /// Skip the line and report it in the result.
    case skip
    /// Stop with an error naming the file and the line.
    case fail
}

/// A line a reader skipped under `MalformedLinePolicy.skip`.
public struct SkippedLine: Sendable, Equatable {
    /// The line number, counting from 1.
    public var line: Int
    /// What is wrong with it.
    public var problem: String
}

/// The drawings read from an ndjson file, and the malformed lines skipped.
public struct NDJSONDrawings: Sendable {
    /// The drawings, in file order.
    public var drawings: [Drawing]
    /// The lines skipped as malformed, in file order; empty under `MalformedLinePolicy.fail`.
    public var skipped: [SkippedLine]
}

/// A reader for Quick, Draw! ndjson files: one JSON record per line, as Google publishes them.
///
/// Both forms are read: simplified (`"drawing": [[[x...], [y...]], ...]`, one `[xs, ys]` per stroke)
/// and raw (`[xs, ys, ts]` per stroke, times in milliseconds). Each record's `word`, `key_id` (a
/// string, or a number kept as its digits), `countrycode` and `recognized` fill in the `Drawing`;
/// other fields are ignored. Blank lines are skipped silently.
public enum QuickDrawNDJSON {
    /// Reads every drawing in the ndjson file at `url`.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - policy: whether a malformed line is skipped (and reported) or stops the read.
    /// - Returns: the drawings and the lines skipped.
    /// - Throws: `DataError` naming the file when it cannot be read, or naming the file and line
    ///   number of a malformed line under `.fail`.
    public static func read(
        from url: URL, onMalformedLine policy: MalformedLinePolicy = .fail
    ) throws -> NDJSONDrawings {
        let mapped = try MappedFile(path: url.path)
        return try mapped.withUnsafeBytes { try parse($0, file: mapped.path, policy: policy) }
    }

    /// Reads every drawing in ndjson `data`, as `read(from:onMalformedLine:)` reads a file.
    ///
    /// - Parameter name: what to call the data in errors, e.g. an uploaded file's name.
    public static func parse(
        _ data: Data, name: String, onMalformedLine policy: MalformedLinePolicy = .fail
    ) throws -> NDJSONDrawings {
        try data.withUnsafeBytes { try parse($0, file: name, policy: policy) }
    }

    /// Parses one record, e.g. a drawing posted to the server.
    ///
    /// - Throws: `DataError` naming `name` and the problem when `line` is not a drawing record.
    public static func parseDrawing(_ line: String, name: String = "drawing") throws -> Drawing {
        var line = line
        return try line.withUTF8 { utf8 in
            do throws(JSONProblem) {
                return try JSONScanner.drawing(UnsafeRawBufferPointer(utf8))
            } catch {
                throw DataError(name, "column \(error.offset + 1): \(error.message)")
            }
        }
    }

    static func parse(
        _ bytes: UnsafeRawBufferPointer, file: String, policy: MalformedLinePolicy
    ) throws -> NDJSONDrawings {
        var result = NDJSONDrawings(drawings: [], skipped: [])
        var start = 0
        // A UTF-8 byte order mark is not JSON, but editors add it; skip it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let rest = bytes.count - start
            let newline = memchr(bytes.baseAddress! + start, 0x0A, rest)
            let end = newline.map { UnsafeRawPointer($0) - bytes.baseAddress! } ?? bytes.count
            defer { start = end + 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            do {
                result.drawings.append(try JSONScanner.drawing(line))
            } catch {
                let problem = "column \(error.offset + 1): \(error.message)"
                guard policy == .skip else { throw DataError(file, "line \(lineNumber), \(problem)") }
                result.skipped.append(SkippedLine(line: lineNumber, problem: problem))
            }
        }
        return result
    }
}
