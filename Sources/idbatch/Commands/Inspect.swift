import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
import Spreadsheet

/// `idbatch inspect`: what a file is and what is in it, for people and (with `--json`) scripts.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's format, encoding, sheets, header, row count and first rows.",
        discussion: """
            The header is the row, among the first ten non-blank ones, whose cells name the most \
            inputs (else the first non-blank row); rows counts the non-blank rows after it. The mapping \
            says which input each column feeds and how it was matched (explicit, alias, normalised); \
            unmapped columns are kept in reports. With --json, prints one object with the keys format, \
            encoding, delimiter, sheets, sheet, header, header_row, rows, first_rows, mapping, unmapped \
            and warnings.
            """
    )

    @Argument(help: "The CSV or xlsx file to inspect.")
    var input: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(name: .customLong("rows"), help: "How many data rows to show.")
    var sampleRows = 5

    @OptionGroup var check: CheckOptions

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
        var mapping: [ColumnMapping.Match]
        var unmapped: [String]
        var unmappedReasons: [String: String]
        var provider: String
        var warnings: [String]

        struct SheetEntry: Encodable {
            var name: String
            var visible: Bool
            var kind: String
        }

        enum CodingKeys: String, CodingKey {
            case file, format, encoding, delimiter, sheets, sheet, header, rows, warnings, mapping, unmapped, provider
            case unmappedReasons = "unmapped_reasons"
            case headerRow = "header_row"
            case firstRows = "first_rows"
        }
    }

    func run() throws {
        let report: Report
        let (settings, _) = try check.settings()
        do {
            report = try Inspect.inspect(input, settings: settings, options: inputOptions.readOptions,
                                         sampleRows: max(0, sampleRows))
        } catch {
            throw check.fail(PipelineError.from(error, file: input))
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

    static func inspect(_ path: String, settings: CheckSettings, options: ReadOptions, sampleRows: Int) throws -> Report {
        let file = try FileValidation(path: path, settings: settings, readOptions: options)
        let reader = try SpreadsheetReader(path: path, options: file.readOptions)
        var rows = 0
        var first: [[String]] = []
        var progress = Progress()
        var lostDigits = LostDigits()
        while let row = try reader.next() {
            guard let headerRow = file.headerRow, row.number > headerRow, !row.isBlank else { continue }
            rows += 1
            lostDigits.record(row)
            if first.count < sampleRows { first.append(row.cells.map(\.text)) }
            progress.update("inspecting: row \(row.number)")
        }
        progress.finish()
        var reasons: [String: String] = [:]
        for column in file.mapping.unmapped { if let reason = column.reason { reasons[column.column] = reason } }
        return Report(
            file: path,
            format: reader.format,
            encoding: reader.encoding?.rawValue,
            delimiter: reader.delimiter.map { String(UnicodeScalar($0)) },
            sheets: reader.format == .xlsx
                ? reader.sheets.map { Report.SheetEntry(name: $0.name, visible: $0.visible, kind: $0.kind.rawValue) }
                : nil,
            sheet: reader.sheetName,
            headerRow: file.headerRow,
            header: file.header,
            rows: rows,
            firstRows: first,
            mapping: file.mapping.matches,
            unmapped: file.mapping.unmapped.map(\.column),
            unmappedReasons: reasons,
            provider: settings.provider.rawValue,
            warnings: reader.warnings + lostDigits.warnings(header: file.header)
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
        if !report.header.isEmpty {
            lines.append("mapping (\(report.provider)):")
            for match in report.mapping {
                lines.append("  \(ColumnName.letters(match.index - 1).padding(3))\(match.column) -> \(match.input) (\(match.how.rawValue))")
            }
            if !report.unmapped.isEmpty {
                let list = report.unmapped.map { name in report.unmappedReasons[name].map { "\(name) (\($0))" } ?? name }
                lines.append("unmapped:  \(list.joined(separator: ", ")) (kept in reports)")
            }
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
