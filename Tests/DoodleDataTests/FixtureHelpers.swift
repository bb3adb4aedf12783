import Foundation

/// Runs `python3 -c script arguments...` and returns its exit status and standard output.
func runPython(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// Whether `python3` can be run, to write fixtures with Python's `struct` as Google's tools do.
let pythonAvailable: Bool = {
    let found = (try? runPython("pass"))?.status == 0
    if !found { print("Python interop tests skip: python3 is not installed") }
    return found
}()

/// Whether `python3` with numpy can be run, to check Doodle's files against numpy's own reader.
let numpyAvailable: Bool = {
    let found = (try? runPython("import numpy"))?.status == 0
    if !found { print("numpy interop tests skip: python3 with numpy is not installed") }
    return found
}()

/// Writes `bytes` to a new file `name` in `directory`.
@discardableResult
func writeFixture(_ bytes: [UInt8], _ name: String, in directory: URL) throws -> URL {
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

/// The bytes of the file at `url`.
func readFixture(_ url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}

/// The CRC-32 (IEEE) of `bytes`, as gzip's trailer holds it.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// `bytes` as a gzip member made of stored (uncompressed) deflate blocks, built without zlib so the
/// tests check Doodle's decompression against an independent encoder.
func gzipStored(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var start = 0
    repeat {
        let end = min(start + 65535, bytes.count)
        let length = UInt16(end - start)
        out.append(end == bytes.count ? 1 : 0)  // BFINAL on the last block, BTYPE 00 (stored)
        out += littleEndian(length) + littleEndian(~length)
        out += bytes[start..<end]
        start = end
    } while start < bytes.count
    return out + littleEndian(crc32(bytes)) + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
}

/// The little-endian bytes of `value`.
func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The big-endian bytes of `value`.
func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
