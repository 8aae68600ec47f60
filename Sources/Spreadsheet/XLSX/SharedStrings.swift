/// The workbook's shared-strings table as one byte arena with 32-bit offsets.
///
/// At a million rows this table holds millions of strings; one arena costs their bytes plus four
/// bytes each, where an array of `String` would cost an allocation and 16 bytes or more each. The
/// arena is manually managed so the sheet parser can read it through plain pointers, with no
/// reference counting per cell; the table frees it when released.
final class SharedStrings {
    private var bytes = ByteBuffer(capacity: 1 << 16)
    private var offsets = ManualBuffer<UInt32>(capacity: 1 << 12)

    init() { offsets.append(0) }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
    }

    var count: Int { offsets.count - 1 }

    /// Raw views for the sheet parser; valid while this table is alive and not appended to.
    var arena: (bytes: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt32>, count: Int) {
        (UnsafePointer(bytes.base), UnsafePointer(offsets.base), count)
    }

    func reserve(strings: Int) {
        offsets.reserve(min(strings, 20_000_000) + 1)
    }

    func append(_ text: UnsafeBufferPointer<UInt8>) throws {
        if text.contains(UInt8(ascii: "_")) {
            var decoded: [UInt8] = []
            EscapedText.append(text, to: &decoded)
            decoded.withUnsafeBufferPointer { bytes.append($0.baseAddress ?? UnsafePointer(bytes.base), count: $0.count) }
        } else if let base = text.baseAddress {
            bytes.append(base, count: text.count)
        }
        guard bytes.count <= Int(UInt32.max) else {
            throw SpreadsheetError(.tooLarge, "the shared strings exceed 4 GiB", part: "sharedStrings")
        }
        offsets.append(UInt32(bytes.count))
    }

    /// The string at `index` as text (tests and diagnostics).
    func string(_ index: Int) -> String? {
        guard index >= 0, index < count else { return nil }
        let start = Int(offsets.base[index]), end = Int(offsets.base[index + 1])
        return String(decoding: UnsafeBufferPointer(start: bytes.base + start, count: end - start), as: UTF8.self)
    }

    /// Reads a sharedStrings part. Rich-text runs are joined; phonetic (`rPh`) runs are left out.
    static func read(_ part: String, from archive: ZipArchive) throws -> SharedStrings {
        guard let entry = try archive.open(part) else { return SharedStrings() }
        let handler = SharedStringsHandler()
        let parser = try XMLPushParser(handler: handler, part: part)
        let chunks = ChunkPrefetcher(entry: entry)
        while true {
            let chunk = try chunks.next()
            try parser.feed(chunk, last: chunk.isEmpty)
            if chunk.isEmpty { break }
        }
        if let failure = handler.failure { throw failure }
        return handler.table
    }
}

/// Collects `<si>` items. State sits behind a pointer for the same reason as the sheet handler's:
/// millions of callbacks, no exclusivity checks or reference counting per event.
private final class SharedStringsHandler: SAXHandler {
    private let state: UnsafeMutablePointer<State>

    struct State {
        let table = SharedStrings()
        var inItem = false
        var inText = false
        var phoneticDepth = 0
        var current = ByteBuffer(capacity: 4096)
        var textStart = 0
        var preserveSpace = false
    }

    override init() {
        state = .allocate(capacity: 1)
        state.initialize(to: State())
    }

    deinit {
        state.pointee.current.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var table: SharedStrings { state.pointee.table }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        if SAXName.equals(name, "t") {
            state.pointee.inText = state.pointee.inItem && state.pointee.phoneticDepth == 0
            state.pointee.textStart = state.pointee.current.count
            state.pointee.preserveSpace = WhitespaceRule.preserves(attributes)
        } else if SAXName.equals(name, "si") {
            state.pointee.inItem = true
            state.pointee.current.removeAll()
        } else if SAXName.equals(name, "rPh") {
            state.pointee.phoneticDepth += 1
        } else if SAXName.equals(name, "sst") {
            if let text = attributes.string("uniqueCount"), let n = Int(text) { state.pointee.table.reserve(strings: n) }
        }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if SAXName.equals(name, "t") {
            if state.pointee.inText && !state.pointee.preserveSpace {
                WhitespaceRule.trim(&state.pointee.current, from: state.pointee.textStart)
            }
            state.pointee.inText = false
        } else if SAXName.equals(name, "si") {
            state.pointee.inItem = false
            do {
                try state.pointee.table.append(state.pointee.current.buffer)
            } catch let error as SpreadsheetError {
                fail(error)
            } catch {}
        } else if SAXName.equals(name, "rPh") {
            state.pointee.phoneticDepth -= 1
        }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if state.pointee.inText { state.pointee.current.append(bytes, count: count) }
    }
}
