/// One pen-down stroke: points in drawing order, with optional times (raw Quick, Draw! data).
public struct Stroke: Sendable, Equatable {
    /// Horizontal coordinates, one per point.
    public var x: [Double]
    /// Vertical coordinates (downwards), one per point.
    public var y: [Double]
    /// Milliseconds since the first point of the drawing, one per point, when known.
    public var t: [Double]?

    /// A stroke through the points (`x[i]`, `y[i]`); `x` and `y` must have the same length.
    public init(x: [Double], y: [Double], t: [Double]? = nil) {
        precondition(x.count == y.count, "a stroke needs as many x as y coordinates")
        precondition(t == nil || t!.count == x.count, "a stroke needs one time per point")
        self.x = x
        self.y = y
        self.t = t
    }
}

/// A drawing: its strokes and, when it comes from a Quick, Draw! file, its record fields.
public struct Drawing: Sendable, Equatable {
    /// The strokes in the order they were drawn.
    public var strokes: [Stroke]
    /// The category the player was asked to draw (`word` in Google's files).
    public var word: String?
    /// Google's unique id of the drawing (`key_id`).
    public var keyID: String?
    /// Two-letter country code of the player (`countrycode`).
    public var countryCode: String?
    /// Whether Google's model recognised the drawing in the game (`recognized`).
    public var recognized: Bool?

    /// A drawing made of `strokes`, with optional record fields.
    public init(
        strokes: [Stroke], word: String? = nil, keyID: String? = nil, countryCode: String? = nil,
        recognized: Bool? = nil
    ) {
        self.strokes = strokes
        self.word = word
        self.keyID = keyID
        self.countryCode = countryCode
        self.recognized = recognized
    }
}
