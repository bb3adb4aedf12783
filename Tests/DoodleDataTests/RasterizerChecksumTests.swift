import DoodleData
import Testing

/// Pins every byte the rasterizer produces for the Google drawings and the pycairo fixtures, so a
/// speed-up that changes any output byte, even one matching neither reference better, fails here.
@Suite struct RasterizerChecksumTests {
    /// FNV-1a (64-bit) of the 300 Google drawings' bitmaps, then every fixture's, in file order.
    /// First computed before the rasterizer was optimised (commit 1311e63); recomputed when the scan
    /// converter's full-row check was brought in line with cairo's and the fixtures grew (64 and 128
    /// pixels, sharp turns), with every bitmap then matching pycairo's.
    static let pinnedChecksum: UInt64 = 0x3d17_bdef_1d94_84c9

    @Test func rendersAreUnchangedByteForByte() throws {
        guard let pairs = try GoogleBitmaps.load() else { return }
        try #require(RasterFixture.all.count >= 20)
        var hash = FNV1a()
        let rasterizer = Rasterizer()
        for pair in pairs { hash.add(try rasterizer.render(pair.drawing)) }
        for fixture in RasterFixture.all {
            let strokes = fixture.strokes.map { Stroke(x: $0[0], y: $0[1]) }
            hash.add(try Rasterizer(side: fixture.side).render(strokes: strokes))
        }
        print("rasterizer checksum: 0x\(String(hash.value, radix: 16))")
        #expect(hash.value == Self.pinnedChecksum)
    }

    /// A reused `RasterizerSession` draws the same bytes, whatever it drew before.
    @Test func sessionRendersAreUnchangedByteForByte() throws {
        guard let pairs = try GoogleBitmaps.load() else { return }
        try #require(RasterFixture.all.count >= 20)
        var hash = FNV1a()
        var session = RasterizerSession()
        var bitmap: [UInt8] = []
        for pair in pairs {
            try session.render(pair.drawing, into: &bitmap)
            hash.add(bitmap)
        }
        var sessions: [Int: RasterizerSession] = [:]
        for fixture in RasterFixture.all {
            let strokes = fixture.strokes.map { Stroke(x: $0[0], y: $0[1]) }
            var session = sessions[fixture.side] ?? RasterizerSession(Rasterizer(side: fixture.side))
            try session.render(strokes: strokes, into: &bitmap)
            hash.add(bitmap)
            sessions[fixture.side] = session
        }
        #expect(hash.value == Self.pinnedChecksum)
    }
}

/// The 64-bit FNV-1a hash of a byte sequence, fed in pieces.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }
}
