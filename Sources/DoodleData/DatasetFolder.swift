import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One category's file in a dataset folder: `<category>.npy`, `<category>.ndjson` or `<category>.bin`.
public struct CategoryFile: Sendable, Hashable {
    /// The formats a category file can have, in the order `DuplicatePolicy.first` prefers them.
    public enum Format: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Google's numpy_bitmap: (N, 784) uint8.
        case npy
        /// Google's ndjson strokes, simplified or raw.
        case ndjson
        /// Google's binary strokes.
        case bin

        public static func < (lhs: Format, rhs: Format) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// The category: the file's name without its extension (Google's names have spaces).
    public var category: String
    /// The file.
    public var url: URL
    /// Its format, from its extension.
    public var format: Format

    /// The file name, as origins name it (`alarm clock.ndjson`).
    public var fileName: String { url.lastPathComponent }

    /// The format of the file an image origin names (`cat.npy#12`, `cat.ndjson:13`, `cat.bin#4`).
    public static func format(ofOrigin origin: String) -> Format? {
        let file = origin.prefix { $0 != "#" && $0 != ":" }
        guard let dot = file.lastIndex(of: ".") else { return nil }
        return Format(rawValue: String(file[file.index(after: dot)...]).lowercased())
    }
}

/// Finding the files of a dataset in its folders, and the stamps that key the cache.
public enum DatasetFolder {
    /// MNIST's four files, by role; each may be gzip-compressed (`.gz`) or not.
    static let mnistNames = [
        "train-images": ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
        "train-labels": ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
        "test-images": ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
        "test-labels": ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
    ]

    /// The category files of `folders`: folder by folder, in a folder by format then name.
    /// Hidden files and other extensions are ignored; subfolders are not searched.
    ///
    /// - Throws: `DataError` when a folder cannot be listed.
    public static func categoryFiles(in folders: [URL]) throws -> [CategoryFile] {
        var found: [CategoryFile] = []
        for folder in folders {
            var files: [CategoryFile] = []
            for name in try contents(of: folder) where !name.hasPrefix(".") {
                let url = folder.appendingPathComponent(name)
                guard let format = CategoryFile.Format(rawValue: url.pathExtension.lowercased()) else {
                    continue
                }
                let category = url.deletingPathExtension().lastPathComponent
                guard !category.isEmpty else { continue }
                files.append(CategoryFile(category: category, url: url, format: format))
            }
            found += files.sorted { a, b in
                a.format != b.format
                    ? a.format < b.format : a.category.utf8.lexicographicallyPrecedes(b.category.utf8)
            }
        }
        return found
    }

    /// MNIST's four files in `folder` by role, or nil when any is missing.
    public static func mnistFiles(in folder: URL) throws -> [String: URL]? {
        let names = Set(try contents(of: folder))
        var files: [String: URL] = [:]
        for (role, candidates) in mnistNames {
            let options = candidates.flatMap { [$0, $0 + ".gz"] }
            guard let name = options.first(where: names.contains) else { return nil }
            files[role] = folder.appendingPathComponent(name)
        }
        return files
    }

    /// The names in `folder`.
    private static func contents(of folder: URL) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw DataError(folder.path, "cannot list the folder (\(error.localizedDescription))")
        }
    }

    /// The path, size and modification time of `url` as one line, for the cache key.
    ///
    /// - Throws: `DataError` when the file cannot be examined.
    static func stamp(_ url: URL) throws -> String {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw DataError(url.path, systemProblem("cannot stat")) }
        #if canImport(Darwin)
            let time = info.st_mtimespec
        #else
            let time = info.st_mtim
        #endif
        return "\(url.standardizedFileURL.path)\t\(info.st_size)\t\(time.tv_sec).\(time.tv_nsec)"
    }
}
