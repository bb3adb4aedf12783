// swift-tools-version: 6.1
import PackageDescription

/// Only the engine (tensors, layers, optimizers, kernels) drops overflow and bounds checks, where it is
/// measured to matter; everything that parses outside input (files, requests, model files, specs) keeps
/// them. The hot loops want AVX2 + FMA on x86_64.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"]),
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux])),
]

let package = Package(
    name: "Doodle",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "doodle", targets: ["doodle"]),
        .library(name: "DoodleNN", targets: ["DoodleNN"]),
        .library(name: "DoodleData", targets: ["DoodleData"]),
        .library(name: "DoodleTraining", targets: ["DoodleTraining"]),
        .library(name: "DoodleServer", targets: ["DoodleServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "DoodleEngine", swiftSettings: engineSettings),
        .target(name: "DoodleNN", dependencies: ["DoodleEngine"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DoodleData", dependencies: ["CZlib"]),
        .target(name: "DoodleTraining", dependencies: ["DoodleNN", "DoodleData"]),
        .target(
            name: "DoodleServer",
            dependencies: [
                "DoodleNN", "DoodleData", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // Wasm/ holds the C source of Resources/kernels.wasm (Scripts/build_wasm.sh), not Swift code.
            exclude: ["Wasm"], resources: [.copy("Resources")]),
        .executableTarget(
            name: "doodle",
            dependencies: [
                "DoodleNN", "DoodleData", "DoodleTraining", "DoodleServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // libFuzzer's driver, declared for Sources/DoodleFuzz; linked only by `-sanitize=fuzzer`.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "doodle-fuzz",
            dependencies: [
                "DoodleNN", "DoodleData", "DoodleServer", "CLibFuzzer", "CZlib",
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
        .testTarget(name: "DoodleTrainingTests", dependencies: ["DoodleTraining", "TestSupport"]),
        .testTarget(
            name: "DoodleServerTests",
            dependencies: [
                "DoodleServer", "TestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
