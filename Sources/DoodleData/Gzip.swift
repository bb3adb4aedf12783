import CZlib

/// gzip and zlib decompression, for MNIST's `.gz` files and PNG image data.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    static func isCompressed(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of the gzip data `bytes`, which may hold several members
    /// (concatenated `.gz` files), as `gunzip` reads them.
    ///
    /// - Parameter limit: the most bytes the caller can use; more is an error (a decompression bomb).
    /// - Throws: `DataError` naming `file` when the data is corrupt, truncated, followed by
    ///   something other than another gzip member, or larger than `limit`.
    static func decompress(_ bytes: UnsafeRawBufferPointer, file: String, limit: Int = .max) throws -> [UInt8]
    {
        var stream = z_stream()
        // windowBits 15 + 32: the largest window, and detect the gzip (or zlib) header automatically.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw DataError(file, "cannot start zlib") }
        defer { inflateEnd(&stream) }

        var output: [UInt8] = []
        // The last four bytes hold the size of the (last) member modulo 2^32: a good first guess, but
        // only a claim, so capped at what deflate can expand the input to (at most 1032:1); a 35-byte
        // file claiming 4 GB reserved 4 GB (found by the idx fuzz harness, issue 13).
        if bytes.count >= 18 && isCompressed(bytes) {
            let size = Int(
                UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 4, as: UInt32.self)))
            output.reserveCapacity(min(size, limit, 1032 * bytes.count))
        }
        let chunkSize = 1 << 18
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var fed = 0  // input bytes handed to zlib so far
        let base = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))

        while true {
            if stream.avail_in == 0 && fed < bytes.count {
                let size = min(bytes.count - fed, Int(UInt32.max))
                stream.next_in = base! + fed
                stream.avail_in = uInt(size)
                fed += size
            }
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { out in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(chunkSize)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, chunkSize - Int(stream.avail_out))
            }
            output.append(contentsOf: chunk[0..<produced])
            if output.count > limit {
                throw DataError(file, "compressed data expands beyond the expected \(limit) bytes")
            }
            let unread = Int(stream.avail_in) + (bytes.count - fed)
            switch status {
            case Z_STREAM_END:
                guard unread > 0 else { return output }
                let next = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - unread)...])
                guard isCompressed(next) else {
                    throw DataError(file, "\(unread) bytes of garbage after the gzip data")
                }
                inflateReset(&stream)
            case Z_OK, Z_BUF_ERROR:
                // Out of input with output space to spare: zlib wants more than the file holds.
                if unread == 0 && produced < chunkSize {
                    throw DataError(file, "truncated gzip data after \(output.count) decompressed bytes")
                }
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DataError(file, "corrupt gzip data: \(reason)")
            }
        }
    }
}
