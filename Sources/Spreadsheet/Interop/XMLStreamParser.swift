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

/// libxml2's SAX2 parser pulling a part through a read function: streamed, constant in memory, and
/// on libxml2 2.9 about a tenth fewer instructions than its push parser for the same events (the
/// push parser looks ahead for each tag's end before parsing it; see Benchmarks/c/read_floor.c).
///
/// Safety: `XML_PARSE_NONET`, never `NOENT`, `DTDLOAD` or `HUGE`; any DOCTYPE stops the parse with an
/// error (ECMA-376 Part 2 M1.18 forbids DTDs in a package), which rules out XXE and billion laughs.
enum XMLStreamParser {
    /// Where the parser's bytes come from, and the first error reading them threw.
    private final class Source {
        let read: (UnsafeMutableRawBufferPointer) throws -> Int
        var failure: Error?
        init(_ read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) { self.read = read }
    }

    /// Parses one whole document, handing its events to `handler`; `read` fills a buffer and returns
    /// the byte count, 0 at the end. Throws the first problem of the source, the handler or the parser.
    static func parse(_ part: String, handler: SAXHandler,
                      read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws {
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
        let source = Source(read)
        let readBytes: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer, length > 0 else { return 0 }
            let source = Unmanaged<Source>.fromOpaque(context).takeUnretainedValue()
            do {
                return Int32(try source.read(UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
            } catch {
                source.failure = error
                return -1
            }
        }
        let failure: Error? = withExtendedLifetime((handler, source)) {
            let opaque = Unmanaged.passUnretained(handler).toOpaque()
            let input = Unmanaged.passUnretained(source).toOpaque()
            guard let context = xmlCreateIOParserCtxt(&sax, opaque, readBytes, nil, input, XML_CHAR_ENCODING_NONE)
            else {
                return SpreadsheetError(.readFailed, "the XML parser could not be created")
            }
            xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
            handler.parserContext = context
            let status = xmlParseDocument(context)
            let wellFormed = context.pointee.wellFormed != 0
            handler.parserContext = nil
            xmlFreeParserCtxt(context)
            // The source's error explains the parser's ("I/O error"), so it comes first.
            if let error = source.failure { return error }
            if let error = handler.failure { return error }
            if status != 0 || !wellFormed { return SpreadsheetError(.malformedXML, "malformed XML") }
            return nil
        }
        if var error = failure as? SpreadsheetError {
            error.part = error.part ?? part
            throw error
        } else if let failure {
            throw failure
        }
    }

    /// Streams a whole zip part through the parser.
    static func parse(_ entry: ZipEntryReader, handler: SAXHandler) throws {
        try parse(entry.name, handler: handler) { try entry.read(into: $0) }
    }
}
