import CZlib
import DoodleData
import Foundation

/// A fuzz harness: parses `bytes` as its target would meet them, and returns.
///
/// A harness expects errors: a thrown error is the parser doing its job. A finding is a crash, a trap
/// (overflow, out-of-range index, failed precondition), a sanitizer report or a leak.
typealias Harness = @Sendable ([UInt8]) -> Void

/// The harnesses, by target name: one per parser of untrusted input.
enum Harnesses {
    static let all: [String: Harness] = [
        "png": png,
        "npy": npy,
        "idx": idx,
        "ndjson": ndjson,
        "quickdraw-bin": quickDrawBinary,
        "model": model,
        "predict": predict,
        "drawing": drawing,
        "words": words,
        "onnx": onnx,
        "json": json,
    ]

    /// `PNG.decode` of the input as it is and with every chunk's CRC recomputed (else almost every
    /// mutation stops at the CRC check), then the framing an uploaded PNG goes through.
    static func png(_ bytes: [UInt8]) {
        decodePNG(bytes)
        var fixed = bytes
        var offset = 8
        while offset + 12 <= fixed.count {
            let length = fixed[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 12 + length <= fixed.count else { break }
            let crc = fixed[(offset + 4)..<(offset + 8 + length)].withContiguousStorageIfAvailable {
                UInt32(crc32(0, $0.baseAddress, uInt($0.count)))
            }!
            for k in 0..<4 { fixed[offset + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * k)) }
            offset += 12 + length
        }
        if fixed != bytes { decodePNG(fixed) }
    }

    static func decodePNG(_ bytes: [UInt8]) {
        guard let image = try? PNG.decode(bytes, name: "fuzz.png", maxPixels: 1 << 20) else { return }
        precondition(image.pixels.count == image.width * image.height, "decoded pixels do not fit the size")
        guard image.width * image.height <= 1 << 16 else { return }  // framing is linear: keep runs fast
        for framing in ImageInput.Framing.allCases {
            precondition(ImageInput.modelInput(from: image, framing: framing).count == 28 * 28)
        }
    }

    /// `NpyArray` (header and size checks), then reading all of its data and its last row.
    static func npy(_ bytes: [UInt8]) {
        guard let array = try? NpyArray(contentsOf: TemporaryFile.write(bytes)) else { return }
        switch array.dtype {
        case .uint8:
            precondition(array.bytes().count == array.count)
            if array.rowCount > 0 { _ = array.row(array.rowCount - 1) }
        case .float32:
            precondition(array.floats().count == array.count)
            if array.rowCount > 0 { _ = array.floatRow(array.rowCount - 1) }
        }
    }

    /// MNIST IDX image and label files, gzip-compressed or not.
    static func idx(_ bytes: [UInt8]) {
        let url = TemporaryFile.write(bytes)
        if let images = try? IDX.readImages(from: url), images.count > 0 {
            _ = images.image(images.count - 1)
        }
        _ = try? IDX.readLabels(from: url)
    }

    /// Quick, Draw! ndjson (simplified and raw), both policies, then each drawing rendered as the
    /// dataset builder renders it.
    static func ndjson(_ bytes: [UInt8]) {
        let data = Data(bytes)
        _ = try? QuickDrawNDJSON.parse(data, name: "fuzz.ndjson", onMalformedLine: .fail)
        guard let read = try? QuickDrawNDJSON.parse(data, name: "fuzz.ndjson", onMalformedLine: .skip) else {
            preconditionFailure("the .skip policy threw")
        }
        if let line = String(validating: bytes.prefix { $0 != 0x0A }, as: UTF8.self) {
            _ = try? QuickDrawNDJSON.parseDrawing(line)
        }
        render(read.drawings.prefix(4))
    }

    /// Quick, Draw! `.bin` records, then each drawing rendered.
    static func quickDrawBinary(_ bytes: [UInt8]) {
        guard let records = try? QuickDrawBinary.readRecords(from: TemporaryFile.write(bytes), word: "cat")
        else { return }
        render(records.prefix(4).map(\.drawing))
    }

    /// The JSON scanner alone. The first byte picks what to read, the rest is the JSON; a value that
    /// `skipValue` accepts must be JSON that Foundation accepts too.
    static func json(_ bytes: [UInt8]) {
        guard let mode = bytes.first else { return }
        let text = Array(bytes.dropFirst())
        text.withUnsafeBytes { buffer in
            var scanner = JSONScanner(buffer)
            do throws(JSONProblem) {
                switch mode % 5 {
                case 0:
                    try scanner.skipValue()
                    // JSON is UTF-8 (RFC 8259 §8.1) and the scanner repairs bad UTF-8 on purpose; a lone
                    // surrogate escape is grammatical JSON (§8.2) that Foundation refuses: no oracle there.
                    guard scanner.isAtEnd, let string = String(validating: text, as: UTF8.self),
                        !string.lowercased().contains("\\ud")
                    else { return }
                    let parsed = try? JSONSerialization.jsonObject(
                        with: Data(text), options: .fragmentsAllowed)
                    precondition(parsed != nil, "JSONScanner accepted what JSONSerialization rejects")
                case 1: _ = try scanner.strokeArrays()
                case 2: _ = try scanner.numbers()
                case 3: _ = try scanner.optionalString()
                default:
                    let number = try scanner.number()
                    precondition(number.isFinite, "JSONScanner.number returned \(number)")
                }
            } catch {
                precondition(error.offset >= 0 && error.offset <= text.count, "problem offset out of range")
            }
        }
    }

    /// Drawings normalised and rasterised as training data is.
    static func render(_ drawings: some Sequence<Drawing>) {
        for drawing in drawings {
            for framing in ImageInput.Framing.allCases {
                if let pixels = try? ImageInput.modelInput(strokes: drawing.strokes, framing: framing) {
                    precondition(pixels.count == 28 * 28)
                }
            }
        }
    }
}

/// The one file the file-based harnesses read, rewritten for each input: the parsers under test
/// memory-map files, so they are fuzzed as they run.
enum TemporaryFile {
    static let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "doodle-fuzz-\(getpid()).bin")

    /// Writes `bytes` over the file and returns its URL.
    static func write(_ bytes: [UInt8]) -> URL {
        do {
            try Data(bytes).write(to: url)
        } catch {
            fatalError("doodle-fuzz: cannot write \(url.path): \(error)")
        }
        return url
    }
}
