import Foundation

/// How header cells are compared: what people add to a header is dropped so that
/// `N° de Documento (obligatorio)*` and `numero documento` compare equal.
public enum HeaderText {
    /// Lowercased, accents folded, notes in brackets dropped, a trailing `*`, `:` or footnote mark
    /// (`10/`, `¹`) dropped, dotted acronyms joined (`C.C.` → `cc`), other punctuation and
    /// underscores turned into single spaces.
    public static func normalise(_ text: String) -> String {
        let folded = removingBracketed(fold(text))
        var scalars = Array(folded.unicodeScalars)
        // `N°`, `Nº`: the ordinal marks are punctuation here.
        scalars = scalars.map { "°º¹²³ª".unicodeScalars.contains($0) ? " " : $0 }
        var tokens = String(String.UnicodeScalarView(scalars)).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
            .map(String.init)
        // Trailing marks: `*`, `:`, footnotes such as `10/` or `(1)` (brackets are gone already).
        while let last = tokens.last, isTrailingMark(last) { tokens.removeLast() }
        var words: [String] = []
        for token in tokens {
            if let acronym = joinedAcronym(token) {
                words.append(acronym)
                continue
            }
            var current = ""
            for scalar in token.unicodeScalars {
                if CharacterSet.alphanumerics.contains(scalar) {
                    current.unicodeScalars.append(scalar)
                } else if !current.isEmpty {
                    words.append(current)
                    current = ""
                }
            }
            if !current.isEmpty { words.append(current) }
        }
        return words.joined(separator: " ")
    }

    /// The accented letters of Spanish and Portuguese, folded without Foundation (which bridges
    /// through NSString and was most of the cost of normalising cell values such as `Sí`).
    private static let latinFolds: [Unicode.Scalar: Unicode.Scalar] = {
        var table: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (plain, accented) in [("a", "áàâãäåÁÀÂÃÄÅ"), ("e", "éèêëÉÈÊË"), ("i", "íìîïÍÌÎÏ"), ("o", "óòôõöÓÒÔÕÖ"),
                                  ("u", "úùûüÚÙÛÜ"), ("n", "ñÑ"), ("c", "çÇ")] {
            for scalar in accented.unicodeScalars { table[scalar] = plain.unicodeScalars.first! }
        }
        return table
    }()

    /// Lowercased with accents removed; other scripts and marks go through Foundation's folding.
    private static func fold(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                result.append(scalar.properties.isUppercase ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else if let plain = latinFolds[scalar] {
                result.append(plain)
            } else {
                return text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
                    .lowercased()
            }
        }
        return String(result)
    }

    /// `C.C.`, `n.i.t`, `r.u.t.` → the letters joined; nil for anything else.
    private static func joinedAcronym(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let letters = parts.filter { !$0.isEmpty }
        guard letters.count >= 2, letters.allSatisfy({ $0.count == 1 && $0.first!.isLetter }),
            token.contains(".")
        else { return nil }
        return letters.joined()
    }

    private static func isTrailingMark(_ token: String) -> Bool {
        if token.allSatisfy({ $0 == "*" || $0 == ":" || $0 == "." }) { return true }
        // Footnote marks: `10/`, `1/`, `*1`.
        if token.hasSuffix("/"), token.dropLast().allSatisfy(\.isASCIIDigit), token.count > 1 { return true }
        if token.hasPrefix("*"), token.dropFirst().allSatisfy(\.isASCIIDigit) { return true }
        return false
    }

    /// Drops `(…)` and `[…]` with what they enclose; an unclosed bracket is kept as text.
    private static func removingBracketed(_ text: String) -> String {
        var result = ""
        var depth = 0
        var pending = ""
        for character in text {
            switch character {
            case "(", "[":
                depth += 1
                pending.append(character)
            case ")", "]":
                guard depth > 0 else {
                    result.append(character)
                    continue
                }
                depth -= 1
                if depth == 0 {
                    pending = ""
                    result.append(" ")
                } else {
                    pending.append(character)
                }
            default:
                if depth > 0 { pending.append(character) } else { result.append(character) }
            }
        }
        return result + pending
    }
}
