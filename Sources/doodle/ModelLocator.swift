import DoodleNN
import Foundation

/// Finds a model given as a path or as the name of a shipped model (`doodles`, `digits`).
///
/// Shipped models live in the repository's `models/` folder; it is looked for in `$DOODLE_MODELS`, then
/// `./models`, then beside the executable's build folder (`.build/release/doodle` → `models/`).
enum ModelLocator {
    /// The folders searched for shipped models, in order.
    static var searchFolders: [URL] {
        var folders: [URL] = []
        if let custom = ProcessInfo.processInfo.environment["DOODLE_MODELS"] {
            folders.append(URL(fileURLWithPath: custom))
        }
        folders.append(
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models"))
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // .build/<configuration>/doodle, or .build/<triple>/<configuration>/doodle
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            folders.append(folder.appendingPathComponent("models"))
        }
        return folders
    }

    /// The file for `nameOrPath`: an existing path as it is, else `<name>.safetensors` in the first
    /// search folder that has it.
    ///
    /// - Throws: `ModelLocatorError` listing where it looked.
    static func url(for nameOrPath: String) throws -> URL {
        if FileManager.default.fileExists(atPath: nameOrPath) { return URL(fileURLWithPath: nameOrPath) }
        for folder in searchFolders {
            let candidate = folder.appendingPathComponent(nameOrPath + ".safetensors")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw ModelLocatorError(
            description:
                "no model file '\(nameOrPath)' and no shipped model of that name in \(searchFolders.map(\.path).joined(separator: ", "))"
        )
    }

    /// Loads the model `nameOrPath` names.
    static func load(_ nameOrPath: String) throws -> Model {
        try Model(contentsOf: url(for: nameOrPath))
    }
}

/// A model that cannot be found.
struct ModelLocatorError: Error, CustomStringConvertible {
    var description: String
}
