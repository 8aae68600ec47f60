/// Small normalisations of typed values: yes/no in three languages, phones, countries, frequencies.
public enum ValueText {
    /// `sí`, `sim`, `yes`, `x`, `1`, `TRUE`, `verdadero` → true; `no`, `não`, `0`, `FALSE` → false; else nil.
    public static func boolean(_ text: String) -> Bool? {
        // Most cells are one of the spellings as typed (`sim`, `Sí`, `TRUE`): a lowercase lookup
        // answers them without the full header normalisation, which was a quarter of validation time.
        if text.utf8.count <= 16, let known = spellings[text.lowercased()] { return known }
        return spellings[HeaderText.normalise(text)]
    }

    /// Normalised spellings, plus the accented ones as typed.
    private static let spellings: [String: Bool] = {
        var table: [String: Bool] = [:]
        for yes in ["si", "s", "sim", "yes", "y", "x", "1", "true", "verdadero", "verdadeiro", "v", "autorizo", "acepto",
                    "autorizado", "ok", "sí"] { table[yes] = true }
        for no in ["no", "n", "nao", "0", "false", "falso", "f", "no autorizo", "nao autorizo", "não", "não autorizo"] {
            table[no] = false
        }
        return table
    }()

    /// A phone with its `+` kept and separators dropped (`+57 (300) 123-4567` → `+573001234567`);
    /// nil unless it is 7 to 15 digits. A leading `00` becomes `+`.
    public static func phone(_ text: String) -> String? {
        // Bytes, not Characters: once per row. Anything but separators, digits and a leading `+` fails.
        var kept: [UInt8] = []
        kept.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "/"):
                continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                kept.append(byte)
            case UInt8(ascii: "+") where kept.isEmpty:
                kept.append(byte)
            default:
                return nil
            }
        }
        if kept.starts(with: [48, 48]) { kept.replaceSubrange(0..<2, with: [UInt8(ascii: "+")]) }
        let digits = kept.first == UInt8(ascii: "+") ? kept.count - 1 : kept.count
        guard (7...15).contains(digits), !kept.dropFirst().contains(UInt8(ascii: "+")) else { return nil }
        return String(decoding: kept, as: UTF8.self)
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
