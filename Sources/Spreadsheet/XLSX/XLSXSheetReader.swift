/// Streams the rows of one worksheet: libzip inflates the part in chunks, libxml2's push parser
/// turns each chunk into SAX events, and the handler builds rows in reused buffers.
///
/// Memory stays flat whatever the number of rows; `<dimension>` is never consulted.
final class XLSXSheetReader {
    private let chunks: ChunkPrefetcher
    private let parser: XMLPushParser
    private let handler: SheetHandler
    private let strings: SharedStrings
    private var finished = false
    private var head = 0

    init(workbook: XLSXWorkbook, sheet: SheetInfo) throws {
        guard let part = sheet.part, let entry = try workbook.archive.open(part) else {
            throw SpreadsheetError(.missingPart, "the part of sheet '\(sheet.name)' is missing", part: sheet.part)
        }
        let styles = try workbook.styles()
        strings = try workbook.sharedStrings()
        handler = SheetHandler(strings: strings, styles: styles, date1904: workbook.date1904)
        parser = try XMLPushParser(handler: handler, part: part)
        chunks = ChunkPrefetcher(entry: entry)
    }

    deinit { strings.stop() }

    func next() throws -> Row? {
        while head == handler.readyCount {
            if finished {
                // A problem in the shared strings surfaces even if no cell needed the strings past it.
                try strings.waitUntilLoaded()
                return nil
            }
            handler.recycleDeliveredRows()
            head = 0
            let chunk = try chunks.next()
            try parser.feed(chunk, last: chunk.isEmpty)
            if chunk.isEmpty { finished = true }
        }
        let row = handler.row(at: head)
        head += 1
        return row
    }
}

/// SAX handler for `sheetData`: rows and cells, values resolved to display text.
///
/// The parse state lives in a struct behind a pointer the handler owns: the callbacks run for every
/// element and character run of a million-row sheet, and state reached through a pointer costs no
/// dynamic exclusivity checks or reference counting, which class properties would.
private final class SheetHandler: SAXHandler {
    private let state: UnsafeMutablePointer<SheetState>

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool) {
        state = .allocate(capacity: 1)
        state.initialize(to: SheetState(strings: strings, styles: styles, date1904: date1904))
    }

    deinit {
        state.pointee.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var readyCount: Int { state.pointee.readyCount }

    func row(at index: Int) -> Row { state.pointee.rows[index] }

    /// Called once every completed row was handed out: slots are reused, and a row still being
    /// built (it spans chunks) moves to the first slot.
    func recycleDeliveredRows() {
        state.pointee.recycle()
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        state.pointee.startElement(name, attributes)
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if let problem = state.pointee.endElement(name) { fail(problem) }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if state.pointee.collecting { state.pointee.value.append(bytes, count: count) }
    }
}

private struct SheetState {
    /// Owns the arena that `stringBytes` and `stringOffsets` point into.
    let strings: SharedStrings
    let stringBytes: UnsafePointer<UInt8>
    let stringOffsets: UnsafePointer<UInt32>
    /// Strings known to be loaded; refreshed from the table when a cell needs a later one.
    var stringsAvailable = 0
    /// Date kind per cell style, in memory this state owns.
    let styleKinds: UnsafeMutableBufferPointer<NumberText.DateKind>
    let date1904: Bool

    /// Completed rows of the current chunk; slots are reused from chunk to chunk.
    var rows: [Row] = []
    var readyCount = 0

    var inRow = false
    var rowNumber = 0
    var column = -1
    var cellType: CellKind = .number
    var cellStyle = 0
    var collecting = false
    var inInlineString = false
    var phoneticDepth = 0
    var value = ByteBuffer(capacity: 1024)
    var textStart = 0
    var preserveSpace = false

    enum CellKind {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool) {
        self.strings = strings
        (stringBytes, stringOffsets) = strings.arena
        styleKinds = .allocate(capacity: styles.kinds.count)
        _ = styleKinds.initialize(from: styles.kinds)
        self.date1904 = date1904
    }

    func deallocate() {
        value.deallocate()
        styleKinds.deallocate()
    }

    mutating func recycle() {
        if inRow && readyCount > 0 { rows.swapAt(0, readyCount) }
        readyCount = 0
    }

    @inline(__always)
    mutating func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
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

    /// Returns a problem that must stop the parse.
    @inline(__always)
    mutating func endElement(_ name: UnsafePointer<UInt8>) -> SpreadsheetError? {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            return endCell()
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
        return nil
    }

    private mutating func startRow(_ attributes: SAXAttributes) {
        var number = rowNumber + 1
        if let r = attributes.value("r"), let parsed = SheetState.parseInt(r), parsed > 0 {
            number = parsed
        }
        rowNumber = number
        if readyCount == rows.count { rows.append(Row(number: number)) }
        rows[readyCount].reset(number: number)
        inRow = true
        column = -1
    }

    private mutating func endRow() {
        guard inRow else { return }
        inRow = false
        // Styled but empty cells (often out to column XFD) are not data.
        rows[readyCount].trimTrailingEmpty()
        readyCount += 1
    }

    @inline(__always)
    private mutating func startCell(_ attributes: SAXAttributes) {
        guard inRow else { return }
        var target = column + 1
        cellStyle = 0
        cellType = .number
        // One pass over the attributes: r, s and t are all a cell carries.
        if let base = attributes.base {
            for i in 0..<attributes.count {
                let entry = base + i * 5
                guard let local = entry[0], local[1] == 0, let start = entry[3], let end = entry[4] else { continue }
                let text = UnsafeBufferPointer(start: start, count: end - start)
                switch local[0] {
                case UInt8(ascii: "r"):
                    if let parsed = SheetState.columnIndex(text) { target = parsed }
                case UInt8(ascii: "s"):
                    cellStyle = SheetState.parseInt(text) ?? 0
                case UInt8(ascii: "t"):
                    guard let first = text.first else { break }
                    switch first {
                    case UInt8(ascii: "s"): cellType = text.count == 1 ? .shared : .formulaString
                    case UInt8(ascii: "i"): cellType = .inline
                    case UInt8(ascii: "b"): cellType = .boolean
                    case UInt8(ascii: "e"): cellType = .error
                    case UInt8(ascii: "d"): cellType = .isoDate
                    default: cellType = .number
                    }
                default:
                    break
                }
            }
        }
        column = max(target, column + 1)
        value.removeAll()
    }

    @inline(__always)
    private mutating func endCell() -> SpreadsheetError? {
        guard inRow else { return nil }
        collecting = false
        let slot = readyCount
        if cellType == .shared, let index = SheetState.parseInt(value.buffer), index >= stringsAvailable {
            do {
                stringsAvailable = try strings.waitFor(index)
            } catch {
                return error as? SpreadsheetError
                    ?? SpreadsheetError(.readFailed, "the shared strings cannot be read", row: rowNumber)
            }
        }
        let cell = CellContext(stringBytes: stringBytes, stringOffsets: stringOffsets, stringCount: stringsAvailable,
                               dateKind: cellStyle < styleKinds.count ? styleKinds[cellStyle] : .none,
                               date1904: date1904, kind: cellType, rowNumber: rowNumber, column: column)
        let value = self.value.buffer
        return rows.withUnsafeMutableBufferPointer { rows in
            while rows[slot].count < cell.column { rows[slot].appendEmpty() }
            return SheetState.appendCell(value, cell, to: &rows[slot])
        }
    }

    /// What the cell's value needs to become text.
    struct CellContext {
        let stringBytes: UnsafePointer<UInt8>
        let stringOffsets: UnsafePointer<UInt32>
        let stringCount: Int
        let dateKind: NumberText.DateKind
        let date1904: Bool
        let kind: CellKind
        let rowNumber: Int
        let column: Int
    }

    @inline(__always)
    private static func appendCell(_ value: UnsafeBufferPointer<UInt8>, _ cell: CellContext,
                                   to row: inout Row) -> SpreadsheetError? {
        let cellType = cell.kind, rowNumber = cell.rowNumber, column = cell.column
        let start = row.bytes.count
        var type = CellType.text
        var lost = false
        switch cellType {
        case .shared:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            guard let index = SheetState.parseInt(value), index < cell.stringCount else {
                return SpreadsheetError(.malformedXML, "a cell refers to a shared string that does not exist",
                                        row: rowNumber, column: column)
            }
            let start = Int(cell.stringOffsets[index]), end = Int(cell.stringOffsets[index + 1])
            row.bytes.append(contentsOf: UnsafeBufferPointer(start: cell.stringBytes + start, count: end - start))
        case .inline, .formulaString:
            EscapedText.append(value, to: &row.bytes)
        case .boolean:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            type = .boolean
            let yes = value.first == UInt8(ascii: "1") || value.first == UInt8(ascii: "t")
            row.bytes.append(contentsOf: yes ? SheetState.trueText : SheetState.falseText)
        case .error:
            type = .error
            row.bytes.append(contentsOf: value)
        case .isoDate:
            type = .date
            SheetState.appendISODate(value, to: &row.bytes)
        case .number:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            let kind = cell.dateKind
            if kind != .none, let serial = NumberText.parseDouble(value),
                NumberText.appendDate(serial: serial, kind: kind, date1904: cell.date1904, to: &row.bytes)
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
        return nil
    }

    private static let trueText = Array("TRUE".utf8)
    private static let falseText = Array("FALSE".utf8)

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
            n = n &* 10 &+ Int(c &- 48)
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
            case 65...90:
                n = n &* 26 &+ Int(c &- 64)
                letters += 1
            case 97...122:
                n = n &* 26 &+ Int(c &- 96)
                letters += 1
            case UInt8(ascii: "$"):
                continue
            default:
                return letters > 0 && letters <= 3 ? n - 1 : nil
            }
        }
        return letters > 0 && letters <= 3 ? n - 1 : nil
    }
}
