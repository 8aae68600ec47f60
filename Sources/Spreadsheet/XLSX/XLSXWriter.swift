internal import CXlsxwriter

/// Writes an xlsx sheet row by row with libxlsxwriter in constant-memory mode.
///
/// The first row is a bold, frozen header with an autofilter; columns that hold IDs are text
/// formatted and their cells written as strings so leading zeros survive; strings are never
/// written as formulas. The file appears at `path` only when ``close()`` succeeds (0600, fsynced).
/// Owns the libxlsxwriter handle: not `Sendable`.
public final class XLSXWriter {
    public struct Options: Sendable {
        public var sheetName: String = "Sheet1"
        /// 0-based columns whose cells are always written as text (IDs, phones).
        public var textColumns: Set<Int> = []
        public var header: Bool = true

        public init(sheetName: String = "Sheet1", textColumns: Set<Int> = [], header: Bool = true) {
            self.sheetName = sheetName
            self.textColumns = textColumns
            self.header = header
        }
    }

    public let path: String
    private let options: Options
    private let output: AtomicOutput
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private let worksheet: UnsafeMutablePointer<lxw_worksheet>
    private let boldFormat: UnsafeMutablePointer<lxw_format>
    private let textFormat: UnsafeMutablePointer<lxw_format>
    private let dateFormat: UnsafeMutablePointer<lxw_format>
    private let dateTimeFormat: UnsafeMutablePointer<lxw_format>
    private var nextRow: UInt32 = 0
    private var widest = 0
    private var cString: [CChar] = []

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        output = try AtomicOutput(destination: path)
        output.closeDescriptor()
        var settings = lxw_workbook_options()
        settings.constant_memory = 1
        settings.use_zip64 = 1
        guard let workbook = workbook_new_opt(output.temporaryPath, &settings),
            let worksheet = workbook_add_worksheet(workbook, XLSXWriter.safeSheetName(options.sheetName))
        else {
            throw SpreadsheetError(.writeFailed, "libxlsxwriter could not create the workbook", file: path)
        }
        self.workbook = workbook
        self.worksheet = worksheet
        boldFormat = workbook_add_format(workbook)
        format_set_bold(boldFormat)
        textFormat = workbook_add_format(workbook)
        format_set_num_format(textFormat, "@")
        dateFormat = workbook_add_format(workbook)
        format_set_num_format(dateFormat, "yyyy-mm-dd")
        dateTimeFormat = workbook_add_format(workbook)
        format_set_num_format(dateTimeFormat, "yyyy-mm-dd hh:mm:ss")
        for column in options.textColumns.sorted() {
            worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), 18, textFormat)
        }
        if options.header { worksheet_freeze_panes(worksheet, 1, 0) }
    }

    deinit {
        if let workbook {
            // Never closed: free the library's memory, then drop the half-made file.
            workbook_close(workbook)
            output.discard()
        }
    }

    /// Sheet names: at most 31 characters, none of `[]:*?/\`.
    static func safeSheetName(_ name: String) -> String {
        let cleaned = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        return cleaned.isEmpty ? "Sheet1" : cleaned
    }

    /// Writes the next row; the first one is the header when `options.header` is set.
    public func write(_ row: Row) throws {
        guard workbook != nil else { throw SpreadsheetError(.writeFailed, "the writer is closed", file: path) }
        guard nextRow < 1_048_576 else {
            throw SpreadsheetError(.tooLarge, "an xlsx sheet holds at most 1,048,576 rows", file: path)
        }
        let isHeader = options.header && nextRow == 0
        widest = max(widest, row.count)
        for column in 0..<min(row.count, 16_384) {
            let type = row.type(at: column)
            if type == .empty { continue }
            let status: lxw_error
            if isHeader {
                status = writeString(row, column, format: boldFormat)
            } else if options.textColumns.contains(column) {
                status = writeString(row, column, format: textFormat)
            } else {
                switch type {
                case .number:
                    status = writeNumber(row, column)
                case .boolean:
                    let yes = row.withUTF8(at: column) { $0.first == UInt8(ascii: "T") || $0.first == UInt8(ascii: "t") }
                    status = worksheet_write_boolean(worksheet, nextRow, lxw_col_t(column), yes ? 1 : 0, nil)
                case .date:
                    status = writeDate(row, column)
                default:
                    status = writeString(row, column, format: nil)
                }
            }
            if status != LXW_NO_ERROR {
                let reason = String(cString: lxw_strerror(status))
                throw SpreadsheetError(.writeFailed, "a cell cannot be written (\(reason))", file: path,
                                       row: Int(nextRow) + 1, column: column)
            }
        }
        nextRow += 1
    }

    private func writeString(_ row: Row, _ column: Int, format: UnsafeMutablePointer<lxw_format>?) -> lxw_error {
        row.withUTF8(at: column) { bytes in
            cString.removeAll(keepingCapacity: true)
            for b in bytes { cString.append(CChar(bitPattern: b == 0 ? 32 : b)) }
            cString.append(0)
        }
        return cString.withUnsafeBufferPointer {
            worksheet_write_string(worksheet, nextRow, lxw_col_t(column), $0.baseAddress, format)
        }
    }

    private func writeNumber(_ row: Row, _ column: Int) -> lxw_error {
        let parsed: Double? = row.withUTF8(at: column) { bytes in
            // Integers past 15 digits would lose digits as numbers: keep them as text.
            if let digits = NumberText.plainIntegerDigits(bytes), digits > 15 { return nil }
            return NumberText.parseDouble(bytes)
        }
        guard let value = parsed else { return writeString(row, column, format: nil) }
        return worksheet_write_number(worksheet, nextRow, lxw_col_t(column), value, nil)
    }

    private func writeDate(_ row: Row, _ column: Int) -> lxw_error {
        let parts: [Int]? = row.withUTF8(at: column) { bytes in
            // YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS
            guard bytes.count == 10 || bytes.count == 19 else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var n = 0
                for i in range {
                    guard bytes[i] >= 48 && bytes[i] <= 57 else { return nil }
                    n = n * 10 + Int(bytes[i] - 48)
                }
                return n
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            if bytes.count == 19, let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19) {
                return [y, m, d, h, mi, s]
            }
            return bytes.count == 10 ? [y, m, d, 0, 0, 0] : nil
        }
        guard let parts, parts[0] >= 1900 else { return writeString(row, column, format: nil) }
        var datetime = lxw_datetime(year: Int32(parts[0]), month: Int32(parts[1]), day: Int32(parts[2]),
                                    hour: Int32(parts[3]), min: Int32(parts[4]), sec: Double(parts[5]))
        let hasTime = row.withUTF8(at: column) { $0.count == 19 }
        return worksheet_write_datetime(worksheet, nextRow, lxw_col_t(column), &datetime,
                                        hasTime ? dateTimeFormat : dateFormat)
    }

    /// Adds the autofilter, closes the workbook and moves the file into place.
    public func close() throws {
        guard let workbook else { return }
        if options.header && widest > 0 {
            worksheet_autofilter(worksheet, 0, 0, max(nextRow, 1) - 1, lxw_col_t(widest - 1))
        }
        self.workbook = nil
        let status = workbook_close(workbook)
        guard status == LXW_NO_ERROR else {
            output.discard()
            throw SpreadsheetError(.writeFailed, "the workbook cannot be saved (\(String(cString: lxw_strerror(status))))",
                                   file: path)
        }
        try output.commitWrittenByPath()
    }

    /// Drops the output: no file appears at `path`.
    public func discard() {
        if let workbook {
            self.workbook = nil
            workbook_close(workbook)
        }
        output.discard()
    }
}
