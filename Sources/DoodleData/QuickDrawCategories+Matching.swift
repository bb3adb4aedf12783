import Foundation

/// Turning what a user typed into Google's category names.
extension QuickDrawCategories {
    /// Google's names for `names`, in the order given and without repeats.
    ///
    /// Case and underscores are forgiven (`alarm_clock`, `the eiffel tower`); anything else must match.
    ///
    /// - Throws: `DataError` naming every unknown name with its closest matches.
    public static func resolve(_ names: [String]) throws -> [String] {
        var resolved: [String] = []
        var unknown: [String] = []
        for name in names {
            guard let match = canonical[normalized(name)] else {
                let near = closeMatches(to: name)
                unknown.append(
                    near.isEmpty
                        ? "'\(name)'"
                        : "'\(name)' (did you mean \(near.map { "'\($0)'" }.joined(separator: ", "))?)")
                continue
            }
            if !resolved.contains(match) { resolved.append(match) }
        }
        guard unknown.isEmpty else {
            throw DataError(
                "categories",
                "unknown Quick, Draw! \(unknown.count == 1 ? "category" : "categories") "
                    + unknown.joined(separator: ", "))
        }
        return resolved
    }

    /// Up to `limit` category names closest to `name`: those containing it, then those within a few edits,
    /// nearest first.
    public static func closeMatches(to name: String, limit: Int = 3) -> [String] {
        let key = normalized(name)
        guard !key.isEmpty else { return [] }
        let allowed = max(2, key.count / 3)
        var scored: [(score: Int, name: String)] = []
        for category in all {
            let other = normalized(category)
            if other.contains(key) {
                scored.append((0, category))
            } else {
                let distance = editDistance(Array(key), Array(other))
                if distance <= allowed { scored.append((distance, category)) }
            }
        }
        return scored.sorted { $0.score < $1.score }.prefix(limit).map(\.name)
    }

    /// Lowercased Google names by their lowercased form.
    private static let canonical: [String: String] = Dictionary(
        uniqueKeysWithValues: all.map { (normalized($0), $0) })

    private static func normalized(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: " ")
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
