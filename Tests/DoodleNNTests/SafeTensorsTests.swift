import DoodleNN
import Foundation
import TestSupport
import Testing

@Suite struct SafeTensorsTests {
    /// Tensors of every awkward kind: F32 and I64, an empty tensor, a scalar, a 4-D weight.
    static let sample = SafeTensors(
        [
            .init("0.weight", Tensor(shape: [2, 1, 2, 2], scalars: (0..<8).map { Float($0) * 0.25 - 1 })),
            .init("0.bias", Tensor(shape: [2], scalars: [0.5, -0.5])),
            .init("steps", Tensor(shape: [], scalars: [123_456]), dtype: .i64),
            .init("labels", Tensor(shape: [3], scalars: [-2, 0, 9]), dtype: .i64),
            .init("empty", Tensor(shape: [0, 4], scalars: [])),
            .init("scalar", Tensor(shape: [], scalars: [3.5])),
        ],
        metadata: ["arch": "mnist", "classes": "10", "quote \"and\" newline\n": "ünïcödé ✓"])

    @Test func roundTripKeepsTensorsDtypesAndMetadata() throws {
        let bytes = try Self.sample.serialized()
        let read = try SafeTensors(bytes: bytes)
        #expect(read.metadata == Self.sample.metadata)
        #expect(Set(read.names) == Set(Self.sample.names))
        for entry in Self.sample.entries {
            #expect(read[entry.name] == entry, "\(entry.name)")
        }
        #expect(try SafeTensors(bytes: read.serialized()).entries == read.entries)
    }

    @Test func headerIsPaddedWithSpacesToAMultipleOf8() throws {
        for count in 0..<9 {
            let file = SafeTensors([
                .init(String(repeating: "x", count: count + 1), Tensor(shape: [1], scalars: [1]))
            ])
            let bytes = try file.serialized()
            let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
            #expect(headerLength % 8 == 0)
            #expect(bytes.count == 8 + headerLength + 4)
            let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
            #expect(header.hasPrefix("{\"x"))
            #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        }
    }

    @Test func emptyFileRoundTrips() throws {
        let bytes = try SafeTensors([]).serialized()
        #expect(bytes == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        let read = try SafeTensors(bytes: bytes)
        #expect(read.entries.isEmpty && read.metadata.isEmpty)
    }

    @Test(arguments: SafeTensors.DType.allCases)
    func everyDtypeRoundTripsExactValues(_ dtype: SafeTensors.DType) throws {
        let values: [Float] = [0, 1, 7, 100, 255]
        let file = SafeTensors([.init("t", Tensor(shape: [5], scalars: values), dtype: dtype)])
        let read = try SafeTensors(bytes: file.serialized())
        #expect(read["t"]?.dtype == dtype)
        #expect(read["t"]?.tensor.scalars == values)
    }

    @Test func bfloat16RoundsToNearestEven() throws {
        // 1 + 2^-8 lies halfway between bfloat16 neighbours 1 and 1 + 2^-7; the even one is 1.
        let values: [Float] = [1 + 0x1p-8, 1 + 3 * 0x1p-8, -2.5]
        let file = SafeTensors([.init("t", Tensor(shape: [3], scalars: values), dtype: .bf16)])
        #expect(try SafeTensors(bytes: file.serialized())["t"]?.tensor.scalars == [1, 1 + 0x1p-6, -2.5])
    }

    @Test func integerDtypeRejectsValuesItCannotHold() {
        let file = SafeTensors(
            [.init("counts", Tensor(shape: [2], scalars: [1, 1.5]), dtype: .i64)], source: "out.safetensors")
        let error = #expect(throws: ModelFileError.self) { try file.serialized() }
        #expect(
            error?.description
                == "out.safetensors: tensor counts element 1 is 1.5, which I64 cannot hold exactly")
    }

    @Test func duplicateNamesAreRejectedOnWriting() {
        let t = Tensor(shape: [1], scalars: [1])
        let error = #expect(throws: ModelFileError.self) {
            try SafeTensors([.init("a", t), .init("a", t)]).serialized()
        }
        #expect(error?.problem == "two tensors are named a")
    }

    @Test func checkedAccessorReportsShapeAndDtype() throws {
        let file = SafeTensors(
            [.init("0.weight", Tensor(repeating: 1, shape: [32, 1, 3, 3]))], source: "m.safetensors")
        #expect(try file.tensor("0.weight", shape: [32, 1, 3, 3], dtype: .f32).count == 288)
        let shape = #expect(throws: ModelFileError.self) {
            try file.tensor("0.weight", shape: [64, 1, 3, 3])
        }
        #expect(
            shape?.description == "m.safetensors: 0.weight has shape [32, 1, 3, 3], expected [64, 1, 3, 3]")
        let dtype = #expect(throws: ModelFileError.self) {
            try file.tensor("0.weight", shape: [32, 1, 3, 3], dtype: .i64)
        }
        #expect(dtype?.problem == "0.weight has dtype F32, expected I64")
        let missing = #expect(throws: ModelFileError.self) { try file.tensor("3.weight", shape: [1]) }
        #expect(missing?.problem == "no tensor named 3.weight; the file has 0.weight")
    }

    @Test func checkNamesListsMissingAndUnexpected() throws {
        let t = Tensor(shape: [1], scalars: [0])
        let file = SafeTensors([.init("0.weight", t), .init("0.bias", t), .init("extra", t)])
        try file.checkNames(["0.weight", "0.bias", "extra"])
        let error = #expect(throws: ModelFileError.self) {
            try file.checkNames(["0.weight", "0.bias", "3.weight", "3.bias"])
        }
        #expect(error?.problem == "missing tensors 3.bias, 3.weight; unexpected tensors extra")
    }

    @Test func writeReplacesTheFileAndLeavesNoTemporaries() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        try Data(repeating: 0xAB, count: 10_000).write(to: url)
        try Self.sample.write(to: url)
        #expect(try Data(contentsOf: url) == Data(try Self.sample.serialized()))
        #expect(try SafeTensors(contentsOf: url).source == url.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test func failedWriteLeavesTheDestinationAlone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A directory at the destination makes the final rename fail after the data is written.
        let blocked = directory.appendingPathComponent("blocked.safetensors")
        try FileManager.default.createDirectory(
            at: blocked.appendingPathComponent("inside"), withIntermediateDirectories: true)
        let renameError = #expect(throws: ModelFileError.self) { try Self.sample.write(to: blocked) }
        #expect(renameError?.file == blocked.path)
        #expect(renameError?.problem.hasPrefix("cannot rename the temporary file into place") == true)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["blocked.safetensors"])
        // A tensor that cannot be encoded fails before the old file is touched.
        let url = directory.appendingPathComponent("old.safetensors")
        try Self.sample.write(to: url)
        let bad = SafeTensors([.init("n", Tensor(shape: [1], scalars: [0.5]), dtype: .i64)])
        #expect(throws: ModelFileError.self) { try bad.write(to: url) }
        #expect(try SafeTensors(contentsOf: url).entries.count == Self.sample.entries.count)
        // A missing directory is reported, and nothing appears.
        let nowhere = directory.appendingPathComponent("missing/model.safetensors")
        let createError = #expect(throws: ModelFileError.self) { try Self.sample.write(to: nowhere) }
        #expect(createError?.problem.hasPrefix("cannot create a temporary file there") == true)
        #expect(!FileManager.default.fileExists(atPath: nowhere.path))
    }
}
