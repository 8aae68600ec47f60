import CheckInputs
import Foundation
import Spreadsheet

/// What a run's reports are made from, kept in the ledger as JSON so `collect` can write them
/// again later from the same input: how to read it, where the header is, and where the reports go.
public struct ReportPlan: Codable, Sendable, Equatable {
    public var input: String
    public var sha256: String
    public var mode: String
    /// truora-di and truora-whatsapp: rows start processes whose results come later.
    var startsProcess: Bool { Provider(rawValue: mode)?.startsProcess == true }
    public var sheet: String?
    public var delimiter: UInt8?
    public var limits: ReadLimits
    /// 1-based header row; nil for an empty sheet.
    public var headerRow: Int?
    public var inputFormat: SpreadsheetFormat
    public var reportFormat: SpreadsheetFormat
    /// 0-based input columns holding IDs and phones (text in an xlsx report).
    public var textColumns: [Int]
    /// The widest data row seen (cells), so ragged rows keep every cell in the report.
    public var width: Int
    public var outDirectory: String
    /// `NAME` of `NAME.EXT`.
    public var stem: String
    public var country: String?
    public var type: String?
    public var dryRun: Bool
    /// Why valid rows that have no ledger record were not sent.
    public var skipMessage: String?
    public var skipCode: String?
    public var startedAt: Date
    public var finishedAt: Date?
    /// Provider requests made, by kind (`checks_created`, `checks_found`, `polls`, `inits`, `signed_urls`).
    public var requests: [String: Int]
    /// For a dry run: the billable requests the run would make, by kind.
    public var wouldBill: [String: Int]
    /// Truora: PDFs and continuous checks the run asked for (nil in plans written before them).
    public var followUps: FollowUpPlan?
    /// What the run warned of besides the input (Truora's databases down), for the Summary sheet.
    public var warnings: [String]?
    /// The language people read the outputs in (nil in plans written before it: the country's).
    public var language: Language?
    /// The flow rows started (Trulioo, truora-di, truora-whatsapp), so `collect` can look at it.
    public var flowID: String?
    /// Trulioo's route table (`workflow-studio` or `platform-v2`); nil in plans written before.
    public var truliooAPI: String?

    /// The language the outputs are written in.
    public var outputLanguage: Language { language ?? Language.forCountry(country) }

    public var reportPath: String { "\(outDirectory)/\(stem).report.\(reportFormat.rawValue)" }
    public var errorsPath: String { "\(outDirectory)/\(stem).errors.\(inputFormat.rawValue)" }
    public var summaryPath: String { "\(outDirectory)/\(stem).summary.json" }
    /// Where `--pdf` puts the PDFs, relative to `outDirectory`.
    public var pdfFolder: String { "\(stem).pdf" }

    var readOptions: ReadOptions {
        ReadOptions(sheet: sheet.map { SheetSelector($0) }, delimiter: delimiter, limits: limits)
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func decode(_ text: String) -> ReportPlan? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(ReportPlan.self, from: Data(text.utf8))
    }

    /// `NAME` for `dir/NAME.EXT`.
    public static func stem(of path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
