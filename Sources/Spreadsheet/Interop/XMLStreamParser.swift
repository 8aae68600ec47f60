internal import CLibxml2

/// Receives SAX2 events; subclasses override what they need.
///
/// Names and text arrive as borrowed UTF-8 pointers valid only during the call, so handlers copy
/// what they keep and allocate nothing per event.
class SAXHandler {
    /// The first problem a handler or the parser found; parsing stops there.
    var failure: SpreadsheetError?
    fileprivate var parserContext: xmlParserCtxtPtr?

    func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {}
    func endElement(_ name: UnsafePointer<UInt8>) {}
    func characters(_ bytes: UnsafePointer<UInt8>, _ count: Int) {}

    /// Records a problem and stops the parser.
    final func fail(_ error: SpreadsheetError) {
        if failure == nil { failure = error }
        if let parserContext { xmlStopParser(parserContext) }
    }
}

/// The attributes of one start tag, as libxml2 hands them over (five pointers per attribute).
struct SAXAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the attribute whose local name is `name` (any namespace prefix).
    @inline(__always)
    func value(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for i in 0..<count {
            let entry = base + i * 5
            if let local = entry[0], SAXName.equals(local, name), let start = entry[3], let end = entry[4] {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
        }
        return nil
    }

    /// Like ``value(_:)`` but only for an attribute in some namespace (such as `r:id`).
    func prefixedValue(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        for i in 0..<count {
            let entry = base + i * 5
            if entry[1] != nil, let local = entry[0], SAXName.equals(local, name), let start = entry[3],
                let end = entry[4]
            {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
        }
        return nil
    }

    func string(_ name: StaticString) -> String? {
        value(name).map { String(decoding: $0, as: UTF8.self) }
    }
}

enum SAXName {
    /// Compares a NUL-terminated name with a static ASCII name without allocating.
    @inline(__always)
    static func equals(_ pointer: UnsafePointer<UInt8>, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        let expected = name.utf8Start
        for i in 0..<count where pointer[i] != expected[i] { return false }
        return pointer[count] == 0
    }
}

/// libxml2's SAX2 push parser, fed chunk by chunk: the fastest of its interfaces and constant in memory.
///
/// Safety: `XML_PARSE_NONET`, never `NOENT`, `DTDLOAD` or `HUGE`; any DOCTYPE stops the parse with an
/// error (ECMA-376 Part 2 M1.18 forbids DTDs in a package), which rules out XXE and billion laughs.
final class XMLPushParser {
    private let context: xmlParserCtxtPtr
    private let handler: SAXHandler
    let part: String

    init(handler: SAXHandler, part: String) throws {
        xmlInitParser()
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, _, _, _, _, attributeCount, _, attributes in
            guard let ctx, let localname else { return }
            Unmanaged<SAXHandler>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.startElement(localname, SAXAttributes(base: attributes, count: Int(attributeCount)))
            }
        }
        sax.endElementNs = { ctx, localname, _, _ in
            guard let ctx, let localname else { return }
            Unmanaged<SAXHandler>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.endElement(localname) }
        }
        let characters: charactersSAXFunc = { ctx, bytes, count in
            guard let ctx, let bytes else { return }
            Unmanaged<SAXHandler>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.characters(bytes, Int(count)) }
        }
        sax.characters = characters
        sax.cdataBlock = characters
        sax.ignorableWhitespace = characters
        sax.internalSubset = { ctx, _, _, _ in
            guard let ctx else { return }
            Unmanaged<SAXHandler>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.fail(SpreadsheetError(.doctype,
                                         "the part declares a DOCTYPE, which workbooks never do and attacks "
                                         + "(XXE, billion laughs) rely on; the file is refused"))
            }
        }
        sax.serror = { ctx, error in
            guard let ctx, let error else { return }
            let level = error.pointee.level
            guard level == XML_ERR_ERROR || level == XML_ERR_FATAL else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            let text = String(message.split(whereSeparator: \.isNewline).first ?? "malformed XML").prefix(160)
            let line = Int(error.pointee.line)
            Unmanaged<SAXHandler>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.fail(SpreadsheetError(.malformedXML, "malformed XML at line \(line): \(text)"))
            }
        }
        let opaque = Unmanaged.passUnretained(handler).toOpaque()
        guard let context = xmlCreatePushParserCtxt(&sax, opaque, nil, 0, part) else {
            throw SpreadsheetError(.readFailed, "the XML parser could not be created", part: part)
        }
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
        self.context = context
        self.handler = handler
        self.part = part
        handler.parserContext = context
    }

    deinit {
        handler.parserContext = nil
        xmlFreeParserCtxt(context)
    }

    /// Feeds bytes; `last` ends the document. Throws the handler's or the parser's first problem.
    func feed(_ bytes: UnsafeRawBufferPointer, last: Bool = false) throws {
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let status = xmlParseChunk(context, base, Int32(bytes.count), last ? 1 : 0)
        if var failure = handler.failure {
            failure.part = failure.part ?? part
            throw failure
        }
        if status != 0 {
            throw SpreadsheetError(.malformedXML, "malformed XML (libxml2 error \(status))", part: part)
        }
    }

    /// Streams a whole zip part through the parser.
    func parse(_ entry: ZipEntryReader, chunkSize: Int = 256 << 10) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try entry.read(into: buffer)
            try feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), last: n == 0)
            if n == 0 { break }
        }
    }
}
