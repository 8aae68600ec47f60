/// For each cell style (`cellXfs` index), whether its number format shows a date or a time.
struct CellStyles {
    var kinds: [NumberText.DateKind] = []

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
        }
        return styles
    }
}
