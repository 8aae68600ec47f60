import Spreadsheet

/// One input file read for checks: opening it finds the header and maps its columns;
/// ``validate(_:)`` profiles its date columns and then validates its rows one by one, reading the
/// file twice so memory stays flat however many rows it has.
public final class FileValidation {
    public let path: String
    public var settings: CheckSettings
    public let readOptions: ReadOptions
    public let format: SpreadsheetFormat
    public let sheetName: String?
    public let encoding: TextEncoding?
    public let delimiter: UInt8?
    /// Warnings from reading (encoding fallback, ragged rows).
    public private(set) var readWarnings: [String] = []
    /// The header row's cells; empty when the sheet has no rows.
    public let header: [String]
    /// 1-based source row of the header; nil for an empty sheet.
    public let headerRow: Int?
    public let mapping: ColumnMapping

    /// Reads the file once to find the header, map it and profile its date columns.
    ///
    /// Throws ``SpreadsheetError`` when the file cannot be read and ``ColumnMapper/Problem`` when an
    /// explicit binding names a column or input that does not exist.
    public init(path: String, settings: CheckSettings, readOptions: ReadOptions) throws {
        self.path = path
        self.settings = settings
        var options = readOptions
        if let sheet = settings.sheet, options.sheet == nil { options.sheet = SheetSelector(sheet) }
        self.readOptions = options
        let reader = try SpreadsheetReader(path: path, options: options)
        format = reader.format
        sheetName = reader.sheetName
        encoding = reader.encoding
        delimiter = reader.delimiter

        let mapper = ColumnMapper(provider: settings.provider, bindings: settings.bindings,
                                  documentTypeConstant: settings.constants["document_type"] != nil)
        // The header: a given row, or the best of the first non-blank rows.
        var leading: [Row] = []
        var headerRowFound: Row?
        if let wanted = settings.headerRow {
            while let row = try reader.next() {
                if row.number == wanted { headerRowFound = row; break }
                if row.number > wanted { break }
            }
        } else {
            while leading.count < HeaderDetector.candidates, let row = try reader.next() {
                if !row.isBlank { leading.append(row) }
            }
            if let index = HeaderDetector.headerIndex(in: leading, mapper: mapper) {
                headerRowFound = leading[index]
            }
        }
        header = headerRowFound?.cells.map(\.text) ?? []
        headerRow = headerRowFound?.number
        mapping = try mapper.map(header: header)

        readWarnings = reader.warnings
    }

    /// Validates every non-blank row after the header, in order, calling `body` with each row and
    /// its outcome. Returns the counts.
    @discardableResult
    public func validate(_ body: (Row, RowOutcome) throws -> Void) throws -> ValidationSummary {
        let rows = try self.rows()
        while let (row, outcome) = try rows.next() { try body(row, outcome) }
        return rows.summary
    }

    /// The rows after the header, validated one at a time as the caller pulls them (the run
    /// pipeline takes rows as fast as it can send them). Profiles the date columns first.
    /// `seen` is where the rows' IDs are remembered for duplicate detection (in memory by default).
    public func rows(seen: any SeenKeys = SeenKeysInMemory()) throws -> ValidatedRows {
        guard let headerRow else { return ValidatedRows(file: self, reader: nil, validator: nil, headerRow: 0) }
        var validator = RowValidator(settings: settings, mapping: mapping, dateEvidence: try dateEvidence(after: headerRow))
        validator.digitsMayBeNumbers = format == .csv
        validator.seen = seen
        let reader = try SpreadsheetReader(path: path, options: readOptions)
        return ValidatedRows(file: self, reader: reader, validator: validator, headerRow: headerRow)
    }

    /// Called by ``ValidatedRows`` when it has read the last row.
    fileprivate func finished(reading reader: SpreadsheetReader) { readWarnings = reader.warnings }

    /// What every value of every date column says about day/month order; no pass over the file
    /// when there is no date column or the order is forced.
    private func dateEvidence(after headerRow: Int) throws -> [Int: DateOrder.Evidence] {
        let columns = settings.dateOrder == nil ? RowValidator.dateColumns(in: mapping) : []
        guard !columns.isEmpty else { return [:] }
        var evidence: [Int: DateOrder.Evidence] = [:]
        let reader = try SpreadsheetReader(path: path, options: readOptions)
        while let row = try reader.next() {
            guard row.number > headerRow else { continue }
            for column in columns where column < row.count && row.type(at: column) == .text {
                evidence[column, default: DateOrder.Evidence()].record(row[column].text)
            }
        }
        return evidence
    }
}

/// A file's data rows with their outcomes, pulled one at a time; ``summary`` counts what was pulled.
public final class ValidatedRows {
    private let file: FileValidation
    private let reader: SpreadsheetReader?
    private var validator: RowValidator?
    private let headerRow: Int
    public private(set) var summary = ValidationSummary()

    fileprivate init(file: FileValidation, reader: SpreadsheetReader?, validator: RowValidator?, headerRow: Int) {
        self.file = file
        self.reader = reader
        self.validator = validator
        self.headerRow = headerRow
        summary.dateOrders = validator?.dateOrderByColumn ?? []
    }

    /// The input's number format for the dates of `column` (0-based), as last read (xlsx only).
    public func dateFormat(column: Int) -> NumberFormatRef? { reader?.dateFormat(column: column) }

    /// The next non-blank row after the header and what validation made of it; nil at the end.
    public func next() throws -> (Row, RowOutcome)? {
        guard let reader else { return nil }
        while let row = try reader.next() {
            guard row.number > headerRow, !row.isBlank else { continue }
            guard let outcome = validator?.validate(row) else { return nil }
            summary.record(outcome)
            return (row, outcome)
        }
        file.finished(reading: reader)
        return nil
    }
}

/// Counts for a validated file: rows read = valid + failed, always.
public struct ValidationSummary: Sendable, Equatable {
    /// The order used for a date column's `a/b/yyyy` values.
    public struct DateColumnOrder: Sendable, Equatable {
        /// Header text.
        public var column: String
        /// `day-first`, `month-first`, or `mixed` (such values are refused).
        public var order: String
    }

    public var rowsRead = 0
    public var valid = 0
    public var failed = 0
    /// Rows failing with each code (a row with two problems counts under both codes).
    public var failedByCode: [String: Int] = [:]
    public var warningsByCode: [String: Int] = [:]
    public var dateOrders: [DateColumnOrder] = []

    public init() {}

    mutating func record(_ outcome: RowOutcome) {
        rowsRead += 1
        if outcome.isValid { valid += 1 } else { failed += 1 }
        for code in Set(outcome.issues.filter(\.isError).map(\.code)) { failedByCode[code, default: 0] += 1 }
        for code in Set(outcome.issues.filter { !$0.isError }.map(\.code)) { warningsByCode[code, default: 0] += 1 }
    }
}
