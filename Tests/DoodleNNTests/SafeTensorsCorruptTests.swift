import DoodleNN
import Foundation
import TestSupport
import Testing

/// A hand-made file that the reader must reject, and words its message must contain.
struct CorruptFile: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var expected: String

    var testDescription: String { name }

    /// A file whose header is `header` (its true length unless `declaredLength` says otherwise).
    init(_ name: String, header: String, data: Int = 0, declaredLength: UInt64? = nil, expected: String) {
        let json = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) {
            bytes.append(contentsOf: $0)
        }
        bytes += json + [UInt8](repeating: 7, count: data)
        self.init(name, bytes: bytes, expected: expected)
    }

    init(_ name: String, bytes: [UInt8], expected: String) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    /// One header entry.
    static func tensor(_ name: String, _ dtype: String = "F32", _ shape: String, _ offsets: String) -> String
    {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    static let all: [CorruptFile] = {
        let t = tensor
        let good = try! SafeTensors([.init("w", Tensor(shape: [4], scalars: [1, 2, 3, 4]))]).serialized()
        return [
            CorruptFile(
                "shorter than 8 bytes", bytes: [1, 2, 3], expected: "shorter than its 8-byte header length"),
            CorruptFile(
                "header length beyond the file", header: "{}", declaredLength: 1000,
                expected: "runs past the end"),
            CorruptFile("header not JSON", header: "{\"a\": [1, 2", expected: "not valid UTF-8 JSON"),
            CorruptFile(
                "header not UTF-8", bytes: [1, 0, 0, 0, 0, 0, 0, 0, 0xFF], expected: "not valid UTF-8 JSON"),
            CorruptFile("empty header", header: "", expected: "not valid UTF-8 JSON"),
            CorruptFile("header not an object", header: "[1, 2]", expected: "not an object: [1, 2]"),
            CorruptFile("entry not an object", header: "{\"a\": 5}", expected: "tensor a is not an object"),
            CorruptFile(
                "missing dtype", header: "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", data: 4,
                expected: "tensor a has no dtype"),
            CorruptFile(
                "unknown dtype", header: "{" + t("a", "F8_E4M3", "[1]", "[0,1]") + "}", data: 1,
                expected: "unknown dtype F8_E4M3"),
            CorruptFile(
                "negative dimension", header: "{" + t("a", "F32", "[-1]", "[0,4]") + "}", data: 4,
                expected: "shape must be a list of non-negative integers, got [-1]"),
            CorruptFile(
                "fractional dimension", header: "{" + t("a", "F32", "[1.5]", "[0,4]") + "}", data: 4,
                expected: "shape must be a list of non-negative integers"),
            CorruptFile(
                "shape not a list", header: "{" + t("a", "F32", "\"4\"", "[0,16]") + "}", data: 16,
                expected: "shape must be a list of non-negative integers, got \"4\""),
            CorruptFile(
                "offsets reversed", header: "{" + t("a", "F32", "[1]", "[4,0]") + "}", data: 4,
                expected: "data_offsets must be [begin, end]"),
            CorruptFile(
                "three offsets", header: "{" + t("a", "F32", "[1]", "[0,4,8]") + "}", data: 8,
                expected: "data_offsets must be [begin, end]"),
            CorruptFile(
                "offsets inconsistent with shape", header: "{" + t("a", "F32", "[2,3]", "[0,16]") + "}",
                data: 16, expected: "data_offsets [0, 16] span 16 bytes, but shape [2, 3] of F32 needs 24"),
            CorruptFile(
                "offsets out of range",
                header: "{" + t("a", "F32", "[1]", "[0,4]") + "," + t("b", "F32", "[1]", "[100,104]") + "}",
                data: 4,
                expected: "tensor b: data_offsets [100, 104] are out of range of the 4-byte data buffer"),
            CorruptFile(
                "overlapping tensors",
                header: "{" + t("a", "F32", "[2]", "[0,8]") + "," + t("b", "F32", "[1]", "[4,8]") + "}",
                data: 8, expected: "tensors a [0, 8] and b [4, 8] overlap"),
            CorruptFile(
                "hole in the buffer",
                header: "{" + t("a", "F32", "[1]", "[0,4]") + "," + t("b", "F32", "[1]", "[8,12]") + "}",
                data: 12, expected: "hole in the data buffer: bytes [4, 8) before b"),
            CorruptFile(
                "trailing garbage", header: "{" + t("a", "F32", "[1]", "[0,4]") + "}", data: 9,
                expected: "trailing garbage: 5 bytes"),
            CorruptFile(
                "metadata value not a string", header: "{\"__metadata__\":{\"epochs\":3}}",
                expected: "__metadata__ value for epochs is not a string: 3"),
            CorruptFile(
                "metadata not an object", header: "{\"__metadata__\":[\"a\"]}",
                expected: "__metadata__ is not an object of strings"),
            CorruptFile(
                "truncated data", bytes: Array(good.dropLast(3)),
                expected: "truncated: its tensors need 16 bytes after the header, only 13 remain"),
            CorruptFile(
                "truncated header", bytes: Array(good.prefix(20)),
                expected: "runs past the end of the 20-byte file (truncated?)"),
        ]
    }()
}

@Suite struct SafeTensorsCorruptTests {
    @Test(arguments: CorruptFile.all)
    func rejectsWithMessageNamingTheProblem(_ file: CorruptFile) throws {
        let error = #expect(throws: ModelFileError.self) {
            try SafeTensors(bytes: file.bytes, source: "bad.safetensors")
        }
        #expect(error?.file == "bad.safetensors")
        #expect(error?.problem.contains(file.expected) == true, "\(error?.problem ?? "no error")")
    }

    @Test func errorFromDiskNamesThePath() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try Data([1, 2, 3]).write(to: url)
        let error = #expect(throws: ModelFileError.self) { try SafeTensors(contentsOf: url) }
        #expect(error?.description.hasPrefix(url.path + ": the file is 3 bytes long") == true)
    }

    @Test func missingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/doodle/model.safetensors")
        let error = #expect(throws: ModelFileError.self) { try SafeTensors(contentsOf: url) }
        #expect(error?.file == url.path)
        #expect(error?.problem.hasPrefix("cannot read the file") == true)
    }
}
