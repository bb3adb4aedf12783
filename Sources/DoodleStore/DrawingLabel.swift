/// Labels as the store keeps them: what a player typed, made comparable and safe.
///
/// Google's words are lower case with spaces (`alarm clock`, `The Eiffel Tower` aside), so a label
/// is trimmed, its runs of white space made one space, and lower-cased; letters of any script,
/// digits, spaces, hyphens and apostrophes are kept, and anything else (`<`, quotes, control
/// characters) is refused, so no markup is ever stored.
public enum DrawingLabel {
    /// The longest label, in characters.
    public static let maxLength = 40

    /// The label `text` normalises to.
    ///
    /// - Throws: `StoreError` saying what is wrong: empty, too long, or a character not allowed.
    public static func normalize(_ text: String) throws -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let label = words.joined(separator: " ").lowercased()
        guard !label.isEmpty else { throw StoreError("the label is empty") }
        guard label.count <= maxLength else {
            throw StoreError("the label has \(label.count) characters; at most \(maxLength) are allowed")
        }
        if let bad = label.unicodeScalars.first(where: { !isAllowed($0) }) {
            let shown =
                bad.properties.generalCategory == .control ? "U+\(String(bad.value, radix: 16))" : "'\(bad)'"
            throw StoreError(
                "the label contains \(shown); use letters, digits, spaces, hyphens and apostrophes")
        }
        return label
    }

    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "-" || scalar == "'" || scalar.properties.isAlphabetic
            || scalar.properties.numericType == .decimal
    }
}
