import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct QuickDrawBinaryTests {
    let records = [
        QuickDrawBinary.Record(
            drawing: Drawing(
                strokes: [Stroke(x: [0, 128, 255], y: [255, 1, 0]), Stroke(x: [7], y: [9])],
                word: "cat", keyID: "5201136883597312", countryCode: "VE", recognized: true),
            timestamp: 1_488_497_110),
        QuickDrawBinary.Record(
            drawing: Drawing(
                strokes: [], word: "cat", keyID: "18446744073709551615", countryCode: nil, recognized: false),
            timestamp: 0),
        QuickDrawBinary.Record(
            drawing: Drawing(
                strokes: [
                    Stroke(x: (0..<300).map { Double($0 % 256) }, y: (0..<300).map { Double(255 - $0 % 256) })
                ],
                word: "cat", keyID: "1", countryCode: "US", recognized: true),
            timestamp: .max),
    ]

    @Test func roundTrips() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("cat.bin")
        try QuickDrawBinary.write(records: records, to: url)
        #expect(try QuickDrawBinary.readRecords(from: url, word: "cat") == records)
        #expect(try QuickDrawBinary.read(from: url, word: "cat") == records.map(\.drawing))
        // 17 bytes per drawing + per stroke 2 + 2 bytes per point.
        #expect(try readFixture(url).count == 3 * 17 + (2 + 6) + (2 + 2) + (2 + 600))
    }

    @Test func emptyFileHasNoDrawings() throws {
        let url = try writeFixture([], "empty.bin", in: try makeTemporaryDirectory())
        #expect(try QuickDrawBinary.read(from: url).isEmpty)
    }

    @Test(.enabled(if: pythonAvailable, "needs python3"))
    func readsWhatGooglesLayoutDescribes() throws {
        // Written with Python's struct, following Google's binary_file_parser.py.
        let url = try makeTemporaryDirectory().appendingPathComponent("py.bin")
        let script = """
            import sys
            from struct import pack
            with open(sys.argv[1], 'wb') as f:
                f.write(pack('<Q2sbIH', 6011264193150976, b'DE', 1, 1490000000, 2))
                f.write(pack('<H', 3) + bytes([1, 2, 3]) + bytes([4, 5, 6]))
                f.write(pack('<H', 1) + bytes([250]) + bytes([0]))
            """
        #expect(try runPython(script, [url.path]).status == 0)
        let record = try #require(try QuickDrawBinary.readRecords(from: url).first)
        #expect(record.timestamp == 1_490_000_000)
        #expect(
            record.drawing
                == Drawing(
                    strokes: [Stroke(x: [1, 2, 3], y: [4, 5, 6]), Stroke(x: [250], y: [0])],
                    keyID: "6011264193150976", countryCode: "DE", recognized: true))
    }

    @Test func truncatedFileNamesTheOffset() throws {
        let directory = try makeTemporaryDirectory()
        let full = try readFixture(
            try {
                let url = directory.appendingPathComponent("full.bin")
                try QuickDrawBinary.write(records: records, to: url)
                return url
            }())
        // Cut inside the header, a stroke's point count, and a stroke's points of each drawing.
        let cases: [(length: Int, fragments: [String])] = [
            (5, ["truncated at byte offset 0", "drawing 0", "8 bytes for key_id"]),
            (9, ["truncated at byte offset 8", "2 bytes for countrycode", "1 remain"]),
            (17, ["truncated at byte offset 17", "n_points of stroke 0"]),
            (22, ["truncated at byte offset 19", "6 bytes for the 3 points of stroke 0", "3 remain"]),
            (29 + 17 + 4, ["byte offset 46", "drawing 2 (from offset 46)", "key_id"]),
            (full.count - 1, ["drawing 2", "600 bytes for the 300 points of stroke 0, 599 remain"]),
        ]
        for (length, fragments) in cases {
            let url = try writeFixture(Array(full.prefix(length)), "cut-\(length).bin", in: directory)
            let error = try #require(throws: DataError.self) { try QuickDrawBinary.read(from: url) }
            #expect(error.file == url.path)
            for fragment in fragments { #expect(error.problem.contains(fragment), "\(error)") }
        }
    }

    @Test(arguments: [
        (Drawing(strokes: [Stroke(x: [256], y: [0])]), "x = 256.0"),
        (Drawing(strokes: [Stroke(x: [1], y: [0.5])]), "y = 0.5"),
        (Drawing(strokes: [Stroke(x: [-1], y: [0])]), "x = -1.0"),
        (Drawing(strokes: [], keyID: "abc"), "key_id 'abc'"),
        (Drawing(strokes: [], countryCode: "USA"), "countrycode 'USA'"),
    ])
    func writerRejectsWhatTheFormatCannotHold(drawing: Drawing, fragment: String) throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("bad.bin")
        let error = try #require(throws: DataError.self) {
            try QuickDrawBinary.write([Drawing(strokes: []), drawing], to: url)
        }
        #expect(error.problem.hasPrefix("drawing 1: ") && error.problem.contains(fragment), "\(error)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty, "no partial file")
    }
}
