import Spreadsheet

/// A column named in a job file or on the command line: by header text, column letter or 1-based index.
public struct ColumnReference: Sendable, Hashable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text.trimmed }

    public var description: String { text }

    /// The 0-based column in `header`: a header cell with this text (compared normalised), else a
    /// column letter (`C`), else a 1-based number. Header text wins, so a column titled `RUT` is
    /// that column and not the letters R-U-T.
    public func resolve(in header: [String]) -> Int? {
        if let exact = header.firstIndex(where: { $0.trimmed == text }) { return exact }
        let key = HeaderText.normalise(text)
        if !key.isEmpty, let match = header.firstIndex(where: { HeaderText.normalise($0) == key }) { return match }
        if let number = Int(text), number >= 1 { return number - 1 }
        if text.count <= 3, text.allSatisfy({ $0.isASCII && $0.isLetter }), let index = ColumnName.index(text.uppercased()) {
            return index
        }
        return nil
    }
}

/// An explicit assignment of a column to a target (an input name, a composite part, or `-` to ignore it).
public struct ColumnBinding: Sendable, Hashable {
    public var column: ColumnReference
    public var target: String

    public init(column: ColumnReference, target: String) {
        self.column = column
        self.target = target
    }

    /// The target that leaves a column out of the mapping.
    public static let ignore = "-"
}

/// How the columns of one header map onto a provider's inputs.
public struct ColumnMapping: Sendable {
    /// How a column was matched; the names are a contract (`inspect --json`).
    public enum How: String, Sendable, Encodable {
        case explicit
        case alias
        case normalised
        /// By rules on the words: abbreviations spelt out (`AP_MATERNO`), an ordinal (`1º Nombre`),
        /// a qualifier dropped (`TIPO_DOC_IDENT`), a company's ID (`RUT empresa contratante`).
        case rules
        /// One letter off a known header (a typo or two letters swapped).
        case corrected
    }

    /// One mapped column.
    public struct Match: Sendable, Encodable, Equatable {
        /// The header text.
        public var column: String
        /// 1-based.
        public var index: Int
        /// The input or composite part (`date_of_birth.day`).
        public var input: String
        public var how: How
    }

    /// A column left out, with why when the reason is not simply "no input has that name".
    public struct Unmapped: Sendable, Encodable, Equatable {
        public var column: String
        public var index: Int
        public var reason: String?
    }

    public var matches: [Match]
    public var unmapped: [Unmapped]

    /// The 0-based column mapped to `target`.
    public func column(for target: String) -> Int? {
        matches.first { $0.input == target }.map { $0.index - 1 }
    }

    /// 0-based columns that hold IDs or phones: written as text in xlsx so zeros and `+` survive.
    public var textColumns: Set<Int> {
        Set(matches.filter { HeaderAliases.holdsIdentifier($0.input) || $0.input == "phone_number" || $0.input == "phone" }
            .map { $0.index - 1 })
    }

    /// Whether some column is mapped to `target`.
    public func has(_ target: String) -> Bool { column(for: target) != nil }

    /// The header text of the column mapped to `target`, or the target itself.
    public func columnName(for target: String) -> String {
        matches.first { $0.input == target }?.column ?? target
    }
}
