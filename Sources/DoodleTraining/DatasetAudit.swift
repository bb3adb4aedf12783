import DoodleData
import DoodleNN
import Foundation

/// What a model makes of one category file: the check that catches a file of one thing filed under
/// another's name (Google's alarm clocks once shipped here as `clock.npy`).
public struct FileAudit: Sendable {
    /// The file.
    public var file: CategoryFile
    /// How many of its drawings were scored.
    public var drawings: Int
    /// The classes the model gave them, most frequent first (ties in label order), with their
    /// shares of `drawings`.
    public var predicted: [(name: String, share: Double)]
    /// Whether the model has a class of the file's name; when it has none the file cannot be audited.
    public var known: Bool

    /// The share of the drawings the model calls by the file's own name.
    public var ownShare: Double { predicted.first { $0.name == file.category }?.share ?? 0 }

    /// Whether the model mostly calls the drawings something else: its most frequent answer is
    /// another class, which it gives more often than the file's own.
    public var isSuspect: Bool {
        guard known, let top = predicted.first else { return false }
        return top.name != file.category && top.share > ownShare
    }
}

extension Model {
    /// Audits each file of `folders` on its own: every drawing (or the first `limit`) is classified,
    /// and the shares of the answers say whether the file holds what its name says.
    ///
    /// Audit with a model that did not train on the files, or on only part of them, for an unbiased
    /// answer; a model trained on a mislabelled file has learnt its label.
    ///
    /// - Parameters:
    ///   - folders: folders of category files.
    ///   - limit: at most this many drawings of each file; nil for all.
    ///   - progress: told of each file before it is read.
    /// - Throws: `DataError` for unreadable folders or files.
    public func audit(
        _ folders: [URL], limit: Int? = nil, progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> [FileAudit] {
        let files = try DatasetFolder.categoryFiles(in: folders)
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let inference = network.inferenceCopy()
        var audits: [FileAudit] = []
        for (done, file) in files.enumerated() {
            progress(done, files.count)
            let (pixels, _) = try file.images(limit: limit, onMalformedLine: .skip)
            let count = pixels.count / 784
            let images = LabeledImages(
                classes: labels, pixels: pixels, labels: Array(repeating: 0, count: count))
            var counts = [Int](repeating: 0, count: labels.count)
            var start = 0
            while start < count {
                let end = min(start + 512, count)
                let (input, _) = Batches.make(Array(start..<end)[...], of: images)
                for label in argmax(inference.forward(input)) { counts[label] += 1 }
                start = end
            }
            let predicted = counts.indices.filter { counts[$0] > 0 }
                .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
                .map { (name: labels[$0], share: Double(counts[$0]) / Double(count)) }
            audits.append(
                FileAudit(
                    file: file, drawings: count, predicted: predicted, known: index[file.category] != nil))
        }
        progress(files.count, files.count)
        return audits
    }
}
