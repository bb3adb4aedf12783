import Foundation

/// A file to fetch from a server, with what is known about it beforehand.
public struct RemoteFile: Sendable, Equatable {
    /// Where to fetch it.
    public var url: URL
    /// Its name on disk (QuickDraw's keep their spaces: `alarm clock.npy`).
    public var fileName: String
    /// What the file is, for error messages: a 404 reads "no such \(kind) on the server".
    public var kind: String
    /// Its size in bytes, when the publisher lists it.
    public var size: Int64?
    /// Its MD5 as 32 lowercase hex digits, when the publisher lists it.
    public var md5: String?

    /// A file at `url`, saved as `fileName`.
    public init(url: URL, fileName: String, kind: String = "file", size: Int64? = nil, md5: String? = nil) {
        self.url = url
        self.fileName = fileName
        self.kind = kind
        self.size = size
        self.md5 = md5
    }
}

/// Google's Quick, Draw! files in the public `quickdraw_dataset` bucket, one file per category and format.
public enum QuickDrawRemote {
    /// The bucket's `full/` folder; each format lives in a subfolder of it.
    public static let defaultBaseURL = URL(string: "https://storage.googleapis.com/quickdraw_dataset/full/")!

    /// The formats Google publishes.
    public enum Format: String, Sendable, CaseIterable {
        /// 28x28 grayscale renderings, `(N, 784) uint8` numpy arrays.
        case bitmap
        /// Strokes scaled to 0...255 and simplified, as ndjson.
        case simplified
        /// The strokes as drawn, with timings, as ndjson.
        case raw
        /// The simplified strokes in Google's binary format.
        case binary

        /// The bucket folder under `full/`.
        public var folder: String {
            switch self {
            case .bitmap: "numpy_bitmap"
            case .simplified: "simplified"
            case .raw: "raw"
            case .binary: "binary"
            }
        }

        /// The file name extension, without the dot.
        public var fileExtension: String {
            switch self {
            case .bitmap: "npy"
            case .simplified, .raw: "ndjson"
            case .binary: "bin"
            }
        }
    }

    /// The remote file of `category` in `format`, under `baseURL` (the bucket's `full/` folder).
    ///
    /// The name is percent-encoded in the URL (`alarm%20clock.npy`) and kept as is on disk.
    public static func file(_ category: String, _ format: Format, baseURL: URL = defaultBaseURL) -> RemoteFile
    {
        let fileName = "\(category).\(format.fileExtension)"
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#")
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: allowed) ?? fileName
        var base = baseURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        return RemoteFile(
            url: URL(string: base + format.folder + "/" + encoded)!, fileName: fileName, kind: "category file"
        )
    }
}

/// MNIST's four gzip files, as torchvision fetches them, with their published sizes and MD5s.
public enum MNISTRemote {
    /// The mirror torchvision falls back on, since yann.lecun.com often refuses downloads.
    public static let defaultBaseURL = URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!

    /// Name, size in bytes and MD5 of each file (MD5s from torchvision's `MNIST.resources`).
    public static let listing: [(name: String, size: Int64, md5: String)] = [
        ("train-images-idx3-ubyte.gz", 9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", 28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", 1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", 4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
    ]

    /// The four files under `baseURL`.
    public static func files(baseURL: URL = defaultBaseURL) -> [RemoteFile] {
        var base = baseURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        return listing.map { entry in
            RemoteFile(
                url: URL(string: base + entry.name)!, fileName: entry.name, kind: "MNIST file",
                size: entry.size,
                md5: entry.md5)
        }
    }
}
