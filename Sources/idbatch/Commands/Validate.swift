import ArgumentParser
import CheckInputs
import Foundation
import Spreadsheet

/// `idbatch validate`: map and validate every row, no network; writes the error file and a summary.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Map and validate every row without calling any provider.",
        discussion: """
            Finds the header, maps columns to the provider's inputs, and checks each row: the inputs \
            Truora's table requires for its country and type, allowed values, dates, ID check digits, \
            phones, consent and duplicates. Writes NAME.errors.EXT (only the failed rows, in the input's \
            format, with idbatch_error_code, idbatch_error_column and idbatch_error_message) and \
            NAME.summary.json to --out. Exit 0 when every row is valid, 2 when some are not, 65 when the \
            input cannot be read, 78 for a bad job file.
            """
    )

    @Argument(help: "The CSV or xlsx file to validate.")
    var input: String

    @OptionGroup var check: CheckOptions

    @Option(help: ArgumentHelp("Folder for the error file and the summary.", valueName: "DIR"))
    var out: String = "."

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @OptionGroup var inputOptions: InputOptions

    /// `NAME.summary.json`.
    struct Summary: Encodable {
        var file: String
        var provider: String
        var sheet: String?
        var headerRow: Int?
        var rowsRead: Int
        var valid: Int
        var failed: Int
        var failedByCode: [String: Int]
        var warningsByCode: [String: Int]
        var mapping: [ColumnMapping.Match]
        var unmapped: [ColumnMapping.Unmapped]
        var dateOrders: [String: String]
        var errorsFile: String?
        var warnings: [String]

        enum CodingKeys: String, CodingKey {
            case file, provider, sheet, valid, failed, mapping, unmapped, warnings
            case headerRow = "header_row"
            case rowsRead = "rows_read"
            case failedByCode = "failed_by_code"
            case warningsByCode = "warnings_by_code"
            case dateOrders = "date_orders"
            case errorsFile = "errors_file"
        }
    }

    func run() throws {
        let (settings, _) = try check.settings()
        try OutputFolder.ensure(out)
        let stem = OutputFolder.stem(of: input)
        let clock = ContinuousClock()
        let started = clock.now
        let summary: Summary
        do {
            let file = try FileValidation(path: input, settings: settings, readOptions: inputOptions.readOptions)
            summary = try Validate.validate(file, out: out, stem: stem)
        } catch let error as SpreadsheetError {
            throw Console.fail(error)
        } catch let problem as ColumnMapper.Problem {
            throw check.fail(problem)
        }
        let summaryPath = "\(out)/\(stem).summary.json"
        let text = try Validate.json(summary)
        do {
            try PrivateFile.write(text, to: summaryPath)
        } catch let error as SpreadsheetError {
            throw Console.fail(error)
        }
        if json { FileHandleOutput.stdout(text) }
        Validate.printSummary(summary, summaryPath: summaryPath, seconds: Console.format(clock.now - started))
        if summary.failed > 0 { throw ExitCode(2) }
    }

    static func json(_ summary: Summary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }

    /// Validates every row, writing failed ones to the error file (removed again when none fail).
    static func validate(_ file: FileValidation, out: String, stem: String) throws -> Summary {
        let ext = file.format.rawValue
        let errorsPath = "\(out)/\(stem).errors.\(ext)"
        var errors: ErrorFile?
        var progress = Progress()
        let counts: ValidationSummary
        do {
            errors = try ErrorFile(path: errorsPath, format: file.format, header: file.header, delimiter: file.delimiter,
                                   textColumns: file.mapping.textColumns, sheetName: file.sheetName)
            counts = try file.validate { row, outcome in
                if !outcome.isValid { try errors?.add(row, outcome: outcome) }
                progress.update("validating: row \(row.number)")
            }
            progress.finish()
            if counts.failed > 0 {
                try errors?.close()
            } else {
                errors?.discard()
                errors = nil
                // A stale error file from an earlier run would say rows fail that no longer do.
                unlink(errorsPath)
            }
        } catch {
            progress.finish()
            errors?.discard()
            throw error
        }
        var orders: [String: String] = [:]
        for date in counts.dateOrders { orders[date.column] = date.order }
        return Summary(
            file: file.path, provider: file.settings.provider.rawValue, sheet: file.sheetName, headerRow: file.headerRow,
            rowsRead: counts.rowsRead, valid: counts.valid, failed: counts.failed, failedByCode: counts.failedByCode,
            warningsByCode: counts.warningsByCode, mapping: file.mapping.matches, unmapped: file.mapping.unmapped,
            dateOrders: orders, errorsFile: errors != nil ? errorsPath : nil, warnings: file.readWarnings)
    }

    static func printSummary(_ summary: Summary, summaryPath: String, seconds: String) {
        for warning in summary.warnings { Console.warning("\(summary.file): \(warning)") }
        var lines = ["\(summary.file): \(summary.rowsRead) rows read = \(summary.valid) valid + \(summary.failed) failed (\(seconds))"]
        if summary.headerRow == nil { lines.append("  the sheet is empty: no header, no rows") }
        for (code, count) in summary.failedByCode.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("  \(code): \(count) row(s)")
        }
        for (code, count) in summary.warningsByCode.sorted(by: { $0.key < $1.key }) {
            lines.append("  warning \(code): \(count) row(s)")
        }
        for (column, order) in summary.dateOrders.sorted(by: { $0.key < $1.key }) {
            lines.append("  dates in '\(column)' read \(order)")
        }
        if let errorsFile = summary.errorsFile { lines.append("  failed rows: \(errorsFile)") }
        lines.append("  summary: \(summaryPath)")
        for line in lines { Console.note(line) }
    }
}
