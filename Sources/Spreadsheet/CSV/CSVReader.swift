/// Byte tricks on 64-bit words for the scanners.
enum SWAR {
    static let lineFeed = repeated(10)
    static let carriageReturn = repeated(13)
    static let quote = repeated(34)

    @inline(__always)
    static func repeated(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }

    /// High bit set in each byte of `word` equal to the byte repeated in `pattern`; exact for the
    /// lowest such byte.
    @inline(__always)
    static func has(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }
}

/// Streams the records of a CSV file (RFC 4180, and what Excel in LATAM locales writes).
///
/// Quoted fields, doubled quotes, newlines inside quotes, CRLF/LF/CR endings; a BOM picks UTF-8 or
/// UTF-16; bytes that are not UTF-8 are read as Windows-1252 (with a warning); the delimiter is
/// sniffed among `,` `;` tab `|` unless given. Fields stay bytes until something asks for text.
final class CSVReader {
    let encoding: TextEncoding
    let delimiter: UInt8
    private(set) var warnings: [String] = []
    /// Row numbers whose field count differs from the header's (the first few), and how many in all.
    private(set) var raggedRows: [Int] = []
    private(set) var raggedCount = 0
    /// Rows with fields that were not UTF-8 and were read as Windows-1252.
    private(set) var windows1252Rows = 0

    private let chunks: ChunkPrefetcher
    private let limits: ReadLimits
    private var transcoder: UTF16Transcoder?
    private var data: [UInt8] = []
    /// Whether `data` is known to be valid UTF-8 (checked on the reading thread), but for a
    /// character cut by its end: records that lie wholly in it need no check of their own.
    private var dataIsUTF8 = false
    private var position = 0
    private var atEnd = false
    private var recordNumber = 0
    private var headerWidth: Int?
    private var skipLineFeed = false
    private var row = Row(number: 0)

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// In the order that wins a tie: LATAM exports use `;` with decimal commas, so commas inside
    /// values (`2,5`, `Pérez, Ana`) are likelier than semicolons.
    static let candidates: [UInt8] = [UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    init(path: String, delimiter: UInt8? = nil, limits: ReadLimits = .default) throws {
        let file = try InputFile(path: path)
        // The file is read, and checked for UTF-8, on a thread of its own while records are parsed.
        chunks = ChunkPrefetcher(checkUTF8: true) { try file.read(into: $0) }
        self.limits = limits
        guard let firstChunk = try chunks.nextChunk(), firstChunk.filled > 0 else {
            throw SpreadsheetError(.emptyFile, "the file is empty")
        }
        let head = firstChunk.bytes
        let first = head.count
        var skip = 0
        if first >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF {
            encoding = .utf8BOM
            skip = 3
        } else if first >= 2, head[0] == 0xFF, head[1] == 0xFE {
            encoding = .utf16LE
            skip = 2
            transcoder = UTF16Transcoder(bigEndian: false)
        } else if first >= 2, head[0] == 0xFE, head[1] == 0xFF {
            encoding = .utf16BE
            skip = 2
            transcoder = UTF16Transcoder(bigEndian: true)
        } else if firstChunk.validUTF8 {
            encoding = .utf8
        } else {
            encoding = .windows1252
            warnings.append("the file is not UTF-8; it was read as Windows-1252 (Excel's \"CSV (Comma delimited)\")")
        }
        let body = UnsafeBufferPointer(rebasing: head[skip...])
        dataIsUTF8 = firstChunk.validUTF8
        if transcoder != nil {
            transcoder!.transcode(body, into: &data, last: false)
        } else {
            data.append(contentsOf: body)
        }
        self.delimiter = delimiter ?? data.withUnsafeBufferPointer { CSVReader.sniffDelimiter($0) }
    }

    /// Picks the candidate that splits the first lines into the same nonzero number of fields most
    /// often; with no candidate at all the file has one column and `,` is used.
    static func sniffDelimiter(_ sample: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var counts: [[Int]] = Array(repeating: [], count: candidates.count)
        var current = [Int](repeating: 0, count: candidates.count)
        var inQuotes = false
        var lines = 0
        var i = 0
        while i < sample.count && lines < 50 {
            let b = sample[i]
            if b == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if !inQuotes && (b == 10 || b == 13) {
                for k in candidates.indices { counts[k].append(current[k]) }
                current = [Int](repeating: 0, count: candidates.count)
                lines += 1
                if b == 13, i + 1 < sample.count, sample[i + 1] == 10 { i += 1 }
            } else if !inQuotes, let k = candidates.firstIndex(of: b) {
                current[k] += 1
            }
            i += 1
        }
        if lines == 0 || (i >= sample.count && current.contains { $0 > 0 }) {
            for k in candidates.indices { counts[k].append(current[k]) }
        }
        var best = UInt8(ascii: ",")
        var bestScore = 0
        for (k, series) in counts.enumerated() {
            var frequency: [Int: Int] = [:]
            for c in series where c > 0 { frequency[c, default: 0] += 1 }
            guard let (mode, hits) = frequency.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }) else { continue }
            let score = hits * 1000 + mode
            if score > bestScore {
                bestScore = score
                best = candidates[k]
            }
        }
        return best
    }

    /// Refills `data` from the file; false at the end.
    private func refill(_ data: inout [UInt8], _ position: inout Int) throws -> Bool {
        if atEnd { return false }
        data.removeAll(keepingCapacity: true)
        position = 0
        let chunk = try chunks.nextChunk()
        let bytes = chunk?.bytes ?? UnsafeBufferPointer(start: nil, count: 0)
        if transcoder != nil {
            transcoder!.transcode(bytes, into: &data, last: chunk == nil)
        } else {
            data.append(contentsOf: bytes)
        }
        dataIsUTF8 = chunk?.validUTF8 ?? false
        if chunk == nil { atEnd = true }
        return !data.isEmpty || !atEnd
    }

    func next() throws -> Row? {
        // The buffers are moved into locals for the record (no copy) and back after it, so the
        // per-byte loop touches no class property.
        var row = Row(number: 0)
        var data: [UInt8] = []
        swap(&row, &self.row)
        swap(&data, &self.data)
        var position = self.position
        defer {
            swap(&row, &self.row)
            swap(&data, &self.data)
            self.position = position
        }
        recordNumber += 1
        row.reset(number: recordNumber)
        var ascii = false
        if CSVReader.scanPlainRecord(&row, data, &position, delimiter: delimiter, skipLineFeed: &skipLineFeed,
                                     ascii: &ascii)
        {
            finishRow(&row, knownASCII: ascii, knownUTF8: dataIsUTF8)
            return row
        }
        guard try scanRecord(&row, &data, &position) else {
            recordNumber -= 1
            return nil
        }
        finishRow(&row)
        return row
    }

    /// The common case, fast: a record with no quotes that ends inside the buffer is copied with one
    /// append and its fields recorded as spans of it (the delimiters stay in the bytes, unreferenced).
    /// Returns false, having changed nothing, for anything else.
    @inline(__always)
    private static func scanPlainRecord(_ row: inout Row, _ data: [UInt8], _ position: inout Int, delimiter: UInt8,
                                        skipLineFeed: inout Bool, ascii: inout Bool) -> Bool {
        data.withUnsafeBufferPointer { buffer in
            var start = position
            if skipLineFeed, start < buffer.count, buffer[start] == 10 { start += 1 }
            guard start < buffer.count, buffer[start] != 34 else { return false }
            let base = row.bytes.count
            var fieldStart = start
            var i = start
            let end = buffer.count
            var bits: UInt64 = 0
            let raw = UnsafeRawPointer(buffer.baseAddress!)
            let delimiterPattern = SWAR.repeated(delimiter)
            while i < end {
                // Eight bytes at a time while none of them is special (SWAR: no SIMD types needed).
                if i + 8 <= end {
                    let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    bits |= word
                    let special = SWAR.has(word, delimiterPattern) | SWAR.has(word, SWAR.lineFeed)
                        | SWAR.has(word, SWAR.carriageReturn) | SWAR.has(word, SWAR.quote)
                    if special == 0 {
                        i += 8
                        continue
                    }
                    // The lowest flagged byte is exact (false positives only sit above a true one).
                    i += special.trailingZeroBitCount >> 3
                }
                let c = buffer[i]
                bits |= UInt64(c)
                if c == delimiter {
                    row.spans.append(Row.CellSpan(start: UInt32(base + fieldStart - start), length: UInt32(i - fieldStart),
                                                  type: i == fieldStart ? .empty : .text, precisionLost: false))
                    fieldStart = i + 1
                    if fieldStart < end && buffer[fieldStart] == 34 { break }
                } else if c == 10 || c == 13 {
                    row.spans.append(Row.CellSpan(start: UInt32(base + fieldStart - start), length: UInt32(i - fieldStart),
                                                  type: i == fieldStart ? .empty : .text, precisionLost: false))
                    row.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i]))
                    skipLineFeed = c == 13
                    position = i + 1
                    ascii = bits & 0x8080_8080_8080_8080 == 0
                    return true
                } else if c == 34 {
                    break
                }
                i += 1
            }
            // A quote, or the record runs past the buffer: undo and let the full scanner do it.
            row.spans.removeAll(keepingCapacity: true)
            return false
        }
    }

    /// Reads one record into `row`; false when the file has no more records.
    private func scanRecord(_ row: inout Row, _ data: inout [UInt8], _ position: inout Int) throws -> Bool {
        var state = State.fieldStart
        var fieldStart = 0
        let quote = UInt8(ascii: "\"")
        let delimiter = self.delimiter
        let maxFieldBytes = limits.maxFieldBytes
        while true {
            if position >= data.count {
                if try refill(&data, &position) { continue }
                switch state {
                case .quoted:
                    throw SpreadsheetError(.unterminatedQuote,
                                           "a quoted field opened in this record never closes; add the missing \"",
                                           row: recordNumber, column: row.count)
                case .fieldStart where row.count == 0:
                    return false
                default:
                    CSVReader.endField(&row, from: fieldStart)
                    return true
                }
            }
            switch state {
            case .fieldStart:
                let b = data[position]
                if skipLineFeed {
                    skipLineFeed = false
                    if b == 10 {
                        position += 1
                        continue
                    }
                }
                fieldStart = row.bytes.count
                if b == quote {
                    state = .quoted
                    position += 1
                } else {
                    state = .unquoted
                }
            case .unquoted:
                var stop: UInt8 = 0
                let start = position
                let consumed = data.withUnsafeBufferPointer { buffer -> Int in
                    var i = start
                    let end = buffer.count
                    while i < end {
                        let c = buffer[i]
                        if c == delimiter || c == 10 || c == 13 {
                            stop = c
                            break
                        }
                        i += 1
                    }
                    row.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i]))
                    return i
                }
                position = consumed
                if consumed < data.count {
                    position += 1
                    CSVReader.endField(&row, from: fieldStart)
                    if stop == delimiter {
                        state = .fieldStart
                    } else {
                        skipLineFeed = stop == 13
                        return true
                    }
                }
            case .quoted:
                var found = false
                let start = position
                let consumed = data.withUnsafeBufferPointer { buffer -> Int in
                    var i = start
                    while i < buffer.count, buffer[i] != quote { i += 1 }
                    found = i < buffer.count
                    row.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<i]))
                    return i
                }
                position = consumed
                if found {
                    position += 1
                    state = .quoteInQuoted
                }
                if row.bytes.count - fieldStart > maxFieldBytes {
                    throw SpreadsheetError(.unterminatedQuote,
                                           "a quoted field runs past \(maxFieldBytes >> 20) MiB; "
                                           + "a closing \" is probably missing", row: recordNumber, column: row.count)
                }
            case .quoteInQuoted:
                if data[position] == quote {
                    row.bytes.append(quote)
                    position += 1
                    state = .quoted
                } else {
                    // Text after a closing quote is kept as it is, up to the delimiter.
                    state = .unquoted
                }
            }
        }
    }

    @inline(__always)
    private static func endField(_ row: inout Row, from start: Int) {
        let length = row.bytes.count - start
        row.spans.append(Row.CellSpan(start: UInt32(start), length: UInt32(length),
                                      type: length == 0 ? .empty : .text, precisionLost: false))
    }

    private func finishRow(_ row: inout Row, knownASCII: Bool = false, knownUTF8: Bool = false) {
        let ascii = knownASCII || row.bytes.withUnsafeBufferPointer { UTF8Validation.isASCII($0) }
        // Accents are the norm here: a record that is valid UTF-8 as a whole needs nothing more
        // (delimiters are ASCII, so no field can end inside a character).
        if !ascii && transcoder == nil
            && (encoding == .windows1252
                || !(knownUTF8 || row.bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }))
        {
            repairEncoding(&row)
        }
        if let headerWidth {
            if row.count != headerWidth && !row.isBlank {
                raggedCount += 1
                if raggedRows.count < 20 { raggedRows.append(recordNumber) }
            }
        } else {
            headerWidth = row.count
        }
    }

    /// Re-reads as Windows-1252 every field of the row that is not valid UTF-8.
    private func repairEncoding(_ row: inout Row) {
        let needs = row.spans.indices.filter { index in
            let span = row.spans[index]
            return encoding == .windows1252
                || !row.bytes.withUnsafeBufferPointer {
                    UTF8Validation.isValid(UnsafeBufferPointer(rebasing: $0[Int(span.start)..<Int(span.start + span.length)]))
                }
        }
        guard !needs.isEmpty else { return }
        if encoding != .windows1252 && windows1252Rows == 0 {
            warnings.append("row \(recordNumber) and maybe others are not UTF-8; those fields were read as Windows-1252")
        }
        windows1252Rows += 1
        var bytes: [UInt8] = []
        bytes.reserveCapacity(row.bytes.count + 64)
        for index in row.spans.indices {
            let span = row.spans[index]
            let start = bytes.count
            let field = row.bytes[Int(span.start)..<Int(span.start + span.length)]
            if needs.contains(index) {
                Windows1252.appendUTF8(of: field, to: &bytes)
            } else {
                bytes.append(contentsOf: field)
            }
            row.spans[index].start = UInt32(start)
            row.spans[index].length = UInt32(bytes.count - start)
        }
        row.bytes = bytes
    }
}
