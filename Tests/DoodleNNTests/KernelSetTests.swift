import DoodleNN
import Foundation
import TestSupport
import Testing

/// The choice of a kernel set (what the CPU reports, `DOODLE_ISA`), and the kernels of every set
/// this machine runs that the GEMM and convolution tests do not reach on their own.
@Suite struct KernelSetTests {
    @Test func theMachineRunsTheBaselineAndEverySetIsNamedOnce() {
        let names = KernelSet.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(KernelSet.runnable.last?.name == "baseline")
        #expect(KernelSet.runnable.contains { $0.name == KernelSet.current.name })
        for set in KernelSet.all where !set.runsHere {
            print(
                "skipped: this CPU cannot run the \(set.name) kernels (it lacks \(set.requirements.subtracting(.host)))"
            )
        }
    }

    /// `cpuid` agrees with the flags Linux prints for the CPU, which also clears those the kernel
    /// does not save the registers of.
    @Test func cpuidAgreesWithProcCPUInfo() throws {
        #if arch(x86_64) && os(Linux)
            let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let line = try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") })
            let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
            let pairs: [(CPUFeatures, String)] = [
                (.avx2, "avx2"), (.fma, "fma"), (.bmi1, "bmi1"), (.bmi2, "bmi2"), (.lzcnt, "abm"),
                (.movbe, "movbe"), (.f16c, "f16c"), (.avx512f, "avx512f"), (.avx512bw, "avx512bw"),
                (.avx512cd, "avx512cd"), (.avx512dq, "avx512dq"), (.avx512vl, "avx512vl"),
            ]
            for (feature, flag) in pairs {
                #expect(CPUFeatures.host.contains(feature) == flags.contains(flag), "\(flag)")
            }
        #else
            print("skipped: not x86_64 Linux, no /proc/cpuinfo flags to compare cpuid with")
        #endif
    }

    @Test func doodleISANamesASetOrSaysWhatIsWrong() throws {
        #expect(try KernelSet.choose(nil).name == KernelSet.runnable[0].name)
        #expect(try KernelSet.choose("").name == KernelSet.runnable[0].name)
        #expect(try KernelSet.choose("baseline").name == "baseline")
        #expect(throws: KernelSetError.self) { try KernelSet.choose("sse9") }
        for set in KernelSet.all {
            if set.runsHere {
                #expect(try KernelSet.choose(set.name).name == set.name)
            } else {
                let error = #expect(throws: KernelSetError.self) { try KernelSet.choose(set.name) }
                #expect(error?.description.contains("cannot run") == true)
            }
        }
    }

    /// The batch-1 row kernel at widths around each set's vector and tile widths, both layouts of B.
    @Test(arguments: KernelSet.runnable)
    func aRowTimesAMatrixMatchesTheReference(kernels: KernelSet) {
        for n in [1, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100] {
            for k in [1, 7, 16, 33] {
                for transposeB in [false, true] {
                    let a = GEMMTests.values(k, seed: UInt64(k))
                    let b = GEMMTests.values(k * n, seed: UInt64(n * 17 + k))
                    let (brs, bcs) = transposeB ? (1, k) : (n, 1)
                    var fast = [Float](repeating: 0, count: n), expected = fast
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            GEMM.multiply(
                                m: 1, n: n, k: k, a: a.baseAddress!, aRowStride: k, aColStride: 1,
                                b: b.baseAddress!, bRowStride: brs, bColStride: bcs, c: &fast, ldc: n,
                                relu: true, kernels: kernels)
                            GEMM.reference(
                                m: 1, n: n, k: k, a: a.baseAddress!, aRowStride: k, aColStride: 1,
                                b: b.baseAddress!, bRowStride: brs, bColStride: bcs, c: &expected, ldc: n,
                                relu: true)
                        }
                    }
                    let problem = mismatch(fast, expected, rtol: 1e-4, atol: 1e-4)
                    #expect(problem == nil, "\(kernels.name) 1×\(n)×\(k) \(transposeB ? "NT" : "NN")")
                }
            }
        }
    }

    /// col2im, im2col's adjoint, against a plain loop: every tap adds back onto its pixel.
    @Test(arguments: KernelSet.runnable, InferenceConvTests.cases)
    func col2imMatchesAPlainLoop(kernels: KernelSet, _ c: InferenceConvTests.Case) {
        let (conv, input) = InferenceConvTests.convolution(c, kernels: kernels)
        let g = conv.geometry(for: input.shape)
        let col = GEMMTests.values(g.colRows * g.colColumns, seed: 5)
        var actual = [Float](repeating: .nan, count: g.batch * g.height * g.width * g.channels)
        var expected = [Float](repeating: 0, count: actual.count)
        col.withUnsafeBufferPointer { kernels.col2im(g, $0.baseAddress!, &actual) }
        for row in 0..<g.colRows {
            let (n, pixel) = row.quotientAndRemainder(dividingBy: g.outHeight * g.outWidth)
            let (oy, ox) = pixel.quotientAndRemainder(dividingBy: g.outWidth)
            for ky in 0..<g.kernelHeight {
                for kx in 0..<g.kernelWidth {
                    let (iy, ix) = (oy * g.stride + ky - g.padTop, ox * g.stride + kx - g.padLeft)
                    guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                    for ch in 0..<g.channels {
                        expected[((n * g.height + iy) * g.width + ix) * g.channels + ch] +=
                            col[row * g.colColumns + (ky * g.kernelWidth + kx) * g.channels + ch]
                    }
                }
            }
        }
        let problem = mismatch(actual, expected, rtol: 1e-5, atol: 1e-5)
        #expect(problem == nil, "\(kernels.name) \(c): \(problem ?? "")")
    }

    /// Each set's 2×2 max pool row, at channel counts around its vector width.
    @Test(arguments: KernelSet.runnable)
    func aMaxPoolRowMatchesAPlainLoop(kernels: KernelSet) {
        for channels in [1, 3, 4, 8, 15, 16, 17, 40] {
            let width = 3
            let rows = GEMMTests.values(2 * 2 * width * channels + 1, seed: UInt64(channels))
            var actual = [Float](repeating: .nan, count: width * channels)
            rows.withUnsafeBufferPointer {
                kernels.maxPool2x2($0.baseAddress!, 2 * width * channels + 1, width, channels, &actual)
            }
            let expected = (0..<(width * channels)).map { index in
                let (px, ch) = index.quotientAndRemainder(dividingBy: channels)
                let top = 2 * px * channels + ch, bottom = top + 2 * width * channels + 1
                return max(max(rows[top], rows[top + channels]), max(rows[bottom], rows[bottom + channels]))
            }
            #expect(actual == expected, "\(kernels.name), \(channels) channels")
        }
    }
}

extension KernelSetTests {
    /// The engine's table of each set states the width its module was compiled with.
    @Test(arguments: KernelSet.runnable)
    func eachTableDescribesItsModule(kernels: KernelSet) {
        #expect(kernels.moduleVectorWidth() == kernels.vectorWidth)
        #expect(kernels.tileColumns == 2 * kernels.vectorWidth)
    }
}

extension KernelSetTests {
    /// A convolution's input gradient, which a stride-1 convolution computes as a convolution with
    /// its weight flipped (by the set's panel kernel) and a strided one through col2im, against the
    /// definition: every output pixel's gradient back onto each input pixel its window read.
    @Test(arguments: KernelSet.runnable, InferenceConvTests.cases)
    func aConvolutionsInputGradientMatchesAPlainLoop(kernels: KernelSet, _ c: InferenceConvTests.Case) {
        let (conv, input) = InferenceConvTests.convolution(c, kernels: kernels)
        let g = conv.geometry(for: input.shape)
        _ = conv.forward(input, training: true)
        let dOutput = Tensor(
            shape: [g.batch, g.outHeight, g.outWidth, c.filters],
            scalars: GEMMTests.values(g.colRows * c.filters, seed: 17))
        let actual = conv.backward(dOutput).scalars
        var expected = [Float](repeating: 0, count: input.count)
        let w = conv.weight.value.scalars
        for n in 0..<g.batch {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let dy = ((n * g.outHeight + oy) * g.outWidth + ox) * c.filters
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let (iy, ix) = (oy * g.stride + ky - g.padTop, ox * g.stride + kx - g.padLeft)
                            guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
                            for ch in 0..<g.channels {
                                let tap = ((ky * g.kernelWidth + kx) * g.channels + ch) * c.filters
                                var sum: Float = 0
                                for k in 0..<c.filters { sum += dOutput.scalars[dy + k] * w[tap + k] }
                                expected[((n * g.height + iy) * g.width + ix) * g.channels + ch] += sum
                            }
                        }
                    }
                }
            }
        }
        let problem = mismatch(actual, expected, rtol: 1e-4, atol: 1e-4)
        #expect(problem == nil, "\(kernels.name) \(c): \(problem ?? "")")
    }
}
