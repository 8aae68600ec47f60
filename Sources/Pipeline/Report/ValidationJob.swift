import CheckInputs
import Foundation
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// `idbatch validate`: every row mapped and validated, no network. Writes the error file (only
/// the failed rows; a stale one is removed when every row passes) and `NAME.summary.json`.
public enum ValidationJob {
    /// `NAME.summary.json` of a validation.
    public struct Summary: Encodable, Sendable {
        public var file: String
        public var provider: String
        public var sheet: String?
        public var headerRow: Int?
        public var rowsRead: Int
        public var valid: Int
        public var failed: Int
        public var failedByCode: [String: Int]
        public var warningsByCode: [String: Int]
        public var mapping: [ColumnMapping.Match]
        public var unmapped: [ColumnMapping.Unmapped]
        public var dateOrders: [String: String]
        public var errorsFile: String?
        public var warnings: [String]

        enum CodingKeys: String, CodingKey {
            case file, provider, sheet, valid, failed, mapping, unmapped, warnings
            case headerRow = "header_row"
            case rowsRead = "rows_read"
            case failedByCode = "failed_by_code"
            case warningsByCode = "warnings_by_code"
            case dateOrders = "date_orders"
            case errorsFile = "errors_file"
        }

        public func json() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return ((try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
        }
    }

    /// Validates `path` and writes its error file and summary to `out`. Returns the summary and
    /// where it was written; `observe` is called with each row number (for a progress line).
    public static func run(path: String, settings: CheckSettings, readOptions: ReadOptions, out: String,
                           language: Language? = nil, observe: (Int) -> Void = { _ in }) throws(PipelineError)
        -> (Summary, String)
    {
        let stem = ReportPlan.stem(of: path)
        let summary: Summary
        do {
            let file = try FileValidation(path: path, settings: settings, readOptions: readOptions)
            summary = try validate(file, out: out, stem: stem,
                                   language: language ?? Language.forCountry(settings.country), observe: observe)
        } catch {
            throw PipelineError.from(error, file: path)
        }
        let summaryPath = "\(out)/\(stem).summary.json"
        do {
            try PrivateFile.write(summary.json(), to: summaryPath)
        } catch {
            throw PipelineError.from(error, file: summaryPath)
        }
        return (summary, summaryPath)
    }

    private static func validate(_ file: FileValidation, out: String, stem: String, language: Language,
                                 observe: (Int) -> Void) throws
        -> Summary
    {
        let errorsPath = "\(out)/\(stem).errors.\(file.format.rawValue)"
        var errors: ErrorFile?
        let counts: ValidationSummary
        do {
            errors = try ErrorFile(path: errorsPath, format: file.format, header: file.header, delimiter: file.delimiter,
                                   textColumns: file.mapping.textColumns, sheetName: file.sheetName, language: language)
            let rows = try file.rows(seen: SpillingSeenKeys(directory: NSTemporaryDirectory()))
            errors?.dateFormats = { rows.dateFormat(column: $0) }
            while let (row, outcome) = try rows.next() {
                if !outcome.isValid { try errors?.add(row, outcome: outcome) }
                observe(row.number)
            }
            counts = rows.summary
            if counts.failed > 0 {
                try errors?.close()
            } else {
                errors?.discard()
                errors = nil
                // A stale error file from an earlier run would say rows fail that no longer do.
                unlink(errorsPath)
            }
        } catch {
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
}
