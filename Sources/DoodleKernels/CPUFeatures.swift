import CDoodleCPU

/// The instruction-set extensions a kernel set needs, and those this CPU and its OS offer.
public struct CPUFeatures: OptionSet, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let avx2 = CPUFeatures(rawValue: 1 << 0)
    public static let fma = CPUFeatures(rawValue: 1 << 1)
    public static let bmi1 = CPUFeatures(rawValue: 1 << 2)
    public static let bmi2 = CPUFeatures(rawValue: 1 << 3)
    public static let lzcnt = CPUFeatures(rawValue: 1 << 4)
    public static let movbe = CPUFeatures(rawValue: 1 << 5)
    public static let f16c = CPUFeatures(rawValue: 1 << 6)
    /// The OS saves the ymm registers (XCR0 bits 1 and 2).
    public static let osYMM = CPUFeatures(rawValue: 1 << 7)
    public static let avx512f = CPUFeatures(rawValue: 1 << 8)
    public static let avx512bw = CPUFeatures(rawValue: 1 << 9)
    public static let avx512cd = CPUFeatures(rawValue: 1 << 10)
    public static let avx512dq = CPUFeatures(rawValue: 1 << 11)
    public static let avx512vl = CPUFeatures(rawValue: 1 << 12)
    /// The OS saves the zmm and mask registers (XCR0 bits 5 to 7).
    public static let osZMM = CPUFeatures(rawValue: 1 << 13)

    /// What `-target-cpu haswell` may emit (x86-64-v3): AVX2, FMA, BMI, LZCNT, MOVBE, F16C.
    public static let x86_64_v3: CPUFeatures = [.avx2, .fma, .bmi1, .bmi2, .lzcnt, .movbe, .f16c, .osYMM]
    /// What `-target-cpu skylake-avx512` may emit (x86-64-v4): v3 and AVX-512 F, BW, CD, DQ, VL.
    public static let x86_64_v4: CPUFeatures = x86_64_v3.union([
        .avx512f, .avx512bw, .avx512cd, .avx512dq, .avx512vl, .osZMM,
    ])

    static let names: [(CPUFeatures, String)] = [
        (.avx2, "avx2"), (.fma, "fma"), (.bmi1, "bmi1"), (.bmi2, "bmi2"), (.lzcnt, "lzcnt"),
        (.movbe, "movbe"), (.f16c, "f16c"), (.osYMM, "os-ymm"), (.avx512f, "avx512f"),
        (.avx512bw, "avx512bw"), (.avx512cd, "avx512cd"), (.avx512dq, "avx512dq"),
        (.avx512vl, "avx512vl"), (.osZMM, "os-zmm"),
    ]

    public var description: String {
        Self.names.filter { contains($0.0) }.map(\.1).joined(separator: " ")
    }

    /// What this machine's CPU reports through `cpuid`, less the register state its OS does not save;
    /// empty on a CPU that is not x86_64.
    public static let host: CPUFeatures = {
        func cpuid(_ leaf: UInt32, _ subleaf: UInt32 = 0) -> (
            eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32
        ) {
            var r: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &r) {
                doodle_cpuid(leaf, subleaf, $0.baseAddress!.assumingMemoryBound(to: UInt32.self))
            }
            return r
        }
        func bit(_ register: UInt32, _ index: UInt32) -> Bool { register & (1 << index) != 0 }
        let leaf1 = cpuid(1), leaf7 = cpuid(7), extended = cpuid(0x8000_0001)
        let xcr0 = doodle_xcr0()
        var features: CPUFeatures = []
        let checks: [(Bool, CPUFeatures)] = [
            (bit(leaf7.ebx, 5), .avx2), (bit(leaf1.ecx, 12), .fma), (bit(leaf7.ebx, 3), .bmi1),
            (bit(leaf7.ebx, 8), .bmi2), (bit(extended.ecx, 5), .lzcnt), (bit(leaf1.ecx, 22), .movbe),
            (bit(leaf1.ecx, 29), .f16c), (xcr0 & 0b110 == 0b110, .osYMM),
            (bit(leaf7.ebx, 16), .avx512f), (bit(leaf7.ebx, 30), .avx512bw), (bit(leaf7.ebx, 28), .avx512cd),
            (bit(leaf7.ebx, 17), .avx512dq), (bit(leaf7.ebx, 31), .avx512vl),
            (xcr0 & 0b1110_0110 == 0b1110_0110, .osZMM),
        ]
        for (present, feature) in checks where present { features.insert(feature) }
        return features
    }()
}
