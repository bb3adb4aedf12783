import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading stroke files for datasets and `doodle render`: drawings with their line numbers, the rule
/// that tells simplified drawings from raw ones, and rasterising many drawings at once.
enum StrokeFiles {
    /// The first `limit` drawings of an ndjson file, each with its line number (from 1).
    ///
    /// - Parameter skipped: set to the lines skipped as malformed under `.skip`.
    /// - Throws: `DataError` naming the file, and under `.fail` the line, of a problem.
    static func readNDJSON(
        _ url: URL, limit: Int = .max, policy: MalformedLinePolicy, skipped: inout [SkippedLine]
    ) throws -> [(line: Int, drawing: Drawing)] {
        let mapped = try MappedFile(path: url.path)
        return try mapped.withUnsafeBytes { bytes in
            var result: [(line: Int, drawing: Drawing)] = []
            guard let base = bytes.baseAddress else { return result }
            var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // an editor's byte order mark
            var lineNumber = 0
            while start < bytes.count && result.count < limit {
                lineNumber += 1
                let newline = memchr(base + start, 0x0A, bytes.count - start)
                let end = newline.map { UnsafeRawPointer($0) - base } ?? bytes.count
                defer { start = end + 1 }
                let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
                do throws(JSONProblem) {
                    let drawing = try JSONScanner.drawing(line)
                    result.append((lineNumber, drawing))
                } catch {
                    let problem = "column \(error.offset + 1): \(error.message)"
                    guard policy == .skip else {
                        throw DataError(mapped.path, "line \(lineNumber), \(problem)")
                    }
                    skipped.append(SkippedLine(line: lineNumber, problem: problem))
                }
            }
            return result
        }
    }

    /// `readNDJSON(_:limit:policy:skipped:)`, dropping the list of skipped lines.
    static func readNDJSON(
        _ url: URL, limit: Int = .max, policy: MalformedLinePolicy
    ) throws -> [(line: Int, drawing: Drawing)] {
        var skipped: [SkippedLine] = []
        return try readNDJSON(url, limit: limit, policy: policy, skipped: &skipped)
    }

    /// Whether `drawing` could be one of Google's simplified drawings: no times, and only whole
    /// coordinates in 0...255.
    static func looksSimplified(_ drawing: Drawing) -> Bool {
        drawing.strokes.allSatisfy { stroke in
            stroke.t == nil
                && stroke.x.allSatisfy { $0 >= 0 && $0 <= 255 && $0.rounded() == $0 }
                && stroke.y.allSatisfy { $0 >= 0 && $0 <= 255 && $0.rounded() == $0 }
        }
    }

    /// The drawings of one file in simplified coordinates, stripped of their record fields.
    ///
    /// Under `.auto` the whole file is taken as simplified when every drawing looks simplified,
    /// else every drawing is normalised by `StrokeNormalizer`. The rule is per file, not per drawing,
    /// because a raw drawing can look simplified by chance: 1,556 of the 8,000 sketch-rnn drawings
    /// in the shared data have whole coordinates in 0...255 without filling the box as simplified
    /// drawings do (7,351 of Google's 7,360 reach 250).
    ///
    /// - Parameters:
    ///   - file: the file the drawings came from, for errors.
    ///   - names: what to call each drawing in errors (e.g. `cat.ndjson:17`).
    /// - Throws: `DataError` naming the file and drawing that cannot be normalised.
    static func simplified(
        _ drawings: [Drawing], coordinates: DatasetOptions.StrokeCoordinates, file: String, names: [String]
    ) throws -> [Drawing] {
        let raw =
            switch coordinates {
            case .simplified: false
            case .raw: true
            case .auto: !drawings.allSatisfy(looksSimplified)
            }
        guard raw else { return drawings.map { Drawing(strokes: $0.strokes) } }
        let normalizer = StrokeNormalizer()
        return try drawings.indices.map { i in
            do {
                return Drawing(strokes: try normalizer.normalize(drawings[i]).strokes)
            } catch let error as DataError {
                throw DataError(file, "\(names[i]): \(error.problem)")
            }
        }
    }

    /// The 28×28 bitmaps of `drawings`, one after another, rendered on all cores.
    ///
    /// - Parameters:
    ///   - file: the file the drawings came from, for errors.
    ///   - names: what to call each drawing in errors (e.g. `line 17`); by default its position.
    /// - Throws: `DataError` naming the file and the first drawing the rasterizer refuses.
    static func rasterize(
        _ drawings: [Drawing], file: String, names: [String]? = nil, side: Int = 28
    ) throws -> [UInt8] {
        let size = side * side
        let rasterizer = Rasterizer(side: side)
        let failures = FirstFailure()
        let pixels = [UInt8](unsafeUninitializedCapacity: drawings.count * size) { buffer, initialized in
            let out = SendableBytePointer(buffer.baseAddress)
            let chunk = 64
            let chunks = (drawings.count + chunk - 1) / chunk
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var session = RasterizerSession(rasterizer)
                var bitmap: [UInt8] = []
                for i in (c * chunk)..<min(drawings.count, (c + 1) * chunk) {
                    let target = out.pointer! + i * size
                    do {
                        try session.render(drawings[i], into: &bitmap)
                        bitmap.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: size) }
                    } catch {
                        target.update(repeating: 0, count: size)
                        failures.record(i, error)
                    }
                }
            }
            initialized = drawings.count * size
        }
        if let (index, error) = failures.first {
            let problem = (error as? DataError)?.problem ?? "\(error)"
            throw DataError(file, "\(names?[index] ?? "drawing \(index)"): \(problem)")
        }
        return pixels
    }
}

/// The output base address for the rasterising loop. Safe: each iteration writes only its own
/// drawing's `side × side` bytes, and the buffer outlives `concurrentPerform`.
private struct SendableBytePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>?
    init(_ pointer: UnsafeMutablePointer<UInt8>?) { self.pointer = pointer }
}

/// The failure with the lowest index among concurrent iterations, so the error reported is the
/// same on every run.
private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var failure: (Int, any Error)?

    /// Records `error` of iteration `index`, keeping the lowest index.
    func record(_ index: Int, _ error: any Error) {
        lock.withLock {
            if failure == nil || index < failure!.0 { failure = (index, error) }
        }
    }

    /// The failure with the lowest index, if any.
    var first: (Int, any Error)? { lock.withLock { failure } }
}
