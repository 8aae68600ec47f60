import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
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

    @OptionGroup var language: LanguageOption

    @Option(help: ArgumentHelp("Folder for the error file and the summary.", valueName: "DIR"))
    var out: String = "."

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    @OptionGroup var inputOptions: InputOptions

    func run() throws {
        let job = try check.jobFile()
        let settings = job.settings
        try OutputFolder.ensure(out)
        let clock = ContinuousClock()
        let started = clock.now
        var progress = Progress()
        let summary: ValidationJob.Summary
        let summaryPath: String
        do {
            (summary, summaryPath) = try ValidationJob.run(
                path: input, settings: settings, readOptions: inputOptions.readOptions, out: out,
                language: language.resolve(job: job.language, country: settings.country)
            ) { row in progress.update("validating: row \(row)") }
        } catch {
            progress.finish()
            throw check.fail(error)
        }
        progress.finish()
        if json { FileHandleOutput.stdout(summary.json()) }
        Validate.printSummary(summary, summaryPath: summaryPath, seconds: Console.format(clock.now - started))
        if summary.failed > 0 { throw ExitCode(ExitStatus.someRowsNotOK) }
    }

    static func printSummary(_ summary: ValidationJob.Summary, summaryPath: String, seconds: String) {
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
