extension ArchitectureSpec {
    /// The architectures Doodle names, by name.
    public static let named: [String: ArchitectureSpec] = [
        "small": small, "medium": medium, "mnist": mnist, "deep": deep, "compact": compact,
    ]

    /// The Gradio Pictionary app's 1.5 MB model: conv32-pool-conv64-pool-conv128-pool, fc 1152→256→N.
    public static let small = threeConv(name: "small", widths: [32, 64, 128], hidden: 256)

    /// The UnionML QuickDraw model: conv64-pool-conv128-pool-conv256-pool, fc 2304→512→N.
    public static let medium = threeConv(name: "medium", widths: [64, 128, 256], hidden: 512)

    /// The digit guesser: conv32 (valid)-pool-conv64 (valid)-pool-dropout 0.5-fc 1600→N.
    public static let mnist = ArchitectureSpec(
        name: "mnist",
        layers: [
            .init("conv", filters: 32, kernel: 3, padding: "valid"), .init("relu"), .init("maxpool"),
            .init("conv", filters: 64, kernel: 3, padding: "valid"), .init("relu"), .init("maxpool"),
            .init("flatten"), .init("dropout", rate: 0.5), .init("linear", units: .classes),
        ])

    /// Doodle's own, in the spirit of DoodleAI: pairs of 3×3 convolutions with batch norm at 28, 14 and 7
    /// pixels, global average pooling and dropout, and a single linear classifier.
    public static let deep = ArchitectureSpec(
        name: "deep",
        layers: [32, 32, 0, 64, 64, 0, 128, 128].flatMap { width -> [LayerSpec] in
            width == 0
                ? [.init("maxpool")]
                : [
                    .init("conv", filters: width, kernel: 3, padding: "same"), .init("batchnorm"),
                    .init("relu"),
                ]
        } + [.init("globalavgpool"), .init("dropout", rate: 0.3), .init("linear", units: .classes)])

    /// The shipped `doodles` model's: `small`'s three stages with batch norm (folded into the
    /// convolutions for inference, so it costs nothing there) and dropout before the hidden layer.
    /// About 7.7 M multiply-adds, a quarter of `deep`'s: the budget at which one 2-core server answers
    /// 3,000 requests/s and a browser guesses in a few milliseconds.
    public static let compact = ArchitectureSpec(
        name: "compact",
        layers: [32, 64, 128].flatMap {
            [
                .init("conv", filters: $0, kernel: 3, padding: "same"), .init("batchnorm"), .init("relu"),
                .init("maxpool"),
            ]
        } + [
            .init("flatten"), .init("dropout", rate: 0.3), .init("linear", units: .count(256)), .init("relu"),
            .init("linear", units: .classes),
        ])

    /// Three same-padded 3×3 conv-ReLU-pool stages, then a hidden linear layer: PyTorch peer order.
    private static func threeConv(name: String, widths: [Int], hidden: Int) -> ArchitectureSpec {
        ArchitectureSpec(
            name: name,
            layers: widths.flatMap {
                [.init("conv", filters: $0, kernel: 3, padding: "same"), .init("relu"), .init("maxpool")]
            }
                + [
                    .init("flatten"), .init("linear", units: .count(hidden)), .init("relu"),
                    .init("linear", units: .classes),
                ])
    }
}
