import Spreadsheet

/// The error file: only the rows that failed, with the input's own columns and format, plus
/// `idbatch_error_code`, `idbatch_error_column` and `idbatch_error_message`. A person fixes it and
/// drops it back in; old `idbatch_*` columns are not carried over, so a fixed file can be
/// validated again and again. In xlsx the cell to blame for each error is filled red and carries
/// the message as its note, columns fit their content and the messages wrap.
public final class ErrorFile {
    public static let columns = ["idbatch_error_code", "idbatch_error_column", "idbatch_error_message"]

    public let path: String
    public let language: Language
    private let writer: any RowWriter
    /// Input columns kept (all but old `idbatch_*` ones).
    private let kept: [Int]
    /// Header text (trimmed, lowercased) → the kept column it is written to, first one wins.
    private let positions: [String: Int]
    private var scratch = Row(number: 0)
    public private(set) var rows = 0
    /// The input's date format of an input column (0-based), so dates look as they did there.
    public var dateFormats: ((Int) -> NumberFormatRef?)?
    /// Written columns whose date format has been looked up.
    private var formatted: Set<Int> = []

    /// Starts an error file at `path` in `format` with `header` (the input's header cells).
    /// `textColumns` (0-based input columns) are written as text in xlsx so IDs keep their zeros.
    public init(path: String, format: SpreadsheetFormat, header: [String], delimiter: UInt8?,
                textColumns: Set<Int>, sheetName: String?, language: Language) throws {
        self.path = path
        self.language = language
        kept = header.indices.filter { !header[$0].lowercased().hasPrefix("idbatch_") }
        let written = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        var positions: [String: Int] = [:]
        for (position, column) in kept.enumerated() {
            let key = header[column].trimmed.lowercased()
            if !key.isEmpty && positions[key] == nil { positions[key] = position }
        }
        self.positions = positions
        var options = WriteOptions(sheetName: sheetName ?? "Errors", delimiter: delimiter,
                                   textColumns: Set(textColumns.compactMap { written[$0] }))
        options.xlsx.fitWidths = true
        options.xlsx.cellNotes = true
        options.xlsx.printOnePageWide = true
        options.xlsx.columnWidths = [kept.count: 24, kept.count + 1: 22, kept.count + 2: 70]
        options.xlsx.wrapColumns = [kept.count + 2]
        writer = try SpreadsheetWriter.open(path: path, format: format, options: options)
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
        try add(row, code: first.code, blame: StoredMessage.parts(errors, language))
    }

    /// Adds a failed row with its error already decided (the run pipeline reads it from its ledger):
    /// the code, and each message with the column it blames (the first is `idbatch_error_column`).
    public func add(_ row: Row, code: String, blame: [Blame]) throws {
        scratch.reset(number: row.number)
        for (position, index) in kept.enumerated() {
            let cell = index < row.count ? row[index] : Cell.empty
            if cell.type == .date, let dateFormats, !formatted.contains(position), let format = dateFormats(index) {
                formatted.insert(position)
                writer.useDateFormat(format, column: position)
            }
            scratch.append(cell)
        }
        scratch.append(Cell(text: code, type: .text))
        scratch.append(Cell(text: blame.first?.column ?? "", type: .text))
        scratch.append(Cell(text: StoredMessage.text(blame), type: .text))
        var marks: [Int: String] = [:]
        for part in blame {
            guard let position = positions[part.column.trimmed.lowercased()] else { continue }
            marks[position] = marks[position].map { $0 + "\n" + part.text } ?? part.text
        }
        try writer.write(scratch, marks: marks)
        rows += 1
    }

    public func close() throws { try writer.close() }

    public func discard() { writer.discard() }
}
