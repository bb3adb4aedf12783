import Foundation

extension Dataset {
    /// The MNIST classes, digit `i` named `"i"`.
    public static let mnistClasses = (0...9).map(String.init)

    /// Builds MNIST's fixed split from its four IDX files.
    ///
    /// Training is the first 55,000 images of the training file and validation its last 5,000 (one
    /// twelfth of it, whatever its size), as is customary; test is the t10k file. The seed and the
    /// split fractions do not apply. `perClass` keeps, in each part, the first N images of each
    /// digit. Classes are chosen among "0"..."9" as for Quick, Draw! folders; labels follow the order
    /// of the chosen classes.
    static func buildMNIST(_ files: [String: URL], options: DatasetOptions) throws -> Dataset {
        let digits: [Int]
        switch options.classes {
        case .all: digits = Array(0...9)
        case .first(let n):
            guard n <= 10 else { throw DataError("dataset", "asked for \(n) classes but MNIST has 10") }
            digits = Array(0..<n)
        case .named(let names):
            let unknown = names.filter { !mnistClasses.contains($0) }
            guard unknown.isEmpty else {
                throw DataError(
                    "dataset",
                    "no MNIST class \(unknown.map { "'\($0)'" }.joined(separator: ", ")); available: "
                        + mnistClasses.joined(separator: ", "))
            }
            digits = names.map { Int($0)! }
        }
        let train = try readMNIST(images: files["train-images"]!, labels: files["train-labels"]!)
        let test = try readMNIST(images: files["test-images"]!, labels: files["test-labels"]!)
        let validationStart = train.images.count - train.images.count / 12
        let classes = digits.map { mnistClasses[$0] }
        let parts = [
            (train, 0..<validationStart), (train, validationStart..<train.images.count),
            (test, 0..<test.images.count),
        ].map { source, rows in
            select(source, rows: rows, digits: digits, classes: classes, perClass: options.perClass)
        }
        return Dataset(splits: DatasetSplits(train: parts[0], validation: parts[1], test: parts[2]))
    }

    private struct MNISTFile {
        var images: IDXImages
        var labels: [UInt8]
        var name: String
    }

    private static func readMNIST(images imagesURL: URL, labels labelsURL: URL) throws -> MNISTFile {
        let images = try IDX.readImages(from: imagesURL)
        let labels = try IDX.readLabels(from: labelsURL)
        guard images.rows == 28, images.columns == 28 else {
            throw DataError(
                imagesURL.path, "MNIST images are 28 x 28, these are \(images.rows) x \(images.columns)")
        }
        guard labels.count == images.count else {
            throw DataError(
                labelsURL.path,
                "\(labels.count) labels for the \(images.count) images of \(imagesURL.lastPathComponent)")
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DataError(labelsURL.path, "label \(labels[bad]) of image \(bad) is not a digit")
        }
        return MNISTFile(images: images, labels: labels, name: imagesURL.lastPathComponent)
    }

    /// The images of `rows` whose digit is chosen, at most `perClass` of each, in file order.
    private static func select(
        _ file: MNISTFile, rows: Range<Int>, digits: [Int], classes: [String], perClass: Int?
    ) -> LabeledImages {
        var labelOf = [Int?](repeating: nil, count: 10)
        for (label, digit) in digits.enumerated() { labelOf[digit] = label }
        var taken = [Int](repeating: 0, count: 10)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var origins: [String] = []
        for row in rows {
            let digit = Int(file.labels[row])
            guard let label = labelOf[digit], taken[digit] < (perClass ?? .max) else { continue }
            taken[digit] += 1
            pixels += file.images.image(row)
            labels.append(label)
            origins.append("\(file.name)#\(row)")
        }
        return LabeledImages(classes: classes, pixels: pixels, labels: labels, origins: origins)
    }
}
