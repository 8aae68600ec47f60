/// Durations as DESIGN writes them on the command line: `90s`, `10m`, `2h`, `1d`, `0s`.
public enum DurationText {
    /// The duration, or nil when the text is not a whole number followed by s, m, h or d.
    public static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let number = Int(text.dropLast()), number >= 0 else { return nil }
        switch unit {
        case "s": return .seconds(number)
        case "m": return .seconds(number * 60)
        case "h": return .seconds(number * 3_600)
        case "d": return .seconds(number * 86_400)
        default: return nil
        }
    }
}
