/// A sheet as the workbook lists it.
public struct SheetInfo: Sendable, Equatable, Codable {
    /// What a sheet holds; only worksheets have cells.
    public enum Kind: String, Sendable, Codable {
        case worksheet
        case chartsheet
        case other
    }

    public var name: String
    public var visible: Bool
    public var kind: Kind
    /// The part path inside the zip (`xl/worksheets/sheet1.xml`), when the relationship resolves.
    var part: String?
}

/// Which sheet to read: by name, or by 1-based position.
public enum SheetSelector: Sendable, Equatable, CustomStringConvertible {
    case name(String)
    case index(Int)

    /// A number is a 1-based index; anything else is a name.
    public init(_ text: String) {
        if let n = Int(text), n >= 1 { self = .index(n) } else { self = .name(text) }
    }

    public var description: String {
        switch self {
        case .name(let name): return "'\(name)'"
        case .index(let i): return "#\(i)"
        }
    }
}

/// An opened xlsx workbook: its sheets, date system, shared strings and styles.
///
/// Parts are found through relationships (`_rels/.rels` → workbook → sheets), with relative and
/// absolute targets, case-insensitive names and Strict OOXML namespaces.
final class XLSXWorkbook {
    let archive: ZipArchive
    let sheets: [SheetInfo]
    let date1904: Bool
    private let sharedStringsPart: String?
    private let stylesPart: String?
    private var sharedStringsCache: SharedStrings?
    private var stylesCache: CellStyles?

    init(path: String, limits: ReadLimits) throws {
        archive = try ZipArchive(path: path, limits: limits)
        let workbookPart = try XLSXWorkbook.officeDocument(in: archive)
        guard let elements = try PartElementCollector.collect(workbookPart, from: archive,
                                                              wanted: ["sheet", "workbookPr"])
        else {
            throw SpreadsheetError(.missingPart, "the workbook part is missing; this is not a valid xlsx file",
                                   part: workbookPart)
        }
        let relations = try XLSXWorkbook.relationships(of: workbookPart, in: archive)
        var sheets: [SheetInfo] = []
        var date1904 = false
        for element in elements {
            if element.name == "workbookPr" {
                let flag = element.attributes["date1904"]?.lowercased()
                date1904 = flag == "1" || flag == "true"
            } else if element.name == "sheet", element.parent == "sheets" {
                let id = element.prefixedAttributes["id"] ?? ""
                let relation = relations[id]
                let kind: SheetInfo.Kind
                switch relation.map({ XLSXWorkbook.typeSuffix($0.type) }) {
                case "worksheet": kind = .worksheet
                case "chartsheet": kind = .chartsheet
                default: kind = .other
                }
                let state = element.attributes["state"] ?? "visible"
                sheets.append(SheetInfo(name: element.attributes["name"] ?? "", visible: state == "visible",
                                        kind: kind, part: relation?.target))
            }
        }
        guard !sheets.isEmpty else {
            throw SpreadsheetError(.noSheets, "the workbook has no sheets", part: workbookPart)
        }
        self.sheets = sheets
        self.date1904 = date1904
        let byType = Dictionary(relations.values.map { (XLSXWorkbook.typeSuffix($0.type), $0.target) },
                                uniquingKeysWith: { first, _ in first })
        sharedStringsPart = byType["sharedStrings"] ?? (archive.contains("xl/sharedStrings.xml") ? "xl/sharedStrings.xml" : nil)
        stylesPart = byType["styles"] ?? (archive.contains("xl/styles.xml") ? "xl/styles.xml" : nil)
    }

    /// The sheet a selector names; the default is the first visible worksheet.
    func sheet(_ selector: SheetSelector?) throws -> SheetInfo {
        let found: SheetInfo?
        switch selector {
        case nil:
            found = sheets.first { $0.visible && $0.kind == .worksheet } ?? sheets.first { $0.kind == .worksheet }
        case .name(let name):
            found = sheets.first { $0.name == name } ?? sheets.first { $0.name.lowercased() == name.lowercased() }
        case .index(let index):
            found = index >= 1 && index <= sheets.count ? sheets[index - 1] : nil
        }
        let names = sheets.map { "'\($0.name)'" }.joined(separator: ", ")
        guard let found else {
            if selector == nil {
                throw SpreadsheetError(.noSheets, "the workbook has no worksheet (sheets: \(names))")
            }
            throw SpreadsheetError(.sheetNotFound, "there is no sheet \(selector!) (sheets: \(names))")
        }
        guard found.kind == .worksheet else {
            throw SpreadsheetError(.sheetNotFound, "sheet '\(found.name)' is a \(found.kind.rawValue), not a worksheet")
        }
        guard let part = found.part, archive.contains(part) else {
            throw SpreadsheetError(.missingPart, "the part of sheet '\(found.name)' is missing from the zip",
                                   part: found.part)
        }
        return found
    }

    deinit {
        // The loader thread is joined, whoever let go of the table last.
        sharedStringsCache?.stopAndWait()
    }

    func sharedStrings() throws -> SharedStrings {
        if let sharedStringsCache { return sharedStringsCache }
        let table = try sharedStringsPart.map { try SharedStrings.load($0, from: archive) } ?? SharedStrings.empty()
        sharedStringsCache = table
        return table
    }

    func styles() throws -> CellStyles {
        if let stylesCache { return stylesCache }
        let styles = try CellStyles.read(stylesPart, from: archive)
        stylesCache = styles
        return styles
    }

    // MARK: Relationships

    struct Relationship {
        var type: String
        var target: String
    }

    /// `http://…/relationships/worksheet` → `worksheet` (the transitional and Strict URIs differ only before it).
    static func typeSuffix(_ type: String) -> String {
        type.split(separator: "/").last.map(String.init) ?? type
    }

    static func officeDocument(in archive: ZipArchive) throws -> String {
        let root = try relationships(of: "", in: archive)
        if let main = root.values.first(where: { typeSuffix($0.type) == "officeDocument" }) {
            return main.target
        }
        if archive.contains("xl/workbook.xml") { return "xl/workbook.xml" }
        throw SpreadsheetError(.missingPart, "the zip has no workbook part; it is not an xlsx workbook",
                               part: "_rels/.rels")
    }

    /// The relationships of a part, by id, with targets resolved to zip paths.
    static func relationships(of part: String, in archive: ZipArchive) throws -> [String: Relationship] {
        let directory = part.split(separator: "/", omittingEmptySubsequences: true).dropLast().joined(separator: "/")
        let fileName = part.split(separator: "/").last.map(String.init) ?? ""
        let relsPart = (directory.isEmpty ? "" : directory + "/") + "_rels/" + fileName + ".rels"
        guard let elements = try PartElementCollector.collect(relsPart, from: archive, wanted: ["Relationship"])
        else { return [:] }
        var result: [String: Relationship] = [:]
        for element in elements {
            guard let id = element.attributes["Id"], let target = element.attributes["Target"],
                element.attributes["TargetMode"] != "External"
            else { continue }
            result[id] = Relationship(type: element.attributes["Type"] ?? "", target: resolve(target, from: directory))
        }
        return result
    }

    static func resolve(_ target: String, from directory: String) -> String {
        var components: [Substring] = target.hasPrefix("/") ? [] : directory.split(separator: "/")
        for piece in target.split(separator: "/") {
            if piece == ".." {
                _ = components.popLast()
            } else if piece != "." {
                components.append(piece)
            }
        }
        return components.joined(separator: "/")
    }
}
