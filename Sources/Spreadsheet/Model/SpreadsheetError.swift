/// A problem with a spreadsheet file that stops it from being read or written.
///
/// `description` names the file and, where known, the part, row and column; it never contains cell
/// values, so it is safe to log.
public struct SpreadsheetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A stable identifier for the kind of problem; scripts and the error file rely on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible, RawRepresentable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let fileMissing = Code(rawValue: "file_missing")
        public static let emptyFile = Code(rawValue: "empty_file")
        public static let notZip = Code(rawValue: "not_zip")
        public static let encrypted = Code(rawValue: "encrypted_workbook")
        public static let legacyXLS = Code(rawValue: "legacy_xls")
        public static let corruptZip = Code(rawValue: "corrupt_zip")
        public static let zipBomb = Code(rawValue: "zip_bomb")
        public static let tooManyEntries = Code(rawValue: "too_many_entries")
        public static let duplicateEntry = Code(rawValue: "duplicate_entry")
        public static let doctype = Code(rawValue: "xml_doctype")
        public static let malformedXML = Code(rawValue: "malformed_xml")
        public static let missingPart = Code(rawValue: "missing_part")
        public static let noSheets = Code(rawValue: "no_sheets")
        public static let sheetNotFound = Code(rawValue: "sheet_not_found")
        public static let unterminatedQuote = Code(rawValue: "unterminated_quote")
        public static let tooLarge = Code(rawValue: "too_large")
        public static let cellTooLong = Code(rawValue: "cell_too_long")
        public static let expansionLimit = Code(rawValue: "expansion_limit")
        public static let writeFailed = Code(rawValue: "write_failed")
        public static let readFailed = Code(rawValue: "read_failed")
    }

    public var code: Code
    /// What went wrong and what to do about it, without any cell value.
    public var message: String
    public var file: String?
    public var part: String?
    public var row: Int?
    public var column: Int?

    public init(_ code: Code, _ message: String, file: String? = nil, part: String? = nil,
                row: Int? = nil, column: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.part = part
        self.row = row
        self.column = column
    }

    public var description: String {
        var location: [String] = []
        if let file { location.append(file) }
        if let part { location.append(part) }
        if let row { location.append("row \(row)") }
        if let column { location.append("column \(ColumnName.letters(column))") }
        return location.isEmpty ? message : "\(location.joined(separator: ", ")): \(message)"
    }

    func at(file: String) -> SpreadsheetError {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }
}

/// Spreadsheet column letters.
public enum ColumnName {
    /// `0` → `A`, `27` → `AB`.
    public static func letters(_ index: Int) -> String {
        var n = index + 1
        var result: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            result.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(result.reversed())
    }

    /// `A` → `0`; nil when the text is not column letters.
    public static func index(_ letters: some StringProtocol) -> Int? {
        var n = 0
        for scalar in letters.unicodeScalars {
            let v = scalar.value
            switch v {
            case 65...90: n = n * 26 + Int(v - 64)
            case 97...122: n = n * 26 + Int(v - 96)
            default: return nil
            }
            if n > 16_384 { return nil }
        }
        return n == 0 ? nil : n - 1
    }
}

/// Counts as a person reads them: `1048576` → `1,048,576`.
enum Counted {
    static func grouped(_ n: some BinaryInteger) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }
}
