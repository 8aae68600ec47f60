#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streams the rows of one worksheet. The work is split across threads: one inflates the part,
/// one parses it (libxml2's SAX2 parser and a handler that only records each cell's raw value,
/// type and style), and the caller's thread turns those raw cells into display text as it takes
/// each row; the shared strings load on a thread of their own meanwhile.
///
/// With two cores the XML parse is the long pole, so everything that can leave its thread does:
/// looking up shared strings, printing numbers and dates, and whatever the caller does with the
/// rows (writing CSV, validating) overlap with it. Memory stays flat whatever the number of rows:
/// a few batches and chunks are in flight, reused. `<dimension>` is never consulted.
final class XLSXSheetReader {
    private let job: ParseJob
    private let ring: HandoffRing<CellBatch>
    private let strings: SharedStrings
    private var resolver: CellResolver
    /// Each cell style's number format, for ``dateFormat(column:)``.
    private let formats: [NumberFormatRef]
    private var thread: pthread_t?
    /// The batch being read (owned by this thread until the next `ring.next()`), and its next row.
    private var cells: RawCells?
    private var head = 0
    private var finished = false
    private var row = Row(number: 0)
    /// Bytes of the sheet part parsed by the time the current batch was handed over.
    private var sheetBytes = 0

    init(workbook: XLSXWorkbook, sheet: SheetInfo) throws {
        guard let part = sheet.part, let entry = try workbook.archive.open(part) else {
            throw SpreadsheetError(.missingPart, "the part of sheet '\(sheet.name)' is missing", part: sheet.part)
        }
        let styles = try workbook.styles()
        formats = styles.formats
        strings = try workbook.sharedStrings()
        resolver = CellResolver(strings: strings, styles: styles, date1904: workbook.date1904,
                                maxCellCharacters: workbook.archive.limits.maxCellCharacters)
        ring = HandoffRing((0..<4).map { _ in CellBatch() })
        job = ParseJob(entry: entry, handler: SheetHandler(ring: ring), ring: ring)
    }

    deinit {
        // A parse waiting for a free batch gives up; then the thread ends. The shared-strings loader
        // is waited for too, so nothing of this reader runs on after it.
        strings.stopAndWait()
        ring.stop()
        if let thread { pthread_join(thread, nil) }
        resolver.deallocate()
    }

    func next() throws -> Row? {
        if thread == nil { thread = try Threads.start { [job] in job.run() } }
        while true {
            if let cells, head < cells.rows.count {
                head += 1
                try resolver.build(row: head - 1, of: cells, into: &self.row)
                return row
            }
            if finished { return nil }
            head = 0
            cells = nil
            guard let batch = try ring.next() else {
                finished = true
                // A problem in the shared strings surfaces even if no cell needed the strings past it.
                try strings.waitUntilLoaded()
                return nil
            }
            cells = batch.cells
            sheetBytes = batch.cells.sourceBytes
        }
    }

    /// Bytes of the parts the rows so far came from: the sheet XML parsed and the shared strings
    /// loaded. What the rows expand to is measured against this.
    var sourceBytes: Int64 { Int64(sheetBytes) + Int64(resolver.stringBytesLoaded) }

    /// The number format of the last date cell read in `column` (0-based), if any.
    func dateFormat(column: Int) -> NumberFormatRef? {
        guard column < resolver.dateStyles.count else { return nil }
        let style = Int(resolver.dateStyles[column])
        return style >= 0 && style < formats.count ? formats[style] : nil
    }
}

/// Cells as the sheet stores them, before they become text: what the parsing thread hands over.
/// Plain values over manually managed memory; exactly one holder owns each set at a time.
private struct RawCells {
    struct RawRow {
        var number: Int
        /// The index in `cells` past this row's last cell (its first is the previous row's end).
        var cellEnd: Int
    }

    struct RawCell {
        var valueStart: UInt32
        var valueLength: UInt32
        var column: UInt32
        var style: UInt32
        var kind: CellKind
    }

    enum CellKind: UInt8 {
        case number, shared, inline, formulaString, boolean, error, isoDate
    }

    var rows = ManualBuffer<RawRow>(capacity: 256)
    var cells = ManualBuffer<RawCell>(capacity: 4096)
    var values = ByteBuffer(capacity: 64 << 10)
    /// Bytes of the sheet part parsed when these rows were handed over.
    var sourceBytes = 0

    mutating func removeAll() {
        rows.removeAll()
        cells.removeAll()
        values.removeAll()
    }

    func deallocate() {
        rows.deallocate()
        cells.deallocate()
        values.deallocate()
    }
}

/// One slot of the ring between the parsing thread and the caller.
private final class CellBatch {
    var cells = RawCells()
    deinit { cells.deallocate() }
}

/// What the parsing thread owns: the part's reader and the handler.
private final class ParseJob: @unchecked Sendable {
    // @unchecked Sendable: created on the caller's thread, then used only by the parsing thread; cells
    // leave it through the ring.
    private let entry: ZipEntryReader
    private let handler: SheetHandler
    private let ring: HandoffRing<CellBatch>

    init(entry: ZipEntryReader, handler: SheetHandler, ring: HandoffRing<CellBatch>) {
        self.entry = entry
        self.handler = handler
        self.ring = ring
    }

    func run() {
        let chunks = ChunkPrefetcher(entry: entry)
        var failure: Error?
        do {
            try XMLStreamParser.parse(entry.name, handler: handler) { [handler] buffer in
                let count = try chunks.read(into: buffer)
                handler.parsedBytes += count
                return count
            }
        } catch {
            failure = error
        }
        // Rows completed before a problem are delivered before it.
        handler.handOff()
        ring.finish(failure)
    }
}

/// SAX handler for `sheetData`: records rows and their cells' raw values.
///
/// The parse state lives in a struct behind a pointer the handler owns: the callbacks run for every
/// element and character run of a million-row sheet, and state reached through a pointer costs no
/// dynamic exclusivity checks or reference counting, which class properties would.
private final class SheetHandler: SAXHandler {
    private let state: UnsafeMutablePointer<SheetState>
    private let ring: HandoffRing<CellBatch>
    /// Rows per batch: enough to make the hand-over rare, few enough to keep memory small.
    private static let batchRows = 256
    /// Bytes of the part fed to the parser so far (parsing thread only).
    var parsedBytes = 0

    init(ring: HandoffRing<CellBatch>) {
        self.ring = ring
        state = .allocate(capacity: 1)
        state.initialize(to: SheetState())
    }

    deinit {
        state.pointee.cells.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Passes the completed rows to the caller, swapping in a delivered batch's memory for reuse.
    func handOff() {
        guard state.pointee.cells.rows.count > 0 else { return }
        guard let batch = ring.acquire() else {
            // The caller let go of the reader.
            return fail(SpreadsheetError(.readFailed, "the reader was closed"))
        }
        state.pointee.cells.sourceBytes = parsedBytes
        swap(&batch.cells, &state.pointee.cells)
        state.pointee.cells.removeAll()
        ring.publish()
    }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        state.pointee.startElement(name, attributes)
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        state.pointee.endElement(name)
        if state.pointee.cells.rows.count == SheetHandler.batchRows { handOff() }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if state.pointee.collecting { state.pointee.cells.values.append(bytes, count: count) }
    }
}

private struct SheetState {
    /// Completed rows not yet handed off, and the row being read.
    var cells = RawCells()

    var inRow = false
    var rowNumber = 0
    var column = -1
    var cellKind: RawCells.CellKind = .number
    var cellStyle: UInt32 = 0
    var valueStart = 0
    var collecting = false
    var inInlineString = false
    var phoneticDepth = 0
    var textStart = 0
    var preserveSpace = false

    @inline(__always)
    mutating func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            startCell(attributes)
        case UInt8(ascii: "v") where name[1] == 0:
            // An inline-string cell's text is in <is>; a stray <v> beside it is ignored.
            if inRow && cellKind != .inline { collecting = true }
        case UInt8(ascii: "t") where name[1] == 0:
            if inInlineString && phoneticDepth == 0 {
                collecting = true
                textStart = cells.values.count
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

    @inline(__always)
    mutating func endElement(_ name: UnsafePointer<UInt8>) {
        switch name[0] {
        case UInt8(ascii: "c") where name[1] == 0:
            endCell()
        case UInt8(ascii: "v") where name[1] == 0:
            collecting = false
        case UInt8(ascii: "t") where name[1] == 0:
            if collecting && !preserveSpace { WhitespaceRule.trim(&cells.values, from: textStart) }
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

    private mutating func startRow(_ attributes: SAXAttributes) {
        var number = rowNumber + 1
        if let r = attributes.value("r"), let parsed = CellText.parseInt(r), parsed > 0 {
            number = parsed
        }
        rowNumber = number
        inRow = true
        column = -1
    }

    private mutating func endRow() {
        guard inRow else { return }
        inRow = false
        cells.rows.append(RawCells.RawRow(number: rowNumber, cellEnd: cells.cells.count))
    }

    @inline(__always)
    private mutating func startCell(_ attributes: SAXAttributes) {
        guard inRow else { return }
        var target = column + 1
        cellStyle = 0
        cellKind = .number
        // One pass over the attributes: r, s and t are all a cell carries.
        if let base = attributes.base {
            for i in 0..<attributes.count {
                let entry = base + i * 5
                guard let local = entry[0], local[1] == 0, let start = entry[3], let end = entry[4] else { continue }
                let text = UnsafeBufferPointer(start: start, count: end - start)
                switch local[0] {
                case UInt8(ascii: "r"):
                    if let parsed = CellText.columnIndex(text) { target = parsed }
                case UInt8(ascii: "s"):
                    cellStyle = UInt32(truncatingIfNeeded: CellText.parseInt(text) ?? 0)
                case UInt8(ascii: "t"):
                    guard let first = text.first else { break }
                    switch first {
                    case UInt8(ascii: "s"): cellKind = text.count == 1 ? .shared : .formulaString
                    case UInt8(ascii: "i"): cellKind = .inline
                    case UInt8(ascii: "b"): cellKind = .boolean
                    case UInt8(ascii: "e"): cellKind = .error
                    case UInt8(ascii: "d"): cellKind = .isoDate
                    default: cellKind = .number
                    }
                default:
                    break
                }
            }
        }
        column = max(target, column + 1)
        valueStart = cells.values.count
    }

    @inline(__always)
    private mutating func endCell() {
        guard inRow else { return }
        collecting = false
        cells.cells.append(RawCells.RawCell(valueStart: UInt32(truncatingIfNeeded: valueStart),
                                            valueLength: UInt32(truncatingIfNeeded: cells.values.count - valueStart),
                                            column: UInt32(truncatingIfNeeded: column), style: cellStyle,
                                            kind: cellKind))
    }
}

/// Turns raw cells into display text, on the caller's thread.
private struct CellResolver {
    /// Owns the arena that `stringBytes` and `stringOffsets` point into.
    let strings: SharedStrings
    let stringBytes: UnsafePointer<UInt8>
    let stringOffsets: UnsafePointer<UInt32>
    /// Strings known to be loaded; refreshed from the table when a cell needs a later one.
    var stringsAvailable = 0
    /// Date kind per cell style, in memory this resolver owns.
    let styleKinds: UnsafeMutableBufferPointer<NumberText.DateKind>
    let date1904: Bool
    let maxCellCharacters: Int
    /// The style of the last date cell seen in each column (-1: none yet).
    var dateStyles: [Int32] = []

    init(strings: SharedStrings, styles: CellStyles, date1904: Bool, maxCellCharacters: Int) {
        self.strings = strings
        (stringBytes, stringOffsets) = strings.arena
        styleKinds = .allocate(capacity: styles.kinds.count)
        _ = styleKinds.initialize(from: styles.kinds)
        self.date1904 = date1904
        self.maxCellCharacters = maxCellCharacters
    }

    /// Bytes of the shared strings this resolver has seen loaded.
    var stringBytesLoaded: Int { stringsAvailable > 0 ? Int(stringOffsets[stringsAvailable]) : 0 }

    func deallocate() { styleKinds.deallocate() }

    /// Builds row `index` of `batch` into `row`, reusing its storage.
    mutating func build(row index: Int, of batch: RawCells, into row: inout Row) throws {
        let rows = batch.rows.buffer, cells = batch.cells.buffer, values = batch.values.base
        let raw = rows[index]
        row.reset(number: raw.number)
        for i in (index == 0 ? 0 : rows[index - 1].cellEnd)..<raw.cellEnd {
            let cell = cells[i]
            let column = Int(cell.column)
            while row.count < column { row.appendEmpty() }
            let value = UnsafeBufferPointer(start: values + Int(cell.valueStart), count: Int(cell.valueLength))
            try append(value, cell, to: &row, rowNumber: raw.number)
        }
        // Styled but empty cells (often out to column XFD) are not data.
        row.trimTrailingEmpty()
    }

    @inline(__always)
    private mutating func append(_ value: UnsafeBufferPointer<UInt8>, _ cell: RawCells.RawCell, to row: inout Row,
                                 rowNumber: Int) throws {
        let column = Int(cell.column)
        let start = row.bytes.count
        var type = CellType.text
        var lost = false
        switch cell.kind {
        case .shared:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            guard let index = CellText.parseInt(value) else {
                throw SpreadsheetError(.malformedXML, "a shared-string cell holds no string number",
                                       row: rowNumber, column: column)
            }
            if index >= stringsAvailable {
                do {
                    stringsAvailable = try strings.waitFor(index)
                } catch {
                    throw error as? SpreadsheetError
                        ?? SpreadsheetError(.readFailed, "the shared strings cannot be read", row: rowNumber)
                }
            }
            guard index < stringsAvailable else {
                throw SpreadsheetError(.malformedXML, "a cell refers to shared string \(index + 1), but the workbook "
                                       + "has only \(stringsAvailable)", row: rowNumber, column: column)
            }
            let start = Int(stringOffsets[index]), end = Int(stringOffsets[index + 1])
            row.bytes.append(contentsOf: UnsafeBufferPointer(start: stringBytes + start, count: end - start))
        case .inline, .formulaString:
            EscapedText.append(value, to: &row.bytes)
        case .boolean:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            type = .boolean
            let yes = value.first == UInt8(ascii: "1") || value.first == UInt8(ascii: "t")
            row.bytes.append(contentsOf: yes ? CellText.trueText : CellText.falseText)
        case .error:
            type = .error
            row.bytes.append(contentsOf: value)
        case .isoDate:
            type = .date
            CellText.appendISODate(value, to: &row.bytes)
        case .number:
            guard !value.isEmpty else {
                type = .empty
                break
            }
            let style = Int(cell.style)
            let kind = style < styleKinds.count ? styleKinds[style] : .none
            if kind != .none, let serial = NumberText.parseDouble(value),
                NumberText.appendDate(serial: serial, kind: kind, date1904: date1904, to: &row.bytes)
            {
                type = .date
                if column >= dateStyles.count { dateStyles += Array(repeating: -1, count: column + 1 - dateStyles.count) }
                dateStyles[column] = Int32(style)
            } else {
                type = .number
                lost = NumberText.appendNumber(value, to: &row.bytes)
            }
        }
        let length = row.bytes.count - start
        if length == 0 && type == .text { type = .empty }
        if length > maxCellCharacters {
            try checkCellLength(row.bytes[start...], rowNumber: rowNumber, column: column)
        }
        row.spans.append(Row.CellSpan(start: UInt32(start), length: UInt32(length), type: type, precisionLost: lost))
    }
}

extension CellResolver {
    /// Refuses a cell longer than Excel allows: a shared string of a megabyte used in thousands of
    /// cells would otherwise write gigabytes. Called only when the bytes already exceed the limit.
    func checkCellLength(_ text: ArraySlice<UInt8>, rowNumber: Int, column: Int) throws {
        // Characters are the bytes that do not continue a UTF-8 sequence.
        let characters = text.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        guard characters > maxCellCharacters else { return }
        throw SpreadsheetError(
            .cellTooLong,
            "a cell holds \(Counted.grouped(characters)) characters, more than the \(Counted.grouped(maxCellCharacters)) "
                + "a cell may hold (Excel's own limit), so Excel did not save it this way; if the file is genuine, "
                + "raise --max-cell-chars",
            row: rowNumber, column: column)
    }
}

/// Byte-level helpers for cell values and references.
private enum CellText {
    static let trueText = Array("TRUE".utf8)
    static let falseText = Array("FALSE".utf8)

    /// `2021-03-04T00:00:00Z` → `2021-03-04`; a time part other than midnight is kept.
    static func appendISODate(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
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
