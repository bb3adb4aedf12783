import DoodleData
import Foundation
import TestSupport
import Testing

@Suite struct NpyTests {
    @Test func writerRoundTripsThroughReader() throws {
        let directory = try makeTemporaryDirectory()
        let url = directory.appendingPathComponent("bitmaps.npy")
        let bytes = (0..<(3 * 784)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try NpyWriter.write(bytes, shape: [3, 784], to: url)

        let array = try NpyArray(contentsOf: url)
        #expect(array.shape == [3, 784])
        #expect(array.dtype == .uint8)
        #expect(array.rowCount == 3 && array.rowLength == 784 && array.count == 3 * 784)
        #expect(array.row(1) == Array(bytes[784..<1568]))
        #expect(array.bytes() == bytes)
        array.withUnsafeBytes(ofRows: 1..<3) { #expect(Array($0) == Array(bytes[784...])) }
        // Only the finished file remains: the temporary file was renamed, not copied.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["bitmaps.npy"])
    }

    @Test func headerIsPaddedTo64Bytes() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("a.npy")
        try NpyWriter.write([1, 2, 3, 4, 5, 6], shape: [2, 3], to: url)
        let file = try readFixture(url)
        #expect(file.count == 128 + 6)
        #expect(Array(file[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect(file[127] == 0x0A)
    }

    @Test func streamingWriterPatchesTheRowCount() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("rows.npy")
        let writer = try NpyWriter(url: url, rowShape: [2, 2])
        for k in 0..<1000 { try writer.append(row: [UInt8(k % 256), 1, 2, 3]) }
        #expect(!FileManager.default.fileExists(atPath: url.path), "the file appears only on finish")
        try writer.finish()
        let array = try NpyArray(contentsOf: url)
        #expect(array.shape == [1000, 2, 2])
        #expect(array.row(999) == [UInt8(999 % 256), 1, 2, 3])
    }

    @Test func droppedWriterLeavesNoFile() throws {
        let directory = try makeTemporaryDirectory()
        do {
            let writer = try NpyWriter(url: directory.appendingPathComponent("x.npy"), rowShape: [4])
            try writer.append(row: [1, 2, 3, 4])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func float32RoundTrips() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("f.npy")
        let writer = try NpyWriter(url: url, rowShape: [3], dtype: .float32)
        try writer.append(floatRow: [1.5, -2, .pi])
        try writer.append(floatRow: [0, 1e-30, 65504])
        try writer.finish()
        let array = try NpyArray(contentsOf: url)
        #expect(array.dtype == .float32 && array.shape == [2, 3])
        #expect(array.floatRow(0) == [1.5, -2, .pi])
        #expect(array.floats() == [1.5, -2, .pi, 0, 1e-30, 65504])
    }

    @Test(.enabled(if: numpyAvailable, "needs python3 with numpy"))
    func numpyReadsOurFileAndWritesTheSameBytes() throws {
        let directory = try makeTemporaryDirectory()
        let ours = directory.appendingPathComponent("ours.npy")
        let theirs = directory.appendingPathComponent("theirs.npy")
        let bytes = (0..<(5 * 784)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try NpyWriter.write(bytes, shape: [5, 784], to: ours)
        let script = """
            import sys, numpy as np
            a = np.load(sys.argv[1])
            assert a.dtype == np.uint8 and a.shape == (5, 784), (a.dtype, a.shape)
            np.save(sys.argv[2], a)
            print(int(a.astype(np.int64).sum()))
            """
        let result = try runPython(script, [ours.path, theirs.path])
        #expect(result.status == 0)
        #expect(
            result.output.trimmingCharacters(in: .whitespacesAndNewlines)
                == String(bytes.map(Int.init).reduce(0, +)))
        #expect(try readFixture(ours) == readFixture(theirs), "numpy.save writes the same bytes")
    }

    @Test(.enabled(if: numpyAvailable, "needs python3 with numpy"), arguments: [1, 2, 3])
    func readsNumpyFormatVersions(major: Int) throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("v\(major).npy")
        let script = """
            import sys, numpy as np
            from numpy.lib import format
            a = (np.arange(2 * 3 * 4) * 1.25 - 3).astype('<f4').reshape(2, 3, 4)
            with open(sys.argv[1], 'wb') as f:
                format.write_array(f, a, version=(int(sys.argv[2]), 0))
            """
        #expect(try runPython(script, [url.path, String(major)]).status == 0)
        let array = try NpyArray(contentsOf: url)
        #expect(array.shape == [2, 3, 4])
        #expect(array.rowLength == 12)
        #expect(array.floats() == (0..<24).map { Float($0) * 1.25 - 3 })
        #expect(try readFixture(url)[6] == UInt8(major))
    }

    @Test(.enabled(if: numpyAvailable, "needs python3 with numpy"))
    func readsOneAndZeroDimensionalArrays() throws {
        let directory = try makeTemporaryDirectory()
        let script = """
            import sys, numpy as np
            np.save(sys.argv[1] + '/one.npy', np.array([7, 8, 9], dtype=np.uint8))
            np.save(sys.argv[1] + '/zero.npy', np.array(42, dtype=np.uint8))
            """
        #expect(try runPython(script, [directory.path]).status == 0)
        let one = try NpyArray(contentsOf: directory.appendingPathComponent("one.npy"))
        #expect(one.shape == [3] && one.rowCount == 3 && one.rowLength == 1 && one.row(2) == [9])
        let zero = try NpyArray(contentsOf: directory.appendingPathComponent("zero.npy"))
        #expect(zero.shape == [] && zero.count == 1 && zero.bytes() == [42])
    }
}
