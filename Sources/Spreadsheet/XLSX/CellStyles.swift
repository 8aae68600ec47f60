/// A cell's number format as the workbook names it: a built-in id (14 is the locale's short
/// date) or a custom code (`dd/mm/yyyy`), so a file written back shows dates as the input did.
public struct NumberFormatRef: Sendable, Hashable {
    public var id: Int
    /// The format code of a custom format (ids 164 and up); nil for a built-in one.
    public var code: String?

    public init(id: Int, code: String? = nil) {
        self.id = id
        self.code = code
    }
}

/// For each cell style (`cellXfs` index), whether its number format shows a date or a time, and the format.
struct CellStyles {
    var kinds: [NumberText.DateKind] = []
    var formats: [NumberFormatRef] = []

    static func read(_ part: String?, from archive: ZipArchive) throws -> CellStyles {
        guard let part, let elements = try PartElementCollector.collect(part, from: archive,
                                                                        wanted: ["numFmt", "xf"])
        else { return CellStyles() }
        var codes: [Int: String] = [:]
        for element in elements where element.name == "numFmt" {
            if let id = element.attributes["numFmtId"].flatMap({ Int($0) }) {
                codes[id] = element.attributes["formatCode"]
            }
        }
        var styles = CellStyles()
        for element in elements where element.name == "xf" && element.parent == "cellXfs" {
            let id = element.attributes["numFmtId"].flatMap { Int($0) } ?? 0
            styles.kinds.append(NumberText.dateKind(numFmtId: id, code: codes[id]))
            styles.formats.append(NumberFormatRef(id: id, code: codes[id]))
        }
        return styles
    }
}
