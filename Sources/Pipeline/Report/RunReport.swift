import CheckInputs
import Foundation
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// Counts of a written report: rows read = ok + failed + pending + skipped, always.
public struct ReportCounts: Codable, Sendable, Equatable {
    public var rowsRead = 0
    public var ok = 0
    public var failed = 0
    public var pending = 0
    public var skipped = 0
    /// Rows by error code (failed, pending and skipped rows that carry one).
    public var byCode: [String: Int] = [:]
    /// Truora scores in fifths (`0.0-0.2` … `0.8-1.0`).
    public var scores: [String: Int] = [:]
    /// truora-di and truora-whatsapp: finished processes by status, failures by `declined_reason`
    /// (`success`, `failure: not_used`); nil in counts written before these modes.
    public var processes: [String: Int]?
    /// truora-di and truora-whatsapp: rows sent whose process is known (`matched`, named by Truora
    /// or found among the flow's by account) and rows still `waiting` for one.
    public var processMatching: [String: Int]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case rowsRead = "rows_read", ok, failed, pending, skipped, byCode = "by_code", scores, processes
        case processMatching = "process_matching"
    }

    public var balances: Bool { rowsRead == ok + failed + pending + skipped }
}

extension ReportCounts {
    /// Counts one row; `processes`: the run's mode starts processes (decided once per report).
    mutating func count(_ verdict: RunReport.Verdict, record: LedgerRecord?, processes countsProcesses: Bool) {
        rowsRead += 1
        switch verdict.status {
        case "ok": ok += 1
        case "failed": failed += 1
        case "pending": pending += 1
        default: skipped += 1
        }
        if !verdict.code.isEmpty { byCode[verdict.code, default: 0] += 1 }
        if let score = record?.score, score >= 0, record?.state == .final {
            scores[RunReport.scoreBucket(score), default: 0] += 1
        }
        if countsProcesses, let record, [.acknowledged, .final].contains(record.state) {
            processMatching = processMatching ?? ["matched": 0, "waiting": 0]
            processMatching?[record.remoteID == nil ? "waiting" : "matched", default: 0] += 1
        }
        if countsProcesses, let record, record.state == .final, let status = record.remoteStatus {
            // A failure overridden to success counts as a success (its old reason stays in its row).
            let key = status == "failure" ? record.declinedReason.map { "failure: \($0)" } ?? status : status
            processes = processes ?? [:]
            processes?[key, default: 0] += 1
        }
    }
}

/// Writes a run's outputs from its input and its ledger records: the merged report (every input
/// row, in order, with its result), the error file (only the failed rows, in the input's own format
/// and columns) and, for xlsx, a Summary sheet with a chart of the outcomes.
enum RunReport {
    /// The status and error of one row as the report shows it.
    struct Verdict {
        var status: String
        var code = ""
        /// Each message with the column it blames (the error file marks those cells).
        var blame: [Blame] = []

        init(status: String, code: String = "", blame: [Blame] = []) {
            self.status = status
            self.code = code
            self.blame = blame
        }

        init(status: String, code: String, _ message: Message, language: Language) {
            self.init(status: status, code: code, blame: [Blame(column: "", text: message.text(language))])
        }

        var message: String { StoredMessage.text(blame) }
    }

    static func resultColumns(plan: ReportPlan) -> [String] {
        let common = ["idbatch_row", "idbatch_status", "idbatch_error_code", "idbatch_error_message"]
        var truora = common + ["check_id", "check_status", "score", "id_score", "name_score"]
        switch plan.mode {
        case "trulioo": return common + ["user_state_id", "signed_url", "profile_status", "trulioo_step"]
        case "truora-di", "truora-whatsapp":
            return common + ["account_id", "verification_url", "process_id", "process_status", "declined_reason"]
        case "truora-batch": truora.append("batch_id")
        default: break
        }
        if plan.followUps?.pdf == true { truora.append("pdf") }
        if plan.followUps?.enrolls == true { truora.append("continuous_check_id") }
        return truora
    }

    static let resultWidths: [String: Double] = [
        "idbatch_row": 12, "idbatch_status": 15, "idbatch_error_code": 24, "idbatch_error_message": 70,
        "check_id": 38, "check_status": 14, "score": 8, "id_score": 10, "name_score": 12, "batch_id": 38,
        "user_state_id": 38, "signed_url": 50, "profile_status": 16, "trulioo_step": 24, "pdf": 46, "continuous_check_id": 38,
        "account_id": 30, "verification_url": 50, "process_id": 38, "process_status": 15, "declined_reason": 30,
    ]

    static func verdict(_ record: LedgerRecord?, plan: ReportPlan, batches: [Int64: LedgerBatch] = [:]) -> Verdict {
        let language = plan.outputLanguage
        func stored(_ text: String?, column: String = "") -> [Blame] {
            StoredMessage.parts(text ?? "", language, column: column)
        }
        guard let record else {
            guard let skip = plan.skipMessage else {
                return Verdict(status: "skipped", code: plan.skipCode ?? "not_sent", Message(.notSent), language: language)
            }
            return Verdict(status: "skipped", code: plan.skipCode ?? "not_sent", blame: stored(skip))
        }
        switch record.state {
        case .failed:
            return Verdict(status: "failed", code: record.errorCode ?? "failed",
                           blame: stored(record.errorMessage, column: record.errorColumn ?? ""))
        case .final:
            // A finished check whose PDF or continuous check is not there yet says so, and stays ok.
            guard let code = record.errorCode else { return Verdict(status: "ok") }
            return Verdict(status: "ok", code: code, blame: stored(record.errorMessage))
        case .acknowledged:
            // A Trulioo row is done once its user state exists; the person then completes the flow.
            if record.mode == "trulioo" {
                guard let code = record.errorCode else { return Verdict(status: "ok") }
                let inner = StoredMessage.render(record.errorMessage ?? "", language)
                return Verdict(status: "pending", code: code, Message(.askLinkAgain, inner), language: language)
            }
            if plan.startsProcess {
                if record.remoteID == nil {
                    return Verdict(status: "pending", code: "process_waiting",
                                   Message(.processWaiting, record.accountID ?? "—"), language: language)
                }
                return Verdict(status: "pending", code: "process_pending", Message(.processPending), language: language)
            }
            return Verdict(status: "pending", code: "result_pending", Message(.resultPending), language: language)
        case .sent, .unknown:
            if let id = record.batch, let batch = batches[id] {
                let remote = batch.remoteID ?? "—"
                switch batch.step {
                case .started, .reporting:
                    return Verdict(status: "pending", code: "batch_running", Message(.batchRunning, remote),
                                   language: language)
                default:
                    let message = batch.failure.map { Message(.batchNotStartedBecause, remote, $0) }
                        ?? Message(.batchNotStarted, remote)
                    return Verdict(status: "pending", code: "batch_not_started", message, language: language)
                }
            }
            if record.mode == "trulioo" {
                return Verdict(status: "pending", code: "outcome_unknown",
                               Message(.truliooOutcomeUnknown, TruliooExternalID.make(record.inputHash)),
                               language: language)
            }
            if plan.startsProcess {
                let key: MessageKey = record.mode == "truora-di" ? .linkOutcomeUnknown : .messageOutcomeUnknown
                return Verdict(status: "pending", code: "outcome_unknown", Message(key, record.accountID ?? "—"),
                               language: language)
            }
            return Verdict(status: "pending", code: "outcome_unknown", Message(.truoraOutcomeUnknown), language: language)
        }
    }

    /// Writes the report and the error file for `plan`, reading the input again. Returns the counts.
    static func write(plan: ReportPlan, ledger: Ledger, fileID: Int64, summary: (ReportCounts) -> SummarySheet?)
        throws -> ReportCounts
    {
        let reader = try SpreadsheetReader(path: plan.input, options: plan.readOptions)
        let batches = try batchesByID(plan: plan, ledger: ledger, fileID: fileID)
        var counts = ReportCounts()
        var header: [String] = []
        let columns = resultColumns(plan: plan)
        if let headerRow = plan.headerRow {
            while let row = try reader.next() {
                if row.number == headerRow {
                    header = row.cells.map(\.text)
                    break
                }
            }
        }
        // Rows wider than the header keep their cells: the result columns start after the widest row.
        let width = max(header.count, plan.width)
        while header.count < width { header.append("") }
        var options = WriteOptions(sheetName: Words.text("summary.reportSheet", plan.outputLanguage), delimiter: plan.delimiter, textColumns: Set(plan.textColumns))
        // The provider's id column is text too, so a long id never turns into a number.
        options.textColumns.insert(width + 4)
        // Widths a person can read: input columns by their header (dates need 11), results by what they hold.
        for (index, text) in header.enumerated() {
            options.xlsx.columnWidths[index] = Double(min(40, max(12, text.count + 3)))
        }
        for (offset, name) in columns.enumerated() {
            options.xlsx.columnWidths[width + offset] = Self.resultWidths[name] ?? 14
        }
        let report = try SpreadsheetWriter.open(path: plan.reportPath, format: plan.reportFormat, options: options)
        var errors: ErrorFile?
        do {
            errors = try ErrorFile(path: plan.errorsPath, format: plan.inputFormat, header: header,
                                   delimiter: plan.delimiter, textColumns: Set(plan.textColumns),
                                   sheetName: reader.sheetName, language: plan.outputLanguage)
            errors?.dateFormats = { reader.dateFormat(column: $0) }
            var headerOut = Row(number: 1)
            for text in header { headerOut.append(Cell(text: text, type: .text)) }
            for name in columns { headerOut.append(Cell(text: name, type: .text)) }
            try report.write(headerOut)

            var records = RecordCursor(ledger: ledger, fileID: fileID, mode: plan.mode)
            let processes = plan.startsProcess
            var out = Row(number: 0)
            while plan.headerRow != nil, let row = try reader.next() {
                guard !row.isBlank else { continue }
                let record = try records.record(for: row.number)
                let verdict = verdict(record, plan: plan, batches: batches)
                counts.count(verdict, record: record, processes: processes)
                out.reset(number: row.number)
                for column in 0..<width {
                    out.append(column < row.count ? row[column] : Cell.empty)
                }
                appendResult(to: &out, row: row.number, verdict: verdict, record: record, plan: plan,
                             batches: batches)
                try report.write(out)
                if verdict.status == "failed" {
                    try errors?.add(row, code: verdict.code, blame: verdict.blame)
                }
            }
            if let sheet = summary(counts) { try report.addSummary(sheet) }
            try report.close()
            if let file = errors, file.rows > 0 {
                try file.close()
            } else {
                errors?.discard()
                // An error file left by an earlier run would name rows that no longer fail.
                unlink(plan.errorsPath)
            }
        } catch {
            report.discard()
            errors?.discard()
            throw error
        }
        return counts
    }

    /// The report of an input that can no longer be read as it was (moved or changed): one row per
    /// row the ledger knows, by row number, with the result columns only. No error file.
    static func writeByRowNumber(plan: ReportPlan, ledger: Ledger, fileID: Int64) throws -> ReportCounts {
        let batches = try batchesByID(plan: plan, ledger: ledger, fileID: fileID)
        var counts = ReportCounts()
        let report = try SpreadsheetWriter.open(
            path: plan.reportPath, format: plan.reportFormat,
            options: WriteOptions(sheetName: Words.text("summary.reportSheet", plan.outputLanguage), delimiter: plan.delimiter, textColumns: [4]))
        do {
            var header = Row(number: 1)
            for name in resultColumns(plan: plan) { header.append(Cell(text: name, type: .text)) }
            try report.write(header)
            var after = 0
            let processes = plan.startsProcess
            var out = Row(number: 0)
            while true {
                let page = try ledger.records(fileID: fileID, mode: plan.mode, after: after, limit: 2_000)
                guard let last = page.last else { break }
                after = last.sourceRow
                for record in page {
                    let verdict = verdict(record, plan: plan, batches: batches)
                    counts.count(verdict, record: record, processes: processes)
                    out.reset(number: record.sourceRow)
                    appendResult(to: &out, row: record.sourceRow, verdict: verdict, record: record,
                                 plan: plan, batches: batches)
                    try report.write(out)
                }
            }
            try report.close()
        } catch {
            report.discard()
            throw error
        }
        return counts
    }

    /// truora-batch: the file's batches, for the `batch_id` column and the verdicts of rows in them.
    static func batchesByID(plan: ReportPlan, ledger: Ledger, fileID: Int64) throws -> [Int64: LedgerBatch] {
        guard plan.mode == "truora-batch" else { return [:] }
        var batches: [Int64: LedgerBatch] = [:]
        for batch in try ledger.batches(fileID: fileID, mode: plan.mode) {
            if let id = batch.id { batches[id] = batch }
        }
        return batches
    }

    static func scoreBucket(_ score: Double) -> String {
        let fifth = min(4, max(0, Int(score * 5)))
        return String(format: "%.1f-%.1f", Double(fifth) / 5, Double(fifth + 1) / 5)
    }

    private static func appendResult(to out: inout Row, row: Int, verdict: Verdict, record: LedgerRecord?,
                                     plan: ReportPlan, batches: [Int64: LedgerBatch]) {
        let mode = plan.mode
        func text(_ value: String?) { out.append(value.map { Cell(text: $0, type: .text) } ?? Cell.empty) }
        func number(_ value: Double?) {
            guard let value, value >= 0 else { return out.append(Cell.empty) }
            out.append(Cell(text: NumberFormat.plain(value), type: .number))
        }
        out.append(Cell(text: String(row), type: .number))
        text(verdict.status)
        text(verdict.code.isEmpty ? nil : verdict.code)
        text(verdict.message.isEmpty ? nil : verdict.message)
        switch mode {
        case "trulioo":
            text(record?.remoteID)
            text(record?.link)
            text(record?.remoteStatus)
            text(record?.step)
        case "truora-di", "truora-whatsapp":
            text(record?.accountID)
            text(record?.link)
            text(record?.remoteID)
            text(record?.remoteStatus)
            text(record?.declinedReason)
        default:
            text(record?.remoteID)
            text(record?.remoteStatus)
            number(record?.score)
            number(record?.idScore)
            number(record?.nameScore)
            if mode == "truora-batch" { text(record?.batch.flatMap { batches[$0]?.remoteID }) }
            // Only what is done: the file's path, the CCK id; never the ledger's markers.
            if plan.followUps?.pdf == true { text(record?.pdf.flatMap { ["wanted", "asked"].contains($0) ? nil : $0 }) }
            if plan.followUps?.enrolls == true {
                text(record?.continuousID.flatMap { ["wanted", "enrolling"].contains($0) ? nil : $0 })
            }
        }
    }
}

/// Numbers as a person reads them: no exponent, no trailing zeros.
enum NumberFormat {
    static func plain(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

/// The external id a Trulioo user state carries: a prefix of the row's keyed hash, so it can be
/// found in Trulioo's dashboard without any personal data in it.
enum TruliooExternalID {
    static func make(_ inputHash: String) -> String { "idbatch-" + inputHash.prefix(16) }
}

/// The ledger records of one file and mode, taken in row order alongside a reader (a page at a time,
/// so memory stays flat however many rows the file has).
struct RecordCursor {
    let ledger: Ledger
    let fileID: Int64
    let mode: String
    private var page: [LedgerRecord] = []
    private var index = 0
    private var exhausted = false
    private static let pageSize = 2_000

    init(ledger: Ledger, fileID: Int64, mode: String) {
        self.ledger = ledger
        self.fileID = fileID
        self.mode = mode
    }

    /// The record of `row`, if any; rows must be asked for in increasing order.
    mutating func record(for row: Int) throws(PipelineError) -> LedgerRecord? {
        while true {
            while index < page.count, page[index].sourceRow < row { index += 1 }
            if index < page.count { return page[index].sourceRow == row ? page[index] : nil }
            if exhausted { return nil }
            // The next page starts just before `row`: records written behind the cursor are never needed.
            page = try ledger.records(fileID: fileID, mode: mode, after: row - 1, limit: Self.pageSize)
            index = 0
            exhausted = page.count < Self.pageSize
            if page.isEmpty { return nil }
        }
    }
}
