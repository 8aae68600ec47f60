/// One row read from a sheet or a CSV file, with the row number a person would see in the source.
///
/// Cells are kept as UTF-8 bytes in one buffer until something asks for text, so reading a
/// million rows costs no allocation per cell. A row is a value: keeping it is safe, and the
/// reader reuses its storage only when the caller has let go of the previous row.
public struct Row: Sendable {
    /// The 1-based row number in the source (the sheet's row number, or the CSV record number).
    public var number: Int

    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var spans: [CellSpan] = []

    @usableFromInline
    struct CellSpan: Sendable {
        @usableFromInline var start: UInt32
        @usableFromInline var length: UInt32
        @usableFromInline var type: CellType
        @usableFromInline var precisionLost: Bool

        @usableFromInline
        init(start: UInt32, length: UInt32, type: CellType, precisionLost: Bool) {
            self.start = start
            self.length = length
            self.type = type
            self.precisionLost = precisionLost
        }
    }

    public init(number: Int, cells: [Cell] = []) {
        self.number = number
        for cell in cells { append(cell) }
    }

    /// Number of cells, up to the last one the source stored (empty ones in between included).
    public var count: Int { spans.count }

    /// The cell at a 0-based column; columns past the end are empty.
    public subscript(column: Int) -> Cell {
        guard column >= 0, column < spans.count else { return .empty }
        let span = spans[column]
        let text = bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(span.start)..<Int(span.start + span.length)]),
                   as: UTF8.self)
        }
        return Cell(text: text, type: span.type, precisionLost: span.precisionLost)
    }

    /// Every cell in order.
    public var cells: [Cell] { (0..<count).map { self[$0] } }

    /// True when no cell has any text.
    public var isBlank: Bool { spans.allSatisfy { $0.length == 0 } }

    /// Columns (0-based) whose numbers had more than 15 digits, so Excel already lost some.
    public var columnsWithLostDigits: [Int] {
        hasLostDigits ? spans.indices.filter { spans[$0].precisionLost } : []
    }

    /// Whether any number in the row had more than 15 digits (cheap: no allocation).
    public var hasLostDigits: Bool {
        spans.withUnsafeBufferPointer { spans in spans.contains { $0.precisionLost } }
    }

    /// The type of the cell at a 0-based column.
    public func type(at column: Int) -> CellType {
        column < spans.count ? spans[column].type : .empty
    }

    /// Calls `body` with the UTF-8 bytes of the cell at `column` without making a `String`.
    @inlinable
    public func withUTF8<R>(at column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard column < spans.count else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let span = spans[column]
        return try bytes.withUnsafeBufferPointer { buffer in
            try body(UnsafeBufferPointer(rebasing: buffer[Int(span.start)..<Int(span.start + span.length)]))
        }
    }

    /// Calls `body` with each cell's column, UTF-8 bytes and type, in order, without making strings.
    @inlinable
    public func forEachCell(_ body: (Int, UnsafeBufferPointer<UInt8>, CellType) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { bytes in
            try spans.withUnsafeBufferPointer { spans in
                for (column, span) in spans.enumerated() {
                    try body(column, UnsafeBufferPointer(rebasing: bytes[Int(span.start)..<Int(span.start + span.length)]),
                             span.type)
                }
            }
        }
    }

    /// Appends a cell from its UTF-8 bytes, without making a `String`.
    public mutating func append(utf8: UnsafeBufferPointer<UInt8>, type: CellType) {
        appendBytes(utf8, type: type)
    }

    /// Appends a cell.
    public mutating func append(_ cell: Cell) {
        var text = cell.text
        text.withUTF8 { appendBytes($0, type: cell.type, precisionLost: cell.precisionLost) }
    }

    @inlinable
    mutating func appendBytes(_ utf8: UnsafeBufferPointer<UInt8>, type: CellType, precisionLost: Bool = false) {
        let start = UInt32(bytes.count)
        bytes.append(contentsOf: utf8)
        spans.append(CellSpan(start: start, length: UInt32(utf8.count),
                              type: utf8.isEmpty && type == .text ? .empty : type, precisionLost: precisionLost))
    }

    @inlinable
    mutating func appendEmpty() {
        spans.append(CellSpan(start: UInt32(bytes.count), length: 0, type: .empty, precisionLost: false))
    }

    /// Empties the row, keeping its storage for the next one.
    @inlinable
    public mutating func reset(number: Int) {
        self.number = number
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Drops trailing empty cells.
    mutating func trimTrailingEmpty() {
        while let last = spans.last, last.length == 0 { spans.removeLast() }
    }
}
