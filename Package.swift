// swift-tools-version: 6.1
import PackageDescription

/// Only the engine (tensors, layers, optimizers, kernels) drops overflow and bounds checks, where it is
/// measured to matter; everything that parses outside input (files, requests, model files, specs) keeps
/// them. No CPU flag here: the engine runs on any x86_64 or arm64 CPU.
let engineSettings: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]

/// The kernel sets: one module per instruction set, each the same source (Sources/DoodleKernelSource,
/// a symbolic link in each module's folder) compiled with its own vector type (its Config.swift) and
/// `-target-cpu`, so that its hot loops, and only its, use that instruction set. The engine picks one
/// at start-up from what the CPU reports (KernelSet.current). The AVX sets exist on x86_64 only: the
/// manifest is compiled for the machine that builds, so a native arm64 build has just the baseline.
///
/// The modules are named by x86-64 level so that their names sort by the instruction set they need:
/// Baseline < X86v3 < X86v4. Each module also emits small helpers the Swift compiler shares between
/// modules by name (value-witness copies such as `__swift_memcpy112_8`), compiled with its own flags;
/// the linker keeps the first copy, and SwiftPM links modules in name order, so the copy kept is the
/// one of the least demanding module that has it, which every set can run.
/// Scripts/check_kernel_isolation.py checks this in a built binary.
#if arch(x86_64)
    let kernelSets: [(name: String, flags: [String])] = [
        ("DoodleKernelsX86v4", ["-target-cpu", "skylake-avx512"]),  // x86-64-v4
        ("DoodleKernelsX86v3", ["-target-cpu", "haswell"]),  // x86-64-v3
        ("DoodleKernelsBaseline", []),
    ]
#else
    let kernelSets: [(name: String, flags: [String])] = [("DoodleKernelsBaseline", [])]
#endif

let kernelTargets: [Target] = kernelSets.map { set in
    .target(
        name: set.name, dependencies: ["DoodleKernels"],
        swiftSettings: [.unsafeFlags(["-Ounchecked"] + set.flags)])
}

let package = Package(
    name: "Doodle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "doodle", targets: ["doodle"]),
        .library(name: "DoodleNN", targets: ["DoodleNN"]),
        .library(name: "DoodleData", targets: ["DoodleData"]),
        .library(name: "DoodleTraining", targets: ["DoodleTraining"]),
        .library(name: "DoodleServer", targets: ["DoodleServer"]),
        .library(name: "DoodleStore", targets: ["DoodleStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(name: "CDoodleCPU"),
        .target(name: "DoodleKernels", dependencies: ["CDoodleCPU"], swiftSettings: engineSettings),
        .target(
            name: "DoodleEngine",
            dependencies: ["DoodleKernels"] + kernelSets.map { .target(name: $0.name) },
            swiftSettings: engineSettings),
        .target(name: "DoodleNN", dependencies: ["DoodleEngine"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DoodleData", dependencies: ["CZlib"]),
        // TensorBoard's event messages: generated code (Proto/, Scripts/generate_protos.sh) on swift-protobuf.
        .target(
            name: "DoodleTraining",
            dependencies: [
                "DoodleNN", "DoodleData", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto/tensorboard_event.proto"]),
        // The drawings players give, in SQLite through GRDB (Debian's libsqlite3-dev).
        .target(
            name: "DoodleStore", dependencies: ["DoodleData", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(
            name: "DoodleServer",
            dependencies: [
                "DoodleNN", "DoodleData", "DoodleStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            // Wasm/ holds the C source of Resources/kernels.wasm (Scripts/build_wasm.sh), not Swift code.
            exclude: ["Wasm"], resources: [.copy("Resources")]),
        // ONNX out and in: onnx.proto (ONNX 1.23's, Apache-2.0) generated once by Scripts/generate_protos.sh.
        .target(
            name: "DoodleONNX",
            dependencies: ["DoodleNN", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Proto/onnx.proto"]),
        .executableTarget(
            name: "doodle",
            dependencies: [
                "DoodleNN", "DoodleData", "DoodleTraining", "DoodleServer", "DoodleStore", "DoodleONNX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // libFuzzer's driver, declared for Sources/DoodleFuzz; linked only by `-sanitize=fuzzer`.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "doodle-fuzz",
            dependencies: [
                "DoodleNN", "DoodleData", "DoodleServer", "DoodleONNX", "CLibFuzzer", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Sources/DoodleFuzz"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "DoodleNNTests", dependencies: ["DoodleNN", "DoodleEngine", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DoodleDataTests", dependencies: ["DoodleData", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DoodleTrainingTests", dependencies: ["DoodleTraining", "DoodleStore", "TestSupport"]),
        .testTarget(
            name: "DoodleONNXTests",
            dependencies: [
                "DoodleONNX", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(
            name: "DoodleStoreTests",
            dependencies: ["DoodleStore", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "DoodleServerTests",
            dependencies: [
                "DoodleServer", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
    ] + kernelTargets,
    swiftLanguageModes: [.v6]
)
