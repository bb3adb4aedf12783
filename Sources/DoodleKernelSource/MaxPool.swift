/// out (width, C) = the maximum over each 2×2 block of `rows` (2 rows of `rowStride` floats, pixels
/// of C floats): one row of a 2×2, stride-2 max pool. A trailing odd pixel is dropped.
@inline(never)
func maxPoolRow2x2(
    _ rows: UnsafePointer<Float>, rowStride: Int, width: Int, channels c: Int,
    into out: UnsafeMutablePointer<Float>
) {
    typealias V = Vector
    let w = V.scalarCount
    for px in 0..<width {
        let a = rows + 2 * px * c
        let b = a + rowStride
        let o = out + px * c
        var ch = 0
        while ch + w <= c {
            let m0 = larger(load(a + ch), load(a + c + ch))
            let m1 = larger(load(b + ch), load(b + c + ch))
            UnsafeMutableRawPointer(o + ch).storeBytes(of: larger(m0, m1), as: V.self)
            ch += w
        }
        while ch < c {
            o[ch] = max(max(a[ch], a[c + ch]), max(b[ch], b[c + ch]))
            ch += 1
        }
    }

    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }
    // The standard library's `pointwiseMax` is a generic call per vector here; this is one vmaxps.
    @inline(__always) func larger(_ x: V, _ y: V) -> V {
        var m = x
        m.replace(with: y, where: y .> x)
        return m
    }
}
