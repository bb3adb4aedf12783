import DoodleNN
import TestSupport
import Testing

/// Batch norm's kernels in every set this machine runs, against plain loops in `Double`, at channel
/// counts around each set's vector width and row counts across several blocks.
@Suite struct BatchNormKernelTests {
    static let channelCounts = [1, 3, 4, 8, 15, 16, 17, 40, 128]
    static let rowCounts = [2, 63, 700, 5_000]

    /// Activations (rows, C) with mean 3 and spread 1 per channel: a mean large beside the spread
    /// is where a sum of squares loses precision.
    static func activations(_ rows: Int, _ c: Int, seed: UInt64) -> [Float] {
        GEMMTests.values(rows * c, seed: seed).map { 3 + 1.7 * $0 }
    }

    @Test(arguments: KernelSet.runnable)
    func sumsMatchPlainLoops(kernels: KernelSet) {
        for c in Self.channelCounts {
            for rows in Self.rowCounts {
                let x = Self.activations(rows, c, seed: UInt64(c * 31 + rows))
                let y = GEMMTests.values(rows * c, seed: UInt64(rows))
                let (gamma, beta) = (GEMMTests.values(c, seed: 9), GEMMTests.values(c, seed: 10))
                let gate = gamma + beta
                for (withY, gated) in [(false, false), (true, false), (true, true)] {
                    var out = [Double](repeating: .nan, count: 2 * c)
                    x.withUnsafeBufferPointer { x in
                        y.withUnsafeBufferPointer { y in
                            gate.withUnsafeBufferPointer { gate in
                                out.withUnsafeMutableBufferPointer { out in
                                    kernels.channelSums(
                                        ChannelSums(
                                            rows: rows, channels: c, x: x.baseAddress!,
                                            y: withY ? y.baseAddress! : nil,
                                            gate: gated ? gate.baseAddress! : nil,
                                            sums: out.baseAddress!))
                                }
                            }
                        }
                    }
                    let (sums, products) = (Array(out[..<c]), Array(out[c...]))
                    var expectedSums = [Double](repeating: 0, count: c), expectedProducts = expectedSums
                    for r in 0..<rows {
                        for ch in 0..<c {
                            let other = withY ? y[r * c + ch] : x[r * c + ch]
                            let open = !gated || other * gamma[ch] + beta[ch] > 0
                            let g = open ? Double(x[r * c + ch]) : 0
                            expectedSums[ch] += g
                            expectedProducts[ch] += g * Double(other)
                        }
                    }
                    let what = "\(kernels.name) \(rows)×\(c) y \(withY) gated \(gated)"
                    // Float sums of 64 rows, then Double: relative error about 64 ulps at most.
                    for ch in 0..<c {
                        let scale = Double(rows) * 10
                        #expect(abs(sums[ch] - expectedSums[ch]) <= 1e-5 * scale, "\(what) Σ ch \(ch)")
                        #expect(
                            abs(products[ch] - expectedProducts[ch]) <= 1e-5 * scale, "\(what) Σ· ch \(ch)")
                    }
                }
            }
        }
    }

    @Test(arguments: KernelSet.runnable)
    func forwardAndBackwardPassesMatchPlainLoops(kernels: KernelSet) {
        for c in Self.channelCounts {
            for rows in [2, 63, 700] {
                let x = Self.activations(rows, c, seed: UInt64(c + rows))
                let xhat = GEMMTests.values(rows * c, seed: UInt64(c * rows))
                let dy = GEMMTests.values(rows * c, seed: UInt64(c * rows + 1))
                let mean = GEMMTests.values(c, seed: 1).map { 3 + $0 }
                let inverseStd = GEMMTests.values(c, seed: 2).map { 1.5 + $0 }
                let (gamma, beta) = (GEMMTests.values(c, seed: 3), GEMMTests.values(c, seed: 4))
                let (meanG, meanGXhat) = (GEMMTests.values(c, seed: 5), GEMMTests.values(c, seed: 6))
                let scale = GEMMTests.values(c, seed: 7)
                for relu in [false, true] {
                    let what = "\(kernels.name) \(rows)×\(c) relu \(relu)"
                    var normalized = [Float](repeating: .nan, count: rows * c), output = normalized
                    var dInput = normalized
                    let forward = mean + inverseStd + gamma + beta
                    let backward = scale + meanG + meanGXhat + gamma + beta
                    x.withUnsafeBufferPointer { x in
                        forward.withUnsafeBufferPointer { parameters in
                            normalized.withUnsafeMutableBufferPointer { normalized in
                                output.withUnsafeMutableBufferPointer { output in
                                    kernels.batchNormForward(
                                        BatchNormForward(
                                            rows: rows, channels: c, input: x.baseAddress!,
                                            parameters: parameters.baseAddress!, relu: relu,
                                            normalized: normalized.baseAddress!, output: output.baseAddress!))
                                }
                            }
                        }
                    }
                    dy.withUnsafeBufferPointer { dy in
                        xhat.withUnsafeBufferPointer { xhat in
                            backward.withUnsafeBufferPointer { parameters in
                                dInput.withUnsafeMutableBufferPointer { dInput in
                                    kernels.batchNormBackward(
                                        BatchNormBackward(
                                            rows: rows, channels: c, dOutput: dy.baseAddress!,
                                            normalized: xhat.baseAddress!,
                                            parameters: parameters.baseAddress!,
                                            relu: relu, dInput: dInput.baseAddress!))
                                }
                            }
                        }
                    }
                    var expectedNormalized = normalized, expectedOutput = output, expectedDInput = dInput
                    for r in 0..<rows {
                        for ch in 0..<c {
                            let i = r * c + ch
                            let h = (x[i] - mean[ch]) * inverseStd[ch]
                            let y = h * gamma[ch] + beta[ch]
                            expectedNormalized[i] = h
                            expectedOutput[i] = relu ? max(y, 0) : y
                            let open = !relu || xhat[i] * gamma[ch] + beta[ch] > 0
                            let g = open ? dy[i] : 0
                            expectedDInput[i] = scale[ch] * (g - meanG[ch] - xhat[i] * meanGXhat[ch])
                        }
                    }
                    #expect(mismatch(normalized, expectedNormalized) == nil, "\(what) x̂")
                    #expect(mismatch(output, expectedOutput, rtol: 1e-5, atol: 1e-5) == nil, "\(what) y")
                    #expect(mismatch(dInput, expectedDInput, rtol: 1e-5, atol: 1e-5) == nil, "\(what) dx")
                }
            }
        }
    }
}
