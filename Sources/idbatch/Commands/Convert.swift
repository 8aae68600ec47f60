import ArgumentParser
import Pipeline
import Spreadsheet

/// `idbatch convert`: every cell's text, row for row, into CSV or xlsx.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a CSV or xlsx file to CSV or xlsx, cell for cell.",
        discussion: """
            Cells keep the text a person sees: integers without '.0', dates as YYYY-MM-DD, times as \
            HH:MM:SS, elapsed times as Excel shows them (250:10:10), formulas as their cached values. \
            CSV output is UTF-8 with a BOM (for Excel) and neutralises text that \
            starts with = + - @ tab or CR by prefixing a quote. Rows keep their sheet positions: gaps in \
            the sheet become empty rows. The output appears only when complete, with mode 0600.
            """
    )

    @Argument(help: "The CSV or xlsx file to read.")
    var input: String

    @Option(help: "Output format.")
    var to: SpreadsheetFormat

    @Option(name: .shortAndLong, help: "Output file (default: the input's name with the new extension).")
    var output: String?

    @Flag(name: .customLong("no-bom"), help: "Write CSV without a UTF-8 byte-order mark.")
    var noBOM = false

    @OptionGroup var inputOptions: InputOptions

    func run() throws {
        let destination = output ?? Convert.defaultOutput(for: input, format: to)
        guard destination != input else {
            throw ValidationError("the output would overwrite the input; name another with -o")
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let reader = try SpreadsheetReader(path: input, options: inputOptions.readOptions)
            var lostDigits = LostDigits()
            let rows = try Convert.copy(reader, to: destination, format: to, byteOrderMark: !noBOM) {
                lostDigits.record($0)
            }
            for warning in reader.warnings + lostDigits.warnings(header: []) {
                Console.warning("\(input): \(warning)")
            }
            let seconds = Console.format(clock.now - started)
            let sheet = reader.sheetName.map { " (sheet '\($0)')" } ?? ""
            Console.note("converted \(rows) rows from \(input)\(sheet) to \(destination) in \(seconds)")
        } catch let error as SpreadsheetError {
            throw Console.fail(error)
        }
    }

    static func defaultOutput(for input: String, format: SpreadsheetFormat) -> String {
        let slash = input.lastIndex(of: "/").map { input.index(after: $0) } ?? input.startIndex
        return String(input[..<slash]) + ReportPlan.stem(of: input) + "." + format.rawValue
    }

    /// Streams every row of `reader` into a new file; returns the number of rows written.
    ///
    /// Rows keep their sheet positions: a gap in the sheet's row numbers becomes empty rows, but
    /// blank rows are written only when data follows them, so trailing ones vanish.
    static func copy(_ reader: SpreadsheetReader, to destination: String, format: SpreadsheetFormat,
                     byteOrderMark: Bool, observe: (Row) -> Void = { _ in }) throws -> Int {
        var options = WriteOptions(sheetName: reader.sheetName ?? "Sheet1")
        options.byteOrderMark = byteOrderMark
        options.padToWidest = true
        let writer = try SpreadsheetWriter.open(path: destination, format: format, options: options)
        var progress = Progress()
        var written = 0
        var widest = 0
        do {
            let blank = Row(number: 0)
            while let row = try reader.next() {
                if row.isBlank { continue }
                // Blank rows for the gap and empty cells up to the widest row cost as much as cells
                // read, and count against the same cap: a sparse sheet must not write without end.
                let gap = row.number - written - 1
                let padding = format == .csv ? gap * widest + max(0, widest - row.count) : 0
                try reader.account(paddedCells: gap + padding, row: row.number)
                widest = max(widest, row.count)
                while written + 1 < row.number {
                    try writer.write(blank)
                    written += 1
                }
                observe(row)
                try writer.write(row)
                written = row.number
                progress.update("converting: row \(written)")
            }
            try writer.close()
        } catch {
            writer.discard()
            throw error
        }
        progress.finish()
        return written
    }
}

extension SpreadsheetFormat: ExpressibleByArgument {}
