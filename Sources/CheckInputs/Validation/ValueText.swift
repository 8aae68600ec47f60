/// Small normalisations of typed values: yes/no in three languages, phones, countries, frequencies.
public enum ValueText {
    /// `sí`, `sim`, `yes`, `x`, `1`, `TRUE`, `verdadero` → true; `no`, `não`, `0`, `FALSE` → false; else nil.
    public static func boolean(_ text: String) -> Bool? {
        switch HeaderText.normalise(text) {
        case "si", "s", "sim", "yes", "y", "x", "1", "true", "verdadero", "verdadeiro", "v", "autorizo", "acepto",
            "autorizado", "ok":
            return true
        case "no", "n", "nao", "0", "false", "falso", "f", "no autorizo", "nao autorizo":
            return false
        default:
            return nil
        }
    }

    /// A phone with its `+` kept and separators dropped (`+57 (300) 123-4567` → `+573001234567`);
    /// nil unless it is 7 to 15 digits. A leading `00` becomes `+`.
    public static func phone(_ text: String) -> String? {
        var kept = text.filter { !($0 == " " || $0 == "-" || $0 == "." || $0 == "(" || $0 == ")" || $0 == "/") }
        if kept.hasPrefix("00") { kept = "+" + kept.dropFirst(2) }
        let digits = kept.hasPrefix("+") ? kept.dropFirst() : Substring(kept)
        guard (7...15).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return kept
    }

    /// Loose email shape: one `@`, something before it, a dot in the domain, no spaces.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(where: \.isWhitespace)
        else { return false }
        return true
    }

    private static let countryNames: [String: String] = [
        "colombia": "CO", "chile": "CL", "mexico": "MX", "brasil": "BR", "brazil": "BR", "peru": "PE",
        "costa rica": "CR", "ecuador": "EC", "venezuela": "VE", "argentina": "AR", "uruguay": "UY", "paraguay": "PY",
        "bolivia": "BO", "panama": "PA", "estados unidos": "US", "united states": "US", "espana": "ES", "spain": "ES",
        "internacional": "ALL", "international": "ALL", "todos": "ALL",
    ]

    /// A two-letter code from `CO`, `co`, `Colombia`, `México`; nil for anything else.
    public static func country(_ text: String) -> String? {
        let key = HeaderText.normalise(text)
        if let code = countryNames[key] { return code }
        if key.count == 2, key.allSatisfy({ $0.isASCII && $0.isLetter }) { return key.uppercased() }
        if key == "all" { return "ALL" }
        return nil
    }

    /// `daily|weekly|monthly|yearly` or a number and d, w, m or y (`3d`), lowercased; nil otherwise.
    public static func frequency(_ text: String) -> String? {
        let value = text.trimmed.lowercased()
        if ["daily", "weekly", "monthly", "yearly"].contains(value) { return value }
        guard let unit = value.last, "dwmy".contains(unit), value.count > 1,
            let count = Int(value.dropLast()), count > 0
        else { return nil }
        return value
    }
}
