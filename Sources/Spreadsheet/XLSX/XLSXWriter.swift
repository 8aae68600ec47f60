internal import CXlsxwriter
#if canImport(Glibc)
import Glibc
#endif

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
        /// Write strings to a shared-strings table as Excel does, instead of inline. This keeps every
        /// row in memory until the file is closed (libxlsxwriter's constant-memory mode is off), so
        /// it is for small files and for making test workbooks that look like Excel's.
        public var sharedStrings: Bool = false
        /// A note (comment) on each of these header cells, by 0-based column.
        public var headerNotes: [Int: String] = [:]
        /// A dropdown (list data validation) under the header, by 0-based column.
        public var choices: [Int: [String]] = [:]
        /// What a dropdown says when its cell is selected, and when a value off the list is typed.
        public var choicePrompt: ChoicePrompt?
        /// Header cells drawn with a fill, to mark required columns.
        public var highlightedColumns: Set<Int> = []
        /// Column widths in characters, by 0-based column.
        public var columnWidths: [Int: Double] = [:]
        /// Plain sheets of text after the data sheet (instructions).
        public var extraSheets: [ExtraSheet] = []
        /// A fixed creation time so the same content gives the same bytes (committed templates).
        public var reproducible: Bool = false
        /// Columns not in ``columnWidths`` take the width of their longest cell (8 to 60 characters).
        public var fitWidths: Bool = false
        /// Columns whose cells wrap (long messages), by 0-based column.
        public var wrapColumns: Set<Int> = []
        /// Cells will be marked with ``XLSXWriter/write(_:marks:)``: notes need the workbook in memory.
        public var cellNotes: Bool = false
        /// Printed or saved as PDF: landscape, every column on one page wide.
        public var printOnePageWide: Bool = false

        public init(sheetName: String = "Sheet1", textColumns: Set<Int> = [], header: Bool = true,
                    sharedStrings: Bool = false) {
            self.sheetName = sheetName
            self.textColumns = textColumns
            self.header = header
            self.sharedStrings = sharedStrings
        }

        /// Notes, dropdowns and extra sheets need the whole workbook in memory (no constant-memory mode).
        var needsMemoryMode: Bool {
            sharedStrings || !headerNotes.isEmpty || !choices.isEmpty || !extraSheets.isEmpty || cellNotes
        }
    }

    /// The texts of a dropdown (Excel caps titles at 32 characters and messages at 255).
    public struct ChoicePrompt: Sendable {
        public var title: String
        public var message: String
        public var errorTitle: String
        public var errorMessage: String

        public init(title: String, message: String, errorTitle: String, errorMessage: String) {
            self.title = String(title.prefix(32))
            self.message = String(message.prefix(255))
            self.errorTitle = String(errorTitle.prefix(32))
            self.errorMessage = String(errorMessage.prefix(255))
        }
    }

    /// A sheet of text rows; the first row is bold.
    public struct ExtraSheet: Sendable {
        public var name: String
        public var rows: [[String]]
        /// Widths of the first columns, in characters.
        public var widths: [Double]

        public init(name: String, rows: [[String]], widths: [Double] = [100]) {
            self.name = name
            self.rows = rows
            self.widths = widths
        }
    }

    public let path: String
    private let options: Options
    private let output: AtomicOutput
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private let worksheet: UnsafeMutablePointer<lxw_worksheet>
    private let boldFormat: UnsafeMutablePointer<lxw_format>
    private let highlightFormat: UnsafeMutablePointer<lxw_format>
    private let textFormat: UnsafeMutablePointer<lxw_format>
    private let dateFormat: UnsafeMutablePointer<lxw_format>
    private let dateTimeFormat: UnsafeMutablePointer<lxw_format>
    private let wrapFormat: UnsafeMutablePointer<lxw_format>
    /// The formats of a marked cell: plain, text, date, date-time, each with the mark's fill.
    private var markFormats: [UnsafeMutablePointer<lxw_format>] = []
    private var nextRow: UInt32 = 0
    private var widest = 0
    /// The longest cell seen in each column, in characters, when widths are fitted.
    private var fitted: [Int] = []
    /// Dates of these columns are shown in the input's own format: plain and marked.
    private var columnDateFormats: [Int: (plain: UnsafeMutablePointer<lxw_format>, marked: UnsafeMutablePointer<lxw_format>)] = [:]
    private var formatsByRef: [NumberFormatRef: (plain: UnsafeMutablePointer<lxw_format>, marked: UnsafeMutablePointer<lxw_format>)] = [:]
    /// Scratch memory for the NUL-terminated copy libxlsxwriter needs of each string.
    private var scratch = ByteBuffer(capacity: 4096)

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        output = try AtomicOutput(destination: path)
        output.closeDescriptor()
        var settings = lxw_workbook_options()
        settings.constant_memory = options.needsMemoryMode ? 0 : 1
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
        highlightFormat = workbook_add_format(workbook)
        format_set_bold(highlightFormat)
        format_set_bg_color(highlightFormat, 0xFFF2CC)
        wrapFormat = workbook_add_format(workbook)
        format_set_text_wrap(wrapFormat)
        format_set_align(wrapFormat, UInt8(LXW_ALIGN_VERTICAL_TOP.rawValue))
        for numberFormat in [nil, "@", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"] as [String?] {
            let format = workbook_add_format(workbook)!
            Self.mark(format)
            if let numberFormat { format_set_num_format(format, numberFormat) }
            markFormats.append(format)
        }
        // Fitted columns get their width (and text format) when the file is closed.
        let fittedLater = options.fitWidths ? Set(options.textColumns).subtracting(options.columnWidths.keys) : []
        for column in Set(options.textColumns).union(options.columnWidths.keys).subtracting(fittedLater).sorted() {
            let width = options.columnWidths[column] ?? 18
            worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), width,
                                 options.textColumns.contains(column) ? textFormat : nil)
        }
        if options.header { worksheet_freeze_panes(worksheet, 1, 0) }
        if options.printOnePageWide {
            worksheet_set_landscape(worksheet)
            worksheet_fit_to_pages(worksheet, 1, 0)
            if options.header { worksheet_repeat_rows(worksheet, 0, 0) }
        }
        if options.reproducible {
            var properties = lxw_doc_properties()
            properties.created = 1_767_225_600  // 2026-01-01T00:00:00Z
            workbook_set_properties(workbook, &properties)
        }
        do {
            try addExtras(workbook)
        } catch {
            workbook_close(workbook)
            self.workbook = nil
            output.discard()
            throw error
        }
    }

    /// Dropdowns, header notes and the extra sheets.
    private func addExtras(_ workbook: UnsafeMutablePointer<lxw_workbook>) throws {
        var listsSheet: UnsafeMutablePointer<lxw_worksheet>?
        var listsColumn: lxw_col_t = 0
        for sheet in options.extraSheets {
            guard let extra = workbook_add_worksheet(workbook, XLSXWriter.safeSheetName(sheet.name)) else {
                throw SpreadsheetError(.writeFailed, "cannot add the sheet '\(sheet.name)'", file: path)
            }
            for (c, width) in sheet.widths.enumerated() {
                worksheet_set_column(extra, lxw_col_t(c), lxw_col_t(c), width, nil)
            }
            for (r, row) in sheet.rows.enumerated() {
                for (c, text) in row.enumerated() where !text.isEmpty {
                    worksheet_write_string(extra, lxw_row_t(r), lxw_col_t(c), text, r == 0 ? boldFormat : nil)
                }
            }
        }
        for (column, values) in options.choices.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            var validation = lxw_data_validation()
            validation.ignore_blank = UInt8(LXW_VALIDATION_ON.rawValue)
            let joined = values.joined(separator: ",")
            var formula: UnsafeMutablePointer<CChar>?
            var list: [UnsafeMutablePointer<CChar>?] = []
            var prompts: [UnsafeMutablePointer<CChar>?] = []
            defer {
                free(formula)
                list.forEach { free($0) }
                prompts.forEach { free($0) }
            }
            if let prompt = options.choicePrompt {
                let texts: [String] = [prompt.title, prompt.message, prompt.errorTitle, prompt.errorMessage]
                prompts = texts.map { strdup($0) }
                validation.input_title = prompts[0]
                validation.input_message = prompts[1]
                validation.error_title = prompts[2]
                validation.error_message = prompts[3]
            }
            if joined.utf8.count <= 255 && !values.contains(where: { $0.contains(",") }) {
                list = values.map { strdup($0) } + [nil]
                validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
            } else {
                // Excel caps an inline list at 255 characters: long lists live on a hidden sheet.
                if listsSheet == nil {
                    listsSheet = workbook_add_worksheet(workbook, "Lists")
                    if let listsSheet { worksheet_hide(listsSheet) }
                }
                guard let listsSheet else { throw SpreadsheetError(.writeFailed, "cannot add the Lists sheet", file: path) }
                for (r, value) in values.enumerated() {
                    worksheet_write_string(listsSheet, lxw_row_t(r), listsColumn, value, nil)
                }
                let letters = ColumnName.letters(Int(listsColumn))
                formula = strdup("=Lists!$\(letters)$1:$\(letters)$\(values.count)")
                validation.validate = UInt8(LXW_VALIDATION_TYPE_LIST_FORMULA.rawValue)
                validation.value_formula = formula
                listsColumn += 1
            }
            let status = list.withUnsafeMutableBufferPointer { buffer -> lxw_error in
                if !buffer.isEmpty { validation.value_list = buffer.baseAddress }
                return worksheet_data_validation_range(worksheet, 1, lxw_col_t(column), 1_048_575, lxw_col_t(column),
                                                       &validation)
            }
            guard status == LXW_NO_ERROR else {
                throw SpreadsheetError(.writeFailed, "a dropdown cannot be added (\(String(cString: lxw_strerror(status))))",
                                       file: path, column: column)
            }
        }
        for (column, note) in options.headerNotes.sorted(by: { $0.key < $1.key }) {
            var commentOptions = lxw_comment_options()
            commentOptions.width = 320
            commentOptions.height = 90
            worksheet_write_comment_opt(worksheet, 0, lxw_col_t(column), note, &commentOptions)
        }
    }

    deinit {
        scratch.deallocate()
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

    /// Shows the dates of `column` in `format` from now on: a built-in id (the reader's locale decides
    /// how 14 looks) or a custom code. Date-times and times keep their own formats.
    public func useDateFormat(_ format: NumberFormatRef, column: Int) {
        guard let workbook, columnDateFormats[column] == nil, (14...17).contains(format.id) || format.code != nil else { return }
        if let known = formatsByRef[format] {
            columnDateFormats[column] = known
            return
        }
        let pair = [false, true].map { marked -> UnsafeMutablePointer<lxw_format> in
            let made = workbook_add_format(workbook)!
            if let code = format.code { format_set_num_format(made, code) } else { format_set_num_format_index(made, UInt8(format.id)) }
            if marked { Self.mark(made) }
            return made
        }
        formatsByRef[format] = (pair[0], pair[1])
        columnDateFormats[column] = (pair[0], pair[1])
    }

    /// The look of a cell to blame: light red, dark red text, a thin red border.
    private static func mark(_ format: UnsafeMutablePointer<lxw_format>) {
        format_set_bg_color(format, 0xFFC7CE)
        format_set_font_color(format, 0x9C0006)
        format_set_border(format, UInt8(LXW_BORDER_THIN.rawValue))
        format_set_border_color(format, 0xC00000)
    }

    /// Writes the next row; the first one is the header when `options.header` is set.
    public func write(_ row: Row) throws {
        try write(row, marks: [:])
    }

    /// Writes the next row with some of its cells marked: filled red, with `marks[column]` as the
    /// cell's note (the note is left out when empty). Needs ``Options/cellNotes`` for the notes.
    public func write(_ row: Row, marks: [Int: String]) throws {
        guard workbook != nil else { throw SpreadsheetError(.writeFailed, "the writer is closed", file: path) }
        guard nextRow < 1_048_576 else {
            throw SpreadsheetError(.tooLarge, "an xlsx sheet holds at most 1,048,576 rows", file: path)
        }
        let isHeader = options.header && nextRow == 0
        widest = max(widest, row.count)
        var scratch = self.scratch
        defer { self.scratch = scratch }
        var failure: (column: Int, status: lxw_error)?
        let rowIndex = nextRow
        let textColumns = options.textColumns
        let hasTextColumns = !textColumns.isEmpty
        let fitting = options.fitWidths
        if fitting && fitted.count < row.count { fitted += Array(repeating: 0, count: row.count - fitted.count) }
        row.forEachCell { column, bytes, type in
            guard failure == nil, type != .empty, column < 16_384 else { return }
            if fitting { fitted[column] = max(fitted[column], type == .date ? 11 : Self.displayWidth(bytes)) }
            let status: lxw_error
            if !marks.isEmpty, marks[column] != nil {
                let isText = hasTextColumns && textColumns.contains(column)
                switch (isText, type) {
                case (false, .number):
                    status = writeNumber(bytes, rowIndex, column, format: markFormats[0], scratch: &scratch)
                case (false, .date):
                    status = writeDate(bytes, rowIndex, column,
                                       formats: (columnDateFormats[column]?.marked ?? markFormats[2], markFormats[3]),
                                       fallback: markFormats[0], scratch: &scratch)
                default:
                    status = writeString(bytes, rowIndex, column, format: markFormats[isText ? 1 : 0], scratch: &scratch)
                }
            } else if isHeader {
                let format = options.highlightedColumns.contains(column) ? highlightFormat : boldFormat
                status = writeString(bytes, rowIndex, column, format: format, scratch: &scratch)
            } else if hasTextColumns && textColumns.contains(column) {
                status = writeString(bytes, rowIndex, column, format: textFormat, scratch: &scratch)
            } else {
                switch type {
                case .number:
                    status = writeNumber(bytes, rowIndex, column, scratch: &scratch)
                case .boolean:
                    let yes = bytes.first == UInt8(ascii: "T") || bytes.first == UInt8(ascii: "t")
                    status = worksheet_write_boolean(worksheet, rowIndex, lxw_col_t(column), yes ? 1 : 0, nil)
                case .date:
                    let own = columnDateFormats.isEmpty ? nil : columnDateFormats[column]
                    status = writeDate(bytes, rowIndex, column, formats: own.map { ($0.plain, dateTimeFormat) },
                                       scratch: &scratch)
                default:
                    let format = options.wrapColumns.contains(column) ? wrapFormat : nil
                    status = writeString(bytes, rowIndex, column, format: format, scratch: &scratch)
                }
            }
            if status != LXW_NO_ERROR { failure = (column, status) }
        }
        for (column, note) in marks.sorted(by: { $0.key < $1.key }) where failure == nil && !note.isEmpty && column < 16_384 {
            if row.count <= column || row[column].type == .empty {
                // An empty cell that is to blame (a missing value) is marked too.
                let status = worksheet_write_blank(worksheet, rowIndex, lxw_col_t(column), markFormats[0])
                if status != LXW_NO_ERROR { failure = (column, status) }
            }
            var commentOptions = lxw_comment_options()
            commentOptions.width = 300
            commentOptions.height = 80
            let status = worksheet_write_comment_opt(worksheet, rowIndex, lxw_col_t(column), note, &commentOptions)
            if status != LXW_NO_ERROR { failure = (column, status) }
        }
        if let failure {
            let reason = String(cString: lxw_strerror(failure.status))
            throw SpreadsheetError(.writeFailed, "a cell cannot be written (\(reason))", file: path,
                                   row: Int(nextRow) + 1, column: failure.column)
        }
        nextRow += 1
    }

    private func writeString(_ bytes: UnsafeBufferPointer<UInt8>, _ row: UInt32, _ column: Int,
                             format: UnsafeMutablePointer<lxw_format>?, scratch: inout ByteBuffer) -> lxw_error {
        scratch.removeAll()
        if let base = bytes.baseAddress {
            if Self.hasEscapeLookalike(bytes) {
                // OOXML reads `_xHHHH_` in a string as the character HHHH; text that holds one
                // literally has its `_` written as `_x005F_`, as Excel does (libxlsxwriter does not).
                var i = 0
                while i < bytes.count {
                    if Self.isEscapeLookalike(bytes, at: i) {
                        "_x005F_".utf8.forEach { scratch.append($0) }
                    } else {
                        scratch.append(bytes[i])
                    }
                    i += 1
                }
            } else {
                scratch.append(base, count: bytes.count)
            }
        }
        // A NUL would end the C string early: it becomes a space.
        for i in 0..<scratch.count where scratch.base[i] == 0 { scratch.base[i] = 32 }
        scratch.append(0)
        return scratch.base.withMemoryRebound(to: CChar.self, capacity: scratch.count) {
            worksheet_write_string(worksheet, row, lxw_col_t(column), $0, format)
        }
    }

    /// Whether `bytes` holds `_xHHHH_` anywhere (rare: scanned for `_` first).
    static func hasEscapeLookalike(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 7, bytes.contains(UInt8(ascii: "_")) else { return false }
        return (0...(bytes.count - 7)).contains { isEscapeLookalike(bytes, at: $0) }
    }

    /// `_xHHHH_` starts at `i`.
    static func isEscapeLookalike(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 7 <= bytes.count, bytes[i] == UInt8(ascii: "_"), bytes[i + 1] == UInt8(ascii: "x"),
            bytes[i + 6] == UInt8(ascii: "_")
        else { return false }
        return (i + 2...i + 5).allSatisfy { index in
            let byte = bytes[index]
            return (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
        }
    }

    private func writeNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ row: UInt32, _ column: Int,
                             format: UnsafeMutablePointer<lxw_format>? = nil, scratch: inout ByteBuffer) -> lxw_error {
        // Integers past 15 digits would lose digits as numbers: they stay text.
        if let digits = NumberText.plainIntegerDigits(bytes), digits > 15 {
            return writeString(bytes, row, column, format: format, scratch: &scratch)
        }
        guard let value = NumberText.parseDouble(bytes) else {
            return writeString(bytes, row, column, format: format, scratch: &scratch)
        }
        return worksheet_write_number(worksheet, row, lxw_col_t(column), value, format)
    }

    /// Characters in a cell's text (its longest line), for fitted widths.
    private static func displayWidth(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var longest = 0, current = 0
        for byte in bytes {
            if byte == 10 {
                longest = max(longest, current)
                current = 0
            } else if byte & 0xC0 != 0x80 {
                current += 1
            }
        }
        return max(longest, current)
    }

    private func writeDate(_ bytes: UnsafeBufferPointer<UInt8>, _ row: UInt32, _ column: Int,
                           formats: (date: UnsafeMutablePointer<lxw_format>?, dateTime: UnsafeMutablePointer<lxw_format>?)? = nil,
                           fallback plain: UnsafeMutablePointer<lxw_format>? = nil,
                           scratch: inout ByteBuffer) -> lxw_error {
        // YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard bytes[i] >= 48 && bytes[i] <= 57 else { return nil }
                n = n * 10 + Int(bytes[i] - 48)
            }
            return n
        }
        guard bytes.count == 10 || bytes.count == 19, let y = number(0..<4), y >= 1900, let m = number(5..<7),
            let d = number(8..<10)
        else { return writeString(bytes, row, column, format: plain, scratch: &scratch) }
        var datetime = lxw_datetime(year: Int32(y), month: Int32(m), day: Int32(d), hour: 0, min: 0, sec: 0)
        if bytes.count == 19 {
            guard let h = number(11..<13), let mi = number(14..<16), let sec = number(17..<19) else {
                return writeString(bytes, row, column, format: plain, scratch: &scratch)
            }
            datetime.hour = Int32(h)
            datetime.min = Int32(mi)
            datetime.sec = Double(sec)
        }
        return worksheet_write_datetime(worksheet, row, lxw_col_t(column), &datetime,
                                        bytes.count == 19 ? (formats?.dateTime ?? dateTimeFormat) : (formats?.date ?? dateFormat))
    }

    /// Adds `summary` as a second sheet: section titles in bold, labels in column A, values in B,
    /// and a column chart of the first section marked `chart`. Call it once, before ``close()``.
    public func addSummary(_ summary: SummarySheet) throws {
        guard let workbook else { throw SpreadsheetError(.writeFailed, "the writer is closed", file: path) }
        let name = XLSXWriter.safeSheetName(summary.name)
        guard let sheet = workbook_add_worksheet(workbook, name) else {
            throw SpreadsheetError(.writeFailed, "cannot add the sheet '\(name)'", file: path)
        }
        worksheet_set_column(sheet, 0, 0, 46, nil)
        worksheet_set_column(sheet, 1, 1, 30, nil)
        // Printed or saved as PDF, the summary is one page wide.
        worksheet_fit_to_pages(sheet, 1, 0)
        var row: UInt32 = 0
        var chartRange: (first: UInt32, last: UInt32, title: String)?
        for section in summary.sections {
            worksheet_write_string(sheet, row, 0, section.title, boldFormat)
            row += 1
            let first = row
            for line in section.lines {
                worksheet_write_string(sheet, row, 0, line.label, nil)
                switch line.value {
                case .text(let text): worksheet_write_string(sheet, row, 1, text, nil)
                case .number(let number): worksheet_write_number(sheet, row, 1, number, nil)
                }
                row += 1
            }
            if section.chart, chartRange == nil, row > first { chartRange = (first, row - 1, section.title) }
            row += 1
        }
        guard let (first, last, title) = chartRange else { return }
        guard let chart = workbook_add_chart(workbook, UInt8(LXW_CHART_COLUMN.rawValue)) else {
            throw SpreadsheetError(.writeFailed, "cannot add a chart", file: path)
        }
        let quoted = "'" + String(name.flatMap { $0 == "'" ? ["'", "'"] : [$0] }) + "'"
        let categories = "=\(quoted)!$A$\(first + 1):$A$\(last + 1)"
        let values = "=\(quoted)!$B$\(first + 1):$B$\(last + 1)"
        // Each bar carries its count, so the chart reads without the axis.
        if let series = chart_add_series(chart, categories, values) { chart_series_set_labels(series) }
        chart_title_set_name(chart, title)
        chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue))
        // Below the figures, so the sheet prints on one page.
        let status = worksheet_insert_chart(sheet, row, 0, chart)
        guard status == LXW_NO_ERROR else {
            throw SpreadsheetError(.writeFailed, "cannot place the chart (\(String(cString: lxw_strerror(status))))",
                                   file: path)
        }
    }

    /// Adds the autofilter, closes the workbook and moves the file into place.
    public func close() throws {
        guard let workbook else { return }
        if options.header && widest > 0 {
            worksheet_autofilter(worksheet, 0, 0, max(nextRow, 1) - 1, lxw_col_t(widest - 1))
        }
        for (column, longest) in fitted.enumerated() where options.columnWidths[column] == nil {
            // The header's filter button takes about two characters.
            let width = Double(min(60, max(8, longest + 3)))
            worksheet_set_column(worksheet, lxw_col_t(column), lxw_col_t(column), width,
                                 options.textColumns.contains(column) ? textFormat : nil)
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
