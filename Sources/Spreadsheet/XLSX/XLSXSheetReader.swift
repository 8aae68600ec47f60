/// Streams the rows of one worksheet: libzip inflates the part in chunks, libxml2's push parser
/// turns each chunk into SAX events, and the handler builds rows in reused buffers.
///
/// Memory stays flat whatever the number of rows; `<dimension>` is never consulted.
final class XLSXSheetReader {
    private let entry: ZipEntryReader
    private let parser: XMLPushParser
    private let handler: SheetHandler
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false
    private var head = 0

    init(workbook: XLSXWorkbook, sheet: SheetInfo) throws {
        guard let part = sheet.part, let entry = try workbook.archive.open(part) else {
            throw SpreadsheetError(.missingPart, "the part of sheet '\(sheet.name)' is missing", part: sheet.part)
        }
        self.entry = entry
        handler = SheetHandler(strings: try workbook.sharedStrings(), styles: try workbook.styles(),
                               date1904: workbook.date1904)
        parser = try XMLPushParser(handler: handler, part: part)
        buffer = .allocate(byteCount: 128 << 10, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func next() throws -> Row? {
        while head == handler.readyCount {
            if finished { return nil }
            handler.recycleDeliveredRows()
            head = 0
            let n = try entry.read(into: buffer)
            try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), last: n == 0)
            if n == 0 { finished = true }
        }
        let row = handler.rows[head]
        head += 1
        return row
    }
}

/// SAX handler for `sheetData`: rows and cells, values resolved to display text.
private final class SheetHandler: SAXHandler {
    private let strings: SharedStrings
    private let styles: CellStyles
    private let date1904: Bool

    /// Completed rows of the current chunk; slots are reused from chunk to chunk.
    var rows: [Row] = []
    var readyCount = 0

    private var inRow = false
    private var rowNumber = 0
    private var column = -1
    private var cellType: CellKind = .number
    private var cellStyle = 0
    private var collecting = false
    private var inInlineString = false
    private var phoneticDepth = 0
    private var value: [UInt8] = []
    private var textStart = 0
    private var preserveSpace = false

    private enum CellKind {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    /// Called once every completed row was handed out: slots are reused, and a row still being
    /// built (it spans chunks) moves to the first slot.
    func recycleDeliveredRows() {
        if inRow && readyCount > 0 { rows.swapAt(0, readyCount) }
        readyCount = 0
    }

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool) {
        self.strings = strings
        self.styles = styles
        self.date1904 = date1904
        value.reserveCapacity(256)
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            startCell(attributes)
        case UInt8(ascii: "v") where name[1] == 0:
            // An inline-string cell's text is in <is>; a stray <v> beside it is ignored.
            if inRow && cellType != .inline { collecting = true }
        case UInt8(ascii: "t") where name[1] == 0:
            if inInlineString && phoneticDepth == 0 {
                collecting = true
                textStart = value.count
                preserveSpace = WhitespaceRule.preserves(attributes)
            }
        case UInt8(ascii: "i") where SAXName.equals(name, "is"):
            inInlineString = true
        case UInt8(ascii: "r"):
            if name[1] == UInt8(ascii: "o") && SAXName.equals(name, "row") {
                startRow(attributes)
            } else if SAXName.equals(name, "rPh") {
                phoneticDepth += 1
            }
        default:
            break
        }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            endCell()
        case UInt8(ascii: "v") where name[1] == 0:
            collecting = false
        case UInt8(ascii: "t") where name[1] == 0:
            if collecting && !preserveSpace { WhitespaceRule.trim(&value, from: textStart) }
            collecting = false
        case UInt8(ascii: "i") where SAXName.equals(name, "is"):
            inInlineString = false
        case UInt8(ascii: "r"):
            if name[1] == UInt8(ascii: "o") && SAXName.equals(name, "row") {
                endRow()
            } else if SAXName.equals(name, "rPh") {
                phoneticDepth -= 1
            }
        default:
            break
        }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if collecting { value.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count)) }
    }

    private func startRow(_ attributes: SAXAttributes) {
        var number = rowNumber + 1
        if let r = attributes.value("r"), let parsed = SheetHandler.parseInt(r), parsed > 0 {
            number = parsed
        }
        rowNumber = number
        if readyCount == rows.count { rows.append(Row(number: number)) }
        rows[readyCount].reset(number: number)
        inRow = true
        column = -1
    }

    private func endRow() {
        guard inRow else { return }
        inRow = false
        // Styled but empty cells (often out to column XFD) are not data.
        rows[readyCount].trimTrailingEmpty()
        readyCount += 1
    }

    private func startCell(_ attributes: SAXAttributes) {
        guard inRow else { return }
        var target = column + 1
        if let r = attributes.value("r"), let parsed = SheetHandler.columnIndex(r) { target = parsed }
        column = max(target, column + 1)
        cellStyle = attributes.value("s").flatMap(SheetHandler.parseInt) ?? 0
        cellType = .number
        if let t = attributes.value("t"), !t.isEmpty {
            switch t[0] {
            case UInt8(ascii: "s"): cellType = t.count == 1 ? .shared : .formulaString
            case UInt8(ascii: "i"): cellType = .inline
            case UInt8(ascii: "b"): cellType = .boolean
            case UInt8(ascii: "e"): cellType = .error
            case UInt8(ascii: "d"): cellType = .isoDate
            default: cellType = .number
            }
        }
        value.removeAll(keepingCapacity: true)
    }

    private func endCell() {
        guard inRow else { return }
        collecting = false
        let slot = readyCount
        while rows[slot].count < column { rows[slot].appendEmpty() }
        value.withUnsafeBufferPointer { value in
            appendCell(value, to: &rows[slot])
        }
    }

    private func appendCell(_ value: UnsafeBufferPointer<UInt8>, to row: inout Row) {
        let start = row.bytes.count
        var type = CellType.text
        var lost = false
        switch cellType {
        case .shared:
            guard !value.isEmpty else { type = .empty; break }
            guard let index = SheetHandler.parseInt(value),
                strings.withString(index, { row.bytes.append(contentsOf: $0) }) != nil
            else {
                fail(SpreadsheetError(.malformedXML, "a cell refers to shared string that does not exist",
                                      row: rowNumber, column: column))
                return
            }
        case .inline, .formulaString:
            EscapedText.append(value, to: &row.bytes)
        case .boolean:
            guard !value.isEmpty else { type = .empty; break }
            type = .boolean
            row.bytes.append(contentsOf: value.first == UInt8(ascii: "1") || value.first == UInt8(ascii: "t")
                             ? Array("TRUE".utf8) : Array("FALSE".utf8))
        case .error:
            type = .error
            row.bytes.append(contentsOf: value)
        case .isoDate:
            type = .date
            SheetHandler.appendISODate(value, to: &row.bytes)
        case .number:
            guard !value.isEmpty else { type = .empty; break }
            let kind = styles.kind(cellStyle)
            if kind != .none, let serial = NumberText.parseDouble(value),
                NumberText.appendDate(serial: serial, kind: kind, date1904: date1904, to: &row.bytes)
            {
                type = .date
            } else {
                type = .number
                lost = NumberText.appendNumber(value, to: &row.bytes)
            }
        }
        let length = row.bytes.count - start
        if length == 0 && type == .text { type = .empty }
        row.spans.append(Row.CellSpan(start: UInt32(start), length: UInt32(length), type: type, precisionLost: lost))
    }

    /// `2021-03-04T00:00:00Z` → `2021-03-04`; a time part other than midnight is kept.
    private static func appendISODate(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var end = value.count
        if let z = value.firstIndex(where: { $0 == UInt8(ascii: "Z") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") }),
            z > 10
        {
            end = z
        }
        let text = UnsafeBufferPointer(rebasing: value[0..<end])
        let midnight = Array("T00:00:00".utf8)
        if text.count == 19, Array(text[10..<19]) == midnight {
            out.append(contentsOf: text[0..<10])
        } else {
            out.append(contentsOf: text)
        }
    }

    @inline(__always)
    static func parseInt(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count < 19 else { return nil }
        var n = 0
        for c in bytes {
            guard c >= 48 && c <= 57 else { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }

    /// The 0-based column of a reference such as `AB12` (or `$AB$12`).
    @inline(__always)
    static func columnIndex(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var n = 0
        var letters = 0
        for c in bytes {
            switch c {
            case 65...90: n = n * 26 + Int(c - 64); letters += 1
            case 97...122: n = n * 26 + Int(c - 96); letters += 1
            case UInt8(ascii: "$"): continue
            default:
                return letters > 0 && letters <= 3 ? n - 1 : nil
            }
        }
        return letters > 0 && letters <= 3 ? n - 1 : nil
    }
}
