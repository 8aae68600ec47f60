/// Something rows are written to, one after another: ``CSVWriter`` or ``XLSXWriter``.
///
/// Nothing appears at the destination until ``close()`` succeeds; ``discard()`` drops the output.
public protocol RowWriter: AnyObject {
    func write(_ row: Row) throws
    func close() throws
    func discard()
}

extension XLSXWriter: RowWriter {}

extension CSVWriter: RowWriter {
    public func write(_ row: Row) throws {
        try write(row, width: options.padToWidest ? max(widest, row.count) : 0)
        widest = max(widest, row.count)
    }
}
