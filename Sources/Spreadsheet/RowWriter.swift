/// Something rows are written to, one after another: ``CSVWriter`` or ``XLSXWriter``.
///
/// Nothing appears at the destination until ``close()`` succeeds; ``discard()`` drops the output.
public protocol RowWriter: AnyObject {
    func write(_ row: Row) throws
    /// Writes a row with some cells marked for a person's eye (xlsx: filled, with a note each;
    /// other formats write the row as it is).
    func write(_ row: Row, marks: [Int: String]) throws
    /// Shows the dates of `column` in `format` from now on (xlsx; other formats write ISO dates).
    func useDateFormat(_ format: NumberFormatRef, column: Int)
    /// Adds a sheet of figures after the rows (xlsx only; other formats have one sheet and ignore it).
    func addSummary(_ summary: SummarySheet) throws
    func close() throws
    func discard()
}

extension XLSXWriter: RowWriter {}

extension CSVWriter: RowWriter {
    public func write(_ row: Row) throws {
        try write(row, width: options.padToWidest ? max(widest, row.count) : 0)
        widest = max(widest, row.count)
    }

    public func write(_ row: Row, marks: [Int: String]) throws { try write(row) }

    public func useDateFormat(_ format: NumberFormatRef, column: Int) {}
}

extension RowWriter {
    public func addSummary(_ summary: SummarySheet) throws {}

    /// Writes `rows` and closes; on any failure the output is discarded and nothing appears.
    public func writeAll(_ rows: [Row]) throws {
        do {
            for row in rows { try write(row) }
            try close()
        } catch {
            discard()
            throw error
        }
    }
}
