/// A message a person reads in an output file, kept as a key and its arguments until it is
/// written, so the ledger can hold it and each report can show it in its own language. The texts
/// live in one table per language (`Messages.english`, `.spanish`, `.portuguese`); `{1}`, `{2}`, …
/// stand for the arguments. An argument made with ``Message/either(_:)`` is a list joined with the
/// language's "or".
public struct Message: Sendable, Equatable, Codable, CustomStringConvertible {
    public var key: MessageKey
    public var args: [String]

    public init(_ key: MessageKey, _ args: String...) {
        self.key = key
        self.args = args
    }

    public init(_ key: MessageKey, args: [String]) {
        self.key = key
        self.args = args
    }

    /// The text in `language`.
    public func text(_ language: Language) -> String {
        let template = language.table[key.rawValue] ?? Messages.english[key.rawValue] ?? key.rawValue
        return Messages.fill(template, args, language: language)
    }

    /// English, for the console and logs.
    public var description: String { text(.en) }

    /// One argument listing alternatives (`a, b or c` in English, `a, b o c` in Spanish).
    public static func either(_ items: [String]) -> String { items.joined(separator: Messages.listSeparator) }
}

/// Words for table rows and sheet labels that are not messages about a row: looked up by key in
/// the same per-language tables.
public enum Words {
    /// `key`'s text in `language` (English when a table lacks it; the completeness test keeps that from happening).
    public static func text(_ key: String, _ language: Language) -> String {
        language.table[key] ?? Messages.english[key] ?? key
    }
}

public enum Messages {
    /// Separates the items of an ``Message/either(_:)`` argument (never in a cell's own text).
    static let listSeparator = "\u{1F}"

    /// `template` with `{n}` replaced by the n-th argument.
    public static func fill(_ template: String, _ args: [String], language: Language) -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let n = Int(after[..<close]), n >= 1 {
                result += n <= args.count ? list(args[n - 1], language) : ""
                rest = after[after.index(after: close)...]
            } else {
                result += "{"
                rest = after
            }
        }
        return result + rest
    }

    private static func list(_ arg: String, _ language: Language) -> String {
        guard arg.contains(listSeparator) else { return arg }
        let items = arg.components(separatedBy: listSeparator)
        return items.dropLast().joined(separator: ", ") + " " + Words.text("word.or", language) + " " + items.last!
    }

    /// The placeholders a template uses (`{1}`, `{2}`), for the completeness test.
    public static func placeholders(_ template: String) -> Set<Int> {
        var found: Set<Int> = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let n = Int(after[..<close]) { found.insert(n) }
            rest = after
        }
        return found
    }

    /// Every language's table, for tests.
    public static func table(_ language: Language) -> [String: String] { language.table }
}
