/// The workbook's shared-strings table as one byte arena with 32-bit offsets.
///
/// At a million rows this table holds millions of strings; one arena costs their bytes plus four
/// bytes each, where an array of `String` would cost an allocation and 16 bytes or more each.
struct SharedStrings {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [UInt32] = [0]

    var count: Int { offsets.count - 1 }

    @inline(__always)
    func withString<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard index >= 0, index < count else { return nil }
        let start = Int(offsets[index]), end = Int(offsets[index + 1])
        return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    mutating func reserve(strings: Int) {
        offsets.reserveCapacity(min(strings, 20_000_000) + 1)
    }

    mutating func append(_ text: UnsafeBufferPointer<UInt8>) throws {
        EscapedText.append(text, to: &bytes)
        guard bytes.count <= Int(UInt32.max) else {
            throw SpreadsheetError(.tooLarge, "the shared strings exceed 4 GiB", part: "sharedStrings")
        }
        offsets.append(UInt32(bytes.count))
    }

    /// Reads a sharedStrings part. Rich-text runs are joined; phonetic (`rPh`) runs are left out.
    static func read(_ part: String, from archive: ZipArchive) throws -> SharedStrings {
        guard let entry = try archive.open(part) else { return SharedStrings() }
        let handler = SharedStringsHandler()
        let parser = try XMLPushParser(handler: handler, part: part)
        try parser.parse(entry)
        if let failure = handler.failure { throw failure }
        return handler.table
    }
}

private final class SharedStringsHandler: SAXHandler {
    var table = SharedStrings()
    private var inItem = false
    private var inText = false
    private var phoneticDepth = 0
    private var current: [UInt8] = []
    private var textStart = 0
    private var preserveSpace = false

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        if SAXName.equals(name, "t") {
            inText = inItem && phoneticDepth == 0
            textStart = current.count
            preserveSpace = WhitespaceRule.preserves(attributes)
        } else if SAXName.equals(name, "si") {
            inItem = true
            current.removeAll(keepingCapacity: true)
        } else if SAXName.equals(name, "rPh") {
            phoneticDepth += 1
        } else if SAXName.equals(name, "sst") {
            if let text = attributes.string("uniqueCount"), let n = Int(text) { table.reserve(strings: n) }
        }
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        if SAXName.equals(name, "t") {
            if inText && !preserveSpace { WhitespaceRule.trim(&current, from: textStart) }
            inText = false
        } else if SAXName.equals(name, "si") {
            inItem = false
            do {
                try current.withUnsafeBufferPointer { try table.append($0) }
            } catch let error as SpreadsheetError {
                fail(error)
            } catch {}
        } else if SAXName.equals(name, "rPh") {
            phoneticDepth -= 1
        }
    }

    override func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
        if inText { current.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count)) }
    }
}
