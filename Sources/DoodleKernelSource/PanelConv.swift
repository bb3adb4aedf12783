import DoodleKernels

/// Convolution as a matrix product whose A is gathered from the image six rows at a time.
///
/// im2col writes the whole column matrix (58 MB for `small`'s second layer at batch 256, nine
/// copies of every pixel) and the product reads it back from memory. Here each thread gathers the
/// windows of just the six output pixels of one micro-kernel panel into a buffer that stays in L1,
/// and runs every `nr`-column panel of the prepacked weight over it before gathering the next six.
/// Nothing goes to memory but the image, read, and the output, written once. Inference only: the
/// backward pass needs the whole column matrix, so training keeps im2col.
enum PanelConv {
    /// Rows of the product one step computes: two micro-kernel panels, so that each 16-column panel
    /// of the weight, read from L2, serves both from L1.
    static let stepRows = 2 * GEMM.mr

    /// Whether a step's rows of `g`'s column matrix and, for pooling, a tile of their products fit
    /// in one scratch buffer.
    static func suits(_ g: ConvGeometry, outChannels k: Int) -> Bool {
        stepRows * (g.colColumns + k) <= GEMM.scratchCount
    }

    /// input (N, H, W, C) · weight ((KH·KW·C) × K, packed by `GEMM.pack`) + bias -> output
    /// (N, OH, OW, K), then ReLU when `relu`.
    ///
    /// When `pooled`, the output is max-pooled 2×2 with stride 2 on the way, to (N, OH/2, OW/2, K):
    /// the rows of the product are taken window by window (the four pixels of each 2×2 window in a
    /// row), three windows are computed into a tile in cache and pooled from there. Pixels no window
    /// covers (a trailing odd row or column) are never computed.
    static func forward(_ conv: Convolution) {
        let g = conv.geometry
        let (n, k, relu, pooled) = (conv.outChannels, g.colColumns, conv.relu, conv.pooled)
        precondition(
            suits(g, outChannels: n) && (!pooled || g.outHeight >= 2 && g.outWidth >= 2),
            "PanelConv: weight \(k)×\(n) for \(g)")
        let pixels = pooled ? (g.outHeight / 2) * (g.outWidth / 2) : g.outHeight * g.outWidth
        let outputs = g.batch * pixels
        // A group is what one step computes: twelve pixels, or three pooled windows of four.
        let group = pooled ? stepRows / 4 : stepRows
        let groups = (outputs + group - 1) / group
        let threads = GEMM.threadCount(m: outputs * (pooled ? 4 : 1), n: n, k: k)
        // Several tasks per thread, so a thread that got its core late is covered by the others; no
        // task repacks anything, so small tasks cost only their dispatch.
        let tasks = threads <= 1 ? 1 : min(groups, 8 * threads)
        let (x, w, b) = (
            SendablePointer(conv.input), SendablePointer(conv.weight), SendablePointer(conv.bias)
        )
        let y = SendablePointer(conv.output)
        parallelFor(tasks) { task in
            let (x, w, b) = (UnsafePointer(x.base), UnsafePointer(w.base), UnsafePointer(b.base))
            let first = groups * task / tasks * group
            let last = min(outputs, groups * (task + 1) / tasks * group)
            GEMM.withScratch { buffer in
                let panels = buffer
                let tile = buffer + stepRows * k
                var start = first
                while start < last {
                    let count = min(group, last - start)
                    if !pooled {
                        gather(g, x, rows: start..<(start + count), pooled: false, into: panels)
                        GEMM.multiplyPanels(
                            panels, rows: count, depth: k, width: n, columns: 0..<n, w, bias: b, relu: relu,
                            into: y.base + start * n)
                    } else {
                        gather(
                            g, x, rows: (4 * start)..<(4 * (start + count)), pooled: true, into: panels)
                        GEMM.multiplyPanels(
                            panels, rows: 4 * count, depth: k, width: n, columns: 0..<n, w, bias: b,
                            relu: relu, into: tile)
                        for window in 0..<count {
                            // The window's four pixels are consecutive rows: as two rows of two.
                            maxPoolRow2x2(
                                tile + 4 * window * n, rowStride: 2 * n, width: 1, channels: n,
                                into: y.base + (start + window) * n)
                        }
                    }
                    start += count
                }
            }
        }
    }

    /// Writes rows `rows` of the column matrix, (KH·KW·C) floats each, to `buffer`, then zero rows
    /// to the end of the last six-row panel, so the micro-kernel reads only numbers. When `pooled`,
    /// row 4w + 2dy + dx is pixel (dy, dx) of 2×2 window w, windows in (image, y, x) order.
    private static func gather(
        _ g: ConvGeometry, _ input: UnsafePointer<Float>, rows: Range<Int>, pooled: Bool,
        into buffer: UnsafeMutablePointer<Float>
    ) {
        let imageSize = g.height * g.width * g.channels
        var dst = buffer
        for row in rows {
            let image: Int, oy: Int, ox: Int
            if pooled {
                let (pw, ph) = (g.outWidth / 2, g.outHeight / 2)
                let (window, corner) = row.quotientAndRemainder(dividingBy: 4)
                let (n, pixel) = window.quotientAndRemainder(dividingBy: ph * pw)
                let (py, px) = pixel.quotientAndRemainder(dividingBy: pw)
                (image, oy, ox) = (n, 2 * py + corner / 2, 2 * px + corner % 2)
            } else {
                let (n, pixel) = row.quotientAndRemainder(dividingBy: g.outHeight * g.outWidth)
                (image, oy, ox) = (n, pixel / g.outWidth, pixel % g.outWidth)
            }
            Im2col.window(g, image: input + image * imageSize, oy: oy, ox: ox, into: dst)
            dst += g.colColumns
        }
        let padding = (GEMM.mr - rows.count % GEMM.mr) % GEMM.mr
        if padding > 0 { dst.update(repeating: 0, count: padding * g.colColumns) }
    }
}
