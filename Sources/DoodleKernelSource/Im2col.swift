import DoodleKernels

/// Image-to-column and its adjoint, for convolution as one matrix product.
enum Im2col {
    /// input (N, H, W, C) -> col (N·OH·OW, KH·KW·C): row r holds the window of output pixel r,
    /// taps in (ky, kx, c) order, zeros where the window hangs over the padding.
    static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
        let inputBase = SendablePointer(input)
        let colBase = SendablePointer(col)
        parallelFor(g.batch) { n in
            let image = UnsafePointer(inputBase.base) + n * g.height * g.width * g.channels
            var row = colBase.base + n * g.outHeight * g.outWidth * g.colColumns
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    window(g, image: image, oy: oy, ox: ox, into: row)
                    row += g.colColumns
                }
            }
        }
    }

    /// The window of output pixel (oy, ox) of one image, taps in (ky, kx, c) order, zeros where it
    /// hangs over the padding: one row of the column matrix.
    @inline(__always)
    static func window(
        _ g: ConvGeometry, image: UnsafePointer<Float>, oy: Int, ox: Int,
        into row: UnsafeMutablePointer<Float>
    ) {
        let c = g.channels
        var dst = row
        let x0 = ox * g.stride - g.padLeft
        for ky in 0..<g.kernelHeight {
            let iy = oy * g.stride + ky - g.padTop
            if iy < 0 || iy >= g.height {
                dst.update(repeating: 0, count: g.kernelWidth * c)
            } else if x0 >= 0 && x0 + g.kernelWidth <= g.width {
                // The whole row of the window is inside: one contiguous copy.
                copyFloats(image + (iy * g.width + x0) * c, to: dst, count: g.kernelWidth * c)
            } else {
                for kx in 0..<g.kernelWidth {
                    let ix = x0 + kx
                    if ix < 0 || ix >= g.width {
                        (dst + kx * c).update(repeating: 0, count: c)
                    } else {
                        copyFloats(image + (iy * g.width + ix) * c, to: dst + kx * c, count: c)
                    }
                }
            }
            dst += g.kernelWidth * c
        }
    }

    /// col (N·OH·OW, KH·KW·C) -> dInput (N, H, W, C): adds every tap back onto the pixel it came from.
    /// `dInput` is overwritten.
    static func backward(_ g: ConvGeometry, col: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>) {
        let colBase = SendablePointer(col)
        let dInputBase = SendablePointer(dInput)
        parallelFor(g.batch) { n in
            let image = g.height * g.width * g.channels
            let dInput = dInputBase.base + n * image
            dInput.update(repeating: 0, count: image)
            var row = UnsafePointer(colBase.base) + n * g.outHeight * g.outWidth * g.colColumns
            let c = g.channels
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var src = row
                    for ky in 0..<g.kernelHeight {
                        let iy = oy * g.stride + ky - g.padTop
                        if iy >= 0 && iy < g.height {
                            for kx in 0..<g.kernelWidth {
                                let ix = ox * g.stride + kx - g.padLeft
                                if ix >= 0 && ix < g.width {
                                    let d = dInput + (iy * g.width + ix) * c
                                    let s = src + kx * c
                                    for ch in 0..<c { d[ch] += s[ch] }
                                }
                            }
                        }
                        src += g.kernelWidth * c
                    }
                    row += g.colColumns
                }
            }
        }
    }
}

/// Copies `count` floats, a `Vector` at a time: a window row is a few hundred bytes, for which a
/// call to `memmove` (what `update(from:count:)` makes) costs as much as the copy.
@inline(__always)
func copyFloats(_ source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    let w = Vector.scalarCount
    var i = 0
    while i + w <= count {
        UnsafeMutableRawPointer(destination + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: Vector.self), as: Vector.self)
        i += w
    }
    while i < count {
        destination[i] = source[i]
        i += 1
    }
}
