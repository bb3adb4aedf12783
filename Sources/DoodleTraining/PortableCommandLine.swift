import Foundation

/// The command line of a run as a model file records it: runnable again from the same folder on
/// another machine, with no absolute path of this one.
///
/// The program becomes `doodle`; every absolute path, alone or after `--option=`, becomes relative to
/// the working directory (`/home/me/doodle/../shared/data` from `/home/me/doodle` is
/// `../shared/data`); an argument with spaces or shell characters is single-quoted.
public enum PortableCommandLine {
    /// The recorded form of `arguments` (program first), run in `workingDirectory`.
    public static func record(_ arguments: [String], workingDirectory: String) -> String {
        let base = components(of: workingDirectory)
        let words = arguments.dropFirst().map { argument -> String in
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                let value = String(argument[argument.index(after: equals)...])
                return String(argument[...equals]) + relative(value, to: base)
            }
            return relative(argument, to: base)
        }
        return (["doodle"] + words.map(quoted)).joined(separator: " ")
    }

    /// `path` relative to `workingDirectory` when it is absolute, else as it is.
    public static func relativePath(_ path: String, workingDirectory: String) -> String {
        relative(path, to: components(of: workingDirectory))
    }

    /// `path` relative to the folder whose components are `base`, if it is absolute.
    static func relative(_ path: String, to base: [String]) -> String {
        guard path.hasPrefix("/") else { return path }
        let target = components(of: path)
        var common = 0
        while common < min(base.count, target.count) && base[common] == target[common] { common += 1 }
        let parts = Array(repeating: "..", count: base.count - common) + target[common...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The components of an absolute path, with `.` and `..` resolved.
    static func components(of path: String) -> [String] {
        var parts: [String] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(String(part)) }
        }
        return parts
    }

    /// `word` as a POSIX shell reads it back: as it is when it is plain, else in single quotes.
    static func quoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        guard word.isEmpty || !word.allSatisfy(plain.contains) else { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
