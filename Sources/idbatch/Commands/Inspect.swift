import ArgumentParser
import Foundation
import Spreadsheet

/// `idbatch inspect`: what a file is and what is in it, for people and (with `--json`) scripts.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's format, encoding, sheets, header, row count and first rows.",
        discussion: """
            The header is the first row with any text; rows counts the non-blank rows after it. With \
            --json, prints one object with the keys format, encoding, delimiter, sheets, sheet, header, \
            rows and first_rows (plus warnings).
            """
    )

    @Argument(help: "The CSV or xlsx file to inspect.")
    var input: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .customLong("rows"), help: "How many data rows to show.")
    var sampleRows = 5

    @OptionGroup var inputOptions: InputOptions

    /// What `inspect --json` prints; these key names are a contract (DESIGN.md).
    struct Report: Encodable {
        var file: String
        var format: SpreadsheetFormat
        var encoding: String?
        var delimiter: String?
        var sheets: [SheetEntry]?
        var sheet: String?
        var headerRow: Int?
        var header: [String]
        var rows: Int
        var firstRows: [[String]]
        var warnings: [String]

        struct SheetEntry: Encodable {
            var name: String
            var visible: Bool
            var kind: String
        }

        enum CodingKeys: String, CodingKey {
            case file, format, encoding, delimiter, sheets, sheet, header, rows, warnings
            case headerRow = "header_row"
            case firstRows = "first_rows"
        }
    }

    func run() throws {
        let report: Report
        do {
            report = try Inspect.inspect(input, options: inputOptions.readOptions, sampleRows: max(0, sampleRows))
        } catch let error as SpreadsheetError {
            throw Console.fail(error)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(report)
            FileHandleOutput.stdout(String(decoding: data, as: UTF8.self) + "\n")
        } else {
            FileHandleOutput.stdout(Inspect.text(report))
        }
    }

    static func inspect(_ path: String, options: ReadOptions, sampleRows: Int) throws -> Report {
        let reader = try SpreadsheetReader(path: path, options: options)
        var header: Row?
        var rows = 0
        var first: [[String]] = []
        var progress = Progress()
        var lostDigits = LostDigits()
        while let row = try reader.next() {
            if row.isBlank { continue }
            if header == nil {
                header = row
                continue
            }
            rows += 1
            lostDigits.record(row)
            if first.count < sampleRows { first.append(row.cells.map(\.text)) }
            progress.update("inspecting: row \(row.number)")
        }
        progress.finish()
        return Report(
            file: path,
            format: reader.format,
            encoding: reader.encoding?.rawValue,
            delimiter: reader.delimiter.map { String(UnicodeScalar($0)) },
            sheets: reader.format == .xlsx
                ? reader.sheets.map { Report.SheetEntry(name: $0.name, visible: $0.visible, kind: $0.kind.rawValue) }
                : nil,
            sheet: reader.sheetName,
            headerRow: header?.number,
            header: header?.cells.map(\.text) ?? [],
            rows: rows,
            firstRows: first,
            warnings: reader.warnings + lostDigits.warnings(header: header)
        )
    }

    static func text(_ report: Report) -> String {
        var lines: [String] = []
        lines.append("file:      \(report.file)")
        var format = "format:    \(report.format.rawValue)"
        if let encoding = report.encoding { format += ", \(encoding)" }
        if let delimiter = report.delimiter { format += ", delimiter \(delimiter == "\t" ? "tab" : "'\(delimiter)'")" }
        lines.append(format)
        if let sheets = report.sheets {
            let list = sheets.map { $0.name + ($0.visible ? "" : " (hidden)") + ($0.kind == "worksheet" ? "" : " [\($0.kind)]") }
            lines.append("sheets:    \(list.joined(separator: ", "))")
            if let sheet = report.sheet { lines.append("sheet:     \(sheet)") }
        }
        if let headerRow = report.headerRow {
            lines.append("header:    row \(headerRow), \(report.header.count) columns")
            for (index, name) in report.header.enumerated() {
                lines.append("  \(ColumnName.letters(index).padding(3))\(name)")
            }
        } else {
            lines.append("header:    none (the sheet is empty)")
        }
        lines.append("rows:      \(report.rows) data rows")
        if !report.firstRows.isEmpty {
            lines.append("first rows:")
            for row in report.firstRows { lines.append("  " + row.joined(separator: " | ")) }
        }
        for warning in report.warnings { lines.append("warning:   \(warning)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
