/// Writes RFC 4180 CSV in UTF-8, safely: created 0600 under a temporary name and renamed into place
/// by ``close()``; text that a spreadsheet would run as a formula is neutralised.
public final class CSVWriter {
    public struct Options: Sendable {
        public var delimiter: UInt8 = UInt8(ascii: ",")
        /// A UTF-8 BOM, so Excel opens the file as UTF-8.
        public var byteOrderMark: Bool = true
        /// Prefix text cells starting with `= + - @ \t \r` with `'` (OWASP ASVS V1.2.10).
        public var neutraliseFormulas: Bool = true
        public var lineEnding: [UInt8] = [13, 10]
        /// Pad every row written with ``RowWriter/write(_:)`` to the widest row so far, so a sheet
        /// with ragged rows still gives rectangular CSV from the header on.
        public var padToWidest: Bool = false

        public init(delimiter: UInt8 = UInt8(ascii: ","), byteOrderMark: Bool = true, neutraliseFormulas: Bool = true,
                    padToWidest: Bool = false) {
            self.delimiter = delimiter
            self.byteOrderMark = byteOrderMark
            self.neutraliseFormulas = neutraliseFormulas
            self.padToWidest = padToWidest
        }
    }

    public let path: String
    let options: Options
    /// The widest row written so far (for ``Options/padToWidest``).
    var widest = 0
    private let output: AtomicOutput
    private var buffer: [UInt8] = []
    private var closed = false

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        output = try AtomicOutput(destination: path)
        buffer.reserveCapacity(1 << 20)
        if options.byteOrderMark { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    /// Writes one row; `width` pads it with empty fields.
    public func write(_ row: Row, width: Int = 0) throws {
        // The buffer is moved out for the row (no copy, no per-cell exclusivity checks) and back.
        var out: [UInt8] = []
        swap(&out, &buffer)
        let delimiter = options.delimiter
        let neutralise = options.neutraliseFormulas
        row.forEachCell { column, bytes, type in
            if column > 0 { out.append(delimiter) }
            CSVWriter.appendField(bytes, neutralise: neutralise && (type == .text || type == .error),
                                  delimiter: delimiter, to: &out)
        }
        if width > row.count {
            for _ in row.count..<width { out.append(delimiter) }
        }
        out.append(contentsOf: options.lineEnding)
        swap(&out, &buffer)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes one row of text fields (all neutralised as text).
    public func write(fields: [String]) throws {
        for (column, field) in fields.enumerated() {
            if column > 0 { buffer.append(options.delimiter) }
            var field = field
            field.withUTF8 { appendField($0, neutralise: true) }
        }
        buffer.append(contentsOf: options.lineEnding)
        if buffer.count >= 1 << 20 { try flush() }
    }

    @inline(__always)
    private func appendField(_ field: UnsafeBufferPointer<UInt8>, neutralise: Bool) {
        CSVWriter.appendField(field, neutralise: neutralise && options.neutraliseFormulas, delimiter: options.delimiter,
                              to: &buffer)
    }

    @inline(__always)
    static func appendField(_ field: UnsafeBufferPointer<UInt8>, neutralise: Bool, delimiter: UInt8,
                            to buffer: inout [UInt8]) {
        let prefix = neutralise && !field.isEmpty && isTrigger(field[0])
        let needsQuotes = needsQuoting(field, delimiter: delimiter)
        if !needsQuotes {
            if prefix { buffer.append(UInt8(ascii: "'")) }
            buffer.append(contentsOf: field)
            return
        }
        buffer.append(34)
        if prefix { buffer.append(UInt8(ascii: "'")) }
        for b in field {
            if b == 34 { buffer.append(34) }
            buffer.append(b)
        }
        buffer.append(34)
    }

    /// Whether a field holds the delimiter, a quote or a line break; eight bytes at a time.
    @inline(__always)
    static func needsQuoting(_ field: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Bool {
        guard let base = field.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let delimiterPattern = SWAR.repeated(delimiter)
        var i = 0
        while i + 8 <= field.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if SWAR.has(word, delimiterPattern) | SWAR.has(word, SWAR.quote) | SWAR.has(word, SWAR.lineFeed)
                | SWAR.has(word, SWAR.carriageReturn) != 0
            {
                return true
            }
            i += 8
        }
        while i < field.count {
            let b = field[i]
            if b == delimiter || b == 34 || b == 10 || b == 13 { return true }
            i += 1
        }
        return false
    }

    /// `= + - @ \t \r` start a formula in Excel, LibreOffice or Google Sheets.
    @inline(__always)
    static func isTrigger(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "=") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "@")
            || b == 9 || b == 13
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { try output.write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs and renames the file into place. Without it nothing appears at `path`.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try flush()
        try output.commit()
    }

    /// Drops the output: no file appears at `path`.
    public func discard() {
        closed = true
        output.discard()
    }
}
