/// How to write a spreadsheet of either format; the options that do not apply to a format are ignored.
public struct WriteOptions: Sendable {
    /// The xlsx sheet's name.
    public var sheetName: String = "Sheet1"
    /// The CSV delimiter (`,` when nil).
    public var delimiter: UInt8?
    /// 0-based columns written as text in xlsx, so IDs keep their leading zeros.
    public var textColumns: Set<Int> = []
    /// A UTF-8 BOM before CSV, so Excel opens it as UTF-8.
    public var byteOrderMark: Bool = true
    /// Pad CSV rows to the widest row so far.
    public var padToWidest: Bool = false
    /// Everything else xlsx can carry (notes, dropdowns, widths, extra sheets); its sheet name and
    /// text columns are replaced by the fields above.
    public var xlsx: XLSXWriter.Options = XLSXWriter.Options()

    public init(sheetName: String = "Sheet1", delimiter: UInt8? = nil, textColumns: Set<Int> = []) {
        self.sheetName = sheetName
        self.delimiter = delimiter
        self.textColumns = textColumns
    }
}

/// Opens the writer for a format: the one place where CSV and xlsx output part ways.
public enum SpreadsheetWriter {
    /// A new writer at `path`; nothing appears there until its ``RowWriter/close()`` succeeds.
    public static func open(path: String, format: SpreadsheetFormat, options: WriteOptions = WriteOptions()) throws
        -> any RowWriter
    {
        switch format {
        case .csv:
            return try CSVWriter(path: path, options: .init(delimiter: options.delimiter ?? UInt8(ascii: ","),
                                                            byteOrderMark: options.byteOrderMark,
                                                            padToWidest: options.padToWidest))
        case .xlsx:
            var xlsx = options.xlsx
            xlsx.sheetName = options.sheetName
            xlsx.textColumns = options.textColumns
            return try XLSXWriter(path: path, options: xlsx)
        }
    }
}
