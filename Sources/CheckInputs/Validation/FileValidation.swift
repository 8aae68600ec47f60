import Spreadsheet

/// One input file read for checks: its header found, its columns mapped, its date columns
/// profiled, then its rows validated one by one. The file is read twice (profile, then
/// validate), so memory stays flat however many rows it has.
public final class FileValidation {
    public let path: String
    public let settings: CheckSettings
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
    private let dateEvidence: [Int: DateOrder.Evidence]

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
                leading.removeFirst(index + 1)
            }
        }
        header = headerRowFound?.cells.map(\.text) ?? []
        headerRow = headerRowFound?.number
        mapping = try mapper.map(header: header)

        // Date evidence from every value of every date column.
        var evidence: [Int: DateOrder.Evidence] = [:]
        let dateColumns = settings.dateOrder == nil ? RowValidator.dateColumns(in: mapping) : []
        if headerRowFound != nil && !dateColumns.isEmpty {
            func record(_ row: Row) {
                for column in dateColumns where column < row.count && row.type(at: column) == .text {
                    evidence[column, default: DateOrder.Evidence()].record(row[column].text)
                }
            }
            if settings.headerRow == nil { leading.forEach(record) }
            while let row = try reader.next() { record(row) }
        }
        dateEvidence = evidence
        readWarnings = reader.warnings
    }

    /// Validates every non-blank row after the header, in order, calling `body` with each row and
    /// its outcome. Returns the counts.
    @discardableResult
    public func validate(_ body: (Row, RowOutcome) throws -> Void) throws -> ValidationSummary {
        var summary = ValidationSummary()
        guard let headerRow else { return summary }
        var validator = RowValidator(settings: settings, mapping: mapping, dateEvidence: dateEvidence)
        validator.digitsMayBeNumbers = format == .csv
        summary.dateOrders = validator.dateOrderByColumn.map { ($0.column, $0.order?.rawValue ?? "mixed") }
        let reader = try SpreadsheetReader(path: path, options: readOptions)
        while let row = try reader.next() {
            guard row.number > headerRow, !row.isBlank else { continue }
            let outcome = validator.validate(row)
            summary.record(outcome)
            try body(row, outcome)
        }
        readWarnings = reader.warnings
        return summary
    }
}

/// Counts for a validated file: rows read = valid + failed, always.
public struct ValidationSummary: Sendable, Equatable {
    public var rowsRead = 0
    public var valid = 0
    public var failed = 0
    /// Rows failing with each code (a row with two problems counts under both codes).
    public var failedByCode: [String: Int] = [:]
    public var warningsByCode: [String: Int] = [:]
    /// Header text and the order used for its `a/b/yyyy` dates (`day-first`, `month-first`, `mixed`).
    public var dateOrders: [(column: String, order: String)] = []

    public init() {}

    mutating func record(_ outcome: RowOutcome) {
        rowsRead += 1
        if outcome.isValid { valid += 1 } else { failed += 1 }
        for code in Set(outcome.issues.filter(\.isError).map(\.code)) { failedByCode[code, default: 0] += 1 }
        for code in Set(outcome.issues.filter { !$0.isError }.map(\.code)) { warningsByCode[code, default: 0] += 1 }
    }

    public static func == (a: ValidationSummary, b: ValidationSummary) -> Bool {
        a.rowsRead == b.rowsRead && a.valid == b.valid && a.failed == b.failed && a.failedByCode == b.failedByCode
            && a.warningsByCode == b.warningsByCode && a.dateOrders.map(\.column) == b.dateOrders.map(\.column)
            && a.dateOrders.map(\.order) == b.dateOrders.map(\.order)
    }
}
