import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct QuickDrawNDJSONTests {
    let simplified = """
        {"word":"cat","countrycode":"VE","timestamp":"2017-03-02 23:25:10.07453 UTC","recognized":true,\
        "key_id":"5201136883597312","drawing":[[[130,113,99],[72,40,27]],[[76,28],[136,128]]]}
        """
    let raw = """
        {"key_id": 4504110453407744, "word": "face", "recognized": false, "countrycode": "GB", \
        "drawing": [[[10.5, -2, 1e2], [0, 0.25, 3], [0, 17, 33]]], "timestamp": "x"}
        """

    func parse(_ text: String, _ policy: MalformedLinePolicy = .fail) throws -> NDJSONDrawings {
        try QuickDrawNDJSON.parse(Data(text.utf8), name: "test.ndjson", onMalformedLine: policy)
    }

    @Test func readsSimplifiedRecords() throws {
        let drawing = try #require(try parse(simplified).drawings.first)
        #expect(drawing.word == "cat" && drawing.countryCode == "VE" && drawing.recognized == true)
        #expect(drawing.keyID == "5201136883597312")
        #expect(
            drawing.strokes == [
                Stroke(x: [130, 113, 99], y: [72, 40, 27]), Stroke(x: [76, 28], y: [136, 128]),
            ])
    }

    @Test func readsRawRecordsWithTimes() throws {
        let drawing = try QuickDrawNDJSON.parseDrawing(raw)
        #expect(drawing.keyID == "4504110453407744", "a numeric key_id keeps its digits")
        #expect(drawing.word == "face" && drawing.countryCode == "GB" && drawing.recognized == false)
        #expect(drawing.strokes == [Stroke(x: [10.5, -2, 100], y: [0, 0.25, 3], t: [0, 17, 33])])
    }

    @Test func readsAFileWithBlankLinesAndNoFinalNewline() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("cat.ndjson")
        try Data("\u{FEFF}\(simplified)\r\n\n   \n\(raw)".utf8).write(to: url)
        let result = try QuickDrawNDJSON.read(from: url)
        #expect(result.drawings.map(\.word) == ["cat", "face"])
        #expect(result.skipped.isEmpty)
    }

    @Test func decodesEscapes() throws {
        let line = #"{"word":"caf\u00e9 \"\ud83d\ude00\" \\\/\n","drawing":[]}"#
        #expect(try QuickDrawNDJSON.parseDrawing(line).word == "café \"😀\" \\/\n")
    }

    static let malformed: [(line: String, problem: String)] = [
        (#"{"word":"cat","drawing":[[[1,2],[3]]]}"#, "stroke 0 has 2 x, 1 y"),
        (#"{"word":"cat","drawing":[[[1,2],[3,4],[5]]]}"#, "stroke 0 has 2 x, 2 y, 1 t"),
        (#"{"word":"cat"}"#, "no \"drawing\" field"),
        (#"{"word":"cat","drawing":[[[1,2],[3,4]]]"#, "expected ','"),
        (#"{"word":"cat","drawing":[[[1,2],[3,4]]]} trailing"#, "unexpected text after the record"),
        (#"{"word":"cat","drawing":[[["1",2],[3,4]]]}"#, "expected a number"),
        (#"{"word":"cat","drawing":[[[01,2],[3,4]]]}"#, "expected a number"),
        (#"{"word":cat,"drawing":[]}"#, "expected a string"),
        (#"{"word":"c\qt","drawing":[]}"#, "bad escape"),
        (#"{"word":"cat","recognized":"yes","drawing":[]}"#, "\"recognized\" must be true or false"),
        (#"{"word":"cat","extra":[1,{"a":tru}],"drawing":[]}"#, "expected a value"),
        (#"{"word":"cat","drawing":[],}"#, "expected a string"),
        ("[1, 2, 3]", "expected '{'"),
        (#"{"word":"cat","drawing":[[[1e],[3]]]}"#, "expected a digit in the exponent"),
        (#"{"word":"unterminated"#, "unterminated string"),
        (#"{"x":"# + String(repeating: "[", count: 100) + "]", "nested too deeply"),
    ]

    @Test(arguments: malformed)
    func malformedLineIsFatalWithLineNumber(line: String, problem: String) throws {
        let text = "\(simplified)\n\n\(line)\n\(simplified)\n"
        let error = try #require(throws: DataError.self) { try parse(text) }
        #expect(error.file == "test.ndjson")
        #expect(error.problem.hasPrefix("line 3, column "), "\(error)")
        #expect(error.problem.contains(problem), "\(error)")
    }

    @Test(arguments: malformed)
    func malformedLineIsSkippedAndReported(line: String, problem: String) throws {
        let result = try parse("\(simplified)\n\(line)\n\(simplified)\n\(line)", .skip)
        #expect(result.drawings.count == 2)
        #expect(result.skipped.map(\.line) == [2, 4])
        #expect(result.skipped.allSatisfy { $0.problem.contains(problem) }, "\(result.skipped)")
    }

    @Test func missingFileNamesIt() throws {
        let url = URL(fileURLWithPath: "/nonexistent/x.ndjson")
        let error = try #require(throws: DataError.self) { try QuickDrawNDJSON.read(from: url) }
        #expect(error.file == url.path)
    }

    /// A file of 10,000 drawings parses whole. Its time is printed, not asserted: speed is measured by
    /// `doodle bench-data`, not by a unit test on a machine shared with the rest of the suite.
    @Test func reads10000Drawings() throws {
        var lines: [String] = []
        for k in 0..<10_000 {
            let strokes = (0..<6).map { s in
                let xs = (0..<12).map { String(($0 * 21 + k + s) % 256) }.joined(separator: ",")
                let ys = (0..<12).map { String(($0 * 17 + 2 * k + s) % 256) }.joined(separator: ",")
                return "[[\(xs)],[\(ys)]]"
            }
            lines.append(
                #"{"word":"cat","countrycode":"US","timestamp":"2017-03-02 23:25:10.07453 UTC","#
                    + #""recognized":true,"key_id":"\#(5_201_136_883_597_312 + k)","drawing":["#
                    + strokes.joined(separator: ",") + "]}")
        }
        let data = Data(lines.joined(separator: "\n").utf8)
        let clock = ContinuousClock()
        var result: NDJSONDrawings?
        let elapsed = try clock.measure { result = try QuickDrawNDJSON.parse(data, name: "big") }
        print("parsed 10,000 drawings (\(data.count) bytes) in \(elapsed)")
        #expect(result?.drawings.count == 10_000)
        #expect(result?.drawings[9_999].keyID == "5201136883607311")
        #expect(result?.drawings[3].strokes[5].x[1] == Double((21 + 3 + 5) % 256))
    }
}

@Suite struct QuickDrawNDJSONAgreesWithFoundation {
    /// Doodle's parser and `JSONSerialization` must read the same drawing from every line.
    @Test(
        .enabled(
            if: sharedDataDirectory != nil, "needs the shared data (../shared/data or DOODLE_SHARED_DATA)"))
    func realFilesParseAsJSONSerializationDoes() throws {
        let directory = try #require(sharedDataDirectory).appendingPathComponent("quickdraw/strokes")
        for name in [
            "simplified_ndjson/monkey.ndjson", "sketchrnn_ndjson/pig.ndjson", "simplified_ndjson/cat.ndjson",
        ] {
            let url = directory.appendingPathComponent(name)
            let ours = try QuickDrawNDJSON.read(from: url).drawings
            let lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).split(separator: "\n")
            #expect(ours.count == lines.count)
            for (drawing, line) in zip(ours, lines) {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let strokes = try #require(object["drawing"] as? [[[Double]]])
                #expect(drawing.strokes.map { [$0.x, $0.y] } == strokes.map { Array($0.prefix(2)) })
                #expect(drawing.word == object["word"] as? String)
                #expect(drawing.countryCode == object["countrycode"] as? String)
                #expect(drawing.keyID == object["key_id"] as? String)
                #expect(drawing.recognized == object["recognized"] as? Bool)
            }
        }
    }
}
