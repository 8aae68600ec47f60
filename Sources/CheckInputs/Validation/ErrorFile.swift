import Spreadsheet

/// The error file: only the rows that failed, with the input's own columns and format, plus
/// `idbatch_error_code`, `idbatch_error_column` and `idbatch_error_message`. A person fixes it and
/// drops it back in; old `idbatch_*` columns are not carried over, so a fixed file can be
/// validated again and again.
public final class ErrorFile {
    public static let columns = ["idbatch_error_code", "idbatch_error_column", "idbatch_error_message"]

    public let path: String
    private let writer: any RowWriter
    /// Input columns kept (all but old `idbatch_*` ones).
    private let kept: [Int]
    private var scratch = Row(number: 0)
    public private(set) var rows = 0

    /// Starts an error file at `path` in `format` with `header` (the input's header cells).
    /// `textColumns` (0-based input columns) are written as text in xlsx so IDs keep their zeros.
    public init(path: String, format: SpreadsheetFormat, header: [String], delimiter: UInt8?,
                textColumns: Set<Int>, sheetName: String?) throws {
        self.path = path
        kept = header.indices.filter { !header[$0].lowercased().hasPrefix("idbatch_") }
        let positions = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        writer = try SpreadsheetWriter.open(
            path: path, format: format,
            options: WriteOptions(sheetName: sheetName ?? "Errors", delimiter: delimiter,
                                  textColumns: Set(textColumns.compactMap { positions[$0] })))
        var headerRow = Row(number: 0)
        for column in kept { headerRow.append(Cell(text: header[column], type: .text)) }
        for name in Self.columns { headerRow.append(Cell(text: name, type: .text)) }
        do {
            try writer.write(headerRow)
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Adds a failed row: its cells, then the first error's code and column and every error's message.
    public func add(_ row: Row, outcome: RowOutcome) throws {
        let errors = outcome.errors
        guard let first = errors.first else { return }
        try add(row, code: first.code, column: first.column, message: Self.message(for: errors))
    }

    /// Adds a failed row with its error already decided (the run pipeline reads it from its ledger).
    public func add(_ row: Row, code: String, column: String, message: String) throws {
        scratch.reset(number: row.number)
        for index in kept {
            scratch.append(index < row.count ? row[index] : Cell.empty)
        }
        scratch.append(Cell(text: code, type: .text))
        scratch.append(Cell(text: column, type: .text))
        scratch.append(Cell(text: message, type: .text))
        try writer.write(scratch)
        rows += 1
    }

    /// One message for a row's errors: the message itself, or each prefixed with its column.
    public static func message(for errors: [RowIssue]) -> String {
        errors.count == 1 ? errors[0].message : errors.map { "[\($0.column)] \($0.message)" }.joined(separator: "; ")
    }

    public func close() throws { try writer.close() }

    public func discard() { writer.discard() }
}
