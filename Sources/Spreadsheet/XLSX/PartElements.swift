/// One element of a small part (relationships, workbook, styles), with its attributes as text.
struct PartElement {
    var name: String
    var parent: String?
    var attributes: [String: String]
    /// Attributes in a namespace (such as `r:id`), by local name.
    var prefixedAttributes: [String: String]
}

/// Collects the elements of interest from a small XML part.
final class PartElementCollector: SAXHandler {
    private let wanted: Set<String>
    private var stack: [String] = []
    private(set) var elements: [PartElement] = []

    init(wanted: Set<String>) { self.wanted = wanted }

    override func startElement(_ name: UnsafePointer<UInt8>, _ attributes: SAXAttributes) {
        let local = String(cString: name)
        if wanted.contains(local) {
            var plain: [String: String] = [:]
            var prefixed: [String: String] = [:]
            attributes.forEach { key, hasPrefix, value in
                if hasPrefix { prefixed[key] = value } else { plain[key] = value }
            }
            elements.append(PartElement(name: local, parent: stack.last, attributes: plain,
                                        prefixedAttributes: prefixed))
        }
        stack.append(local)
    }

    override func endElement(_ name: UnsafePointer<UInt8>) {
        _ = stack.popLast()
    }

    /// Parses `part` of `archive`; nil when the part does not exist.
    static func collect(_ part: String, from archive: ZipArchive, wanted: Set<String>) throws -> [PartElement]? {
        guard let entry = try archive.open(part) else { return nil }
        let collector = PartElementCollector(wanted: wanted)
        try XMLStreamParser.parse(entry, handler: collector)
        return collector.elements
    }
}

extension SAXAttributes {
    func forEach(_ body: (String, Bool, String) -> Void) {
        guard let base else { return }
        for i in 0..<count {
            let entry = base + i * 5
            guard let local = entry[0], let start = entry[3], let end = entry[4] else { continue }
            body(String(cString: local), entry[1] != nil,
                 String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self))
        }
    }
}
