import Foundation

extension Model {
    /// The words a game may ask a player to draw: the classes whose validation top-1 reached the
    /// threshold in `training["game_threshold"]`, from `training["game_words"]`; nil when the file
    /// has no such list (it predates the list, or was trained without validation).
    public var gameWords: [String]? {
        guard let text = training["game_words"],
            let words = try? JSONDecoder().decode([String].self, from: Data(text.utf8))
        else { return nil }
        let known = Set(labels)
        return words.filter(known.contains)
    }

    /// Each class's validation top-1 from `training["val_top1_per_class"]`, or nil when not recorded.
    public var validationTop1PerClass: [String: Double]? {
        guard let text = training["val_top1_per_class"] else { return nil }
        return try? JSONDecoder().decode([String: Double].self, from: Data(text.utf8))
    }
}
