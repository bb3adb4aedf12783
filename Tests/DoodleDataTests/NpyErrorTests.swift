import DoodleData
import Foundation
import TestSupport
import Testing

/// Every way a `.npy` file can be wrong gives a `DataError` naming the file and the problem.
@Suite struct NpyErrorTests {
    /// A version 1.0 file with header dictionary `dictionary` and `payload` after it.
    func npy(_ dictionary: String, payload: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let text = Array((dictionary + "\n").utf8)
        let length = version == 1 ? littleEndian(UInt16(text.count)) : littleEndian(UInt32(text.count))
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + payload
    }

    func error(reading bytes: [UInt8]) throws -> DataError {
        let url = try writeFixture(bytes, "bad.npy", in: try makeTemporaryDirectory())
        let error = try #require(throws: DataError.self) { try NpyArray(contentsOf: url) }
        #expect(error.file == url.path)
        return error
    }

    @Test func goodFixtureReads() throws {
        let url = try writeFixture(
            npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", payload: [1, 2, 3, 4]),
            "good.npy", in: try makeTemporaryDirectory())
        #expect(try NpyArray(contentsOf: url).row(1) == [3, 4])
    }

    @Test func truncatedData() throws {
        let bytes = npy(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 784), }",
            payload: [UInt8](repeating: 0, count: 1000))
        let error = try error(reading: bytes)
        #expect(
            error.problem.contains("truncated") && error.problem.contains("1568")
                && error.problem.contains("1000"))
    }

    /// Found in review while fuzzing (issue 13): `count * 4` overflowed (a trap) for a float32 shape of
    /// 2^62 elements, and a zero first axis let the row length overflow in `rowLength`.
    @Test(arguments: ["(4611686018427387904,)", "(0, 4294967296, 4294967296)"])
    func shapeWhoseBytesOverflowIsRefused(shape: String) throws {
        let dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        let problem = try error(reading: npy(dictionary, payload: [])).problem
        #expect(problem.contains("is too large"), "\(problem)")
    }

    @Test func truncatedHeader() throws {
        let full = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", payload: [0])
        #expect(try error(reading: Array(full.prefix(30))).problem.contains("truncated .npy header"))
        #expect(try error(reading: Array(full.prefix(9))).problem.contains("bad magic"))
    }

    @Test(arguments: ["<f8", ">f4", "<i4", "|b1", "<u2"])
    func unsupportedDtype(descr: String) throws {
        let bytes = npy(
            "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }",
            payload: [UInt8](repeating: 0, count: 8))
        let problem = try error(reading: bytes).problem
        #expect(problem.contains("unsupported dtype '\(descr)'"))
    }

    @Test func structuredDtypeIsABadHeader() throws {
        let bytes = npy(
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", payload: [0, 0, 0, 0])
        #expect(try error(reading: bytes).problem.contains("bad .npy header"))
    }

    @Test func badMagic() throws {
        var bytes = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", payload: [0])
        bytes[1] = UInt8(ascii: "n")
        #expect(try error(reading: bytes).problem.contains("bad magic"))
        #expect(try error(reading: []).problem.contains("bad magic"))
    }

    @Test func unsupportedVersion() throws {
        let bytes = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", payload: [0], version: 4)
        #expect(try error(reading: bytes).problem.contains("unsupported .npy format version 4.0"))
    }

    @Test(arguments: [
        "{'descr': '|u1', 'fortran_order': False}",  // no shape
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '|u1', 'fortran_order': 0, 'shape': (1,), }",
        "{'descr': '|u1' 'fortran_order': False, 'shape': (1,), }",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}",
        "{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,), }",
        "not a dictionary",
    ])
    func badHeader(dictionary: String) throws {
        let problem = try error(reading: npy(dictionary, payload: [0])).problem
        #expect(problem.contains("bad .npy header"))
    }

    @Test func fortranOrder() throws {
        let bytes = npy("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", payload: [1, 2, 3, 4])
        #expect(try error(reading: bytes).problem.contains("Fortran-order"))
    }

    @Test func shapeTooLarge() throws {
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", payload: [0])
        #expect(try error(reading: bytes).problem.contains("too large"))
    }

    @Test func missingFile() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("absent.npy")
        let error = try #require(throws: DataError.self) { try NpyArray(contentsOf: url) }
        #expect(error.file == url.path && error.problem.contains("cannot open"))
    }
}
