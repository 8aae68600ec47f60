import CheckInputs
import Foundation
import Spreadsheet

/// `NAME.summary.json` of a run, and what `--json` prints: rows read = ok + failed + pending +
/// skipped, always, the requests made and the billable ones, the duration and the outputs.
public struct RunSummary: Codable, Sendable, Equatable {
    public var file: String
    public var sha256: String
    public var mode: String
    public var dryRun: Bool
    public var rowsRead: Int
    public var ok: Int
    public var failed: Int
    public var pending: Int
    public var skipped: Int
    public var accounting: String
    public var byCode: [String: Int]
    public var scores: [String: Int]
    /// truora-di and truora-whatsapp: finished processes by status (`failure: REASON`).
    public var processes: [String: Int]?
    /// truora-di and truora-whatsapp: rows whose process is known (`matched`) and still `waiting`.
    public var processMatching: [String: Int]?
    /// Provider requests made, by kind.
    public var requests: [String: Int]
    /// The requests that cost money: checks created, Trulioo inits, web keys, WhatsApp messages.
    public var billableRequests: Int
    /// For a dry run: the billable requests the run would make, by kind.
    public var wouldBill: [String: Int]
    public var started: Date
    public var finished: Date
    public var durationSeconds: Double
    public var report: String
    public var errorsFile: String?
    /// Why the run stopped sending early, if it did.
    public var stopped: String?
    public var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case file, sha256, mode, ok, failed, pending, skipped, accounting, scores, processes, requests, started, finished
        case report, stopped, warnings
        case dryRun = "dry_run", rowsRead = "rows_read", byCode = "by_code", billableRequests = "billable_requests"
        case wouldBill = "would_bill", durationSeconds = "duration_seconds", errorsFile = "errors_file"
        case processMatching = "process_matching"
    }

    /// Kinds of request that are billed.
    static let billableKinds: Set<String> = ["checks_created", "inits", "sessions", "web_keys", "messages"]

    init(plan: ReportPlan, counts: ReportCounts, stopped: StopReason?, warnings: [String], errorsWritten: Bool) {
        let finished = plan.finishedAt ?? Date()
        file = plan.input
        sha256 = plan.sha256
        mode = plan.mode
        dryRun = plan.dryRun
        rowsRead = counts.rowsRead
        ok = counts.ok
        failed = counts.failed
        pending = counts.pending
        skipped = counts.skipped
        accounting = "\(counts.rowsRead) rows read = \(counts.ok) ok + \(counts.failed) failed + \(counts.pending) "
            + "pending + \(counts.skipped) skipped"
        byCode = counts.byCode
        scores = counts.scores
        processes = counts.processes
        processMatching = counts.processMatching
        requests = plan.requests
        billableRequests = plan.requests.filter { Self.billableKinds.contains($0.key) }.values.reduce(0, +)
        wouldBill = plan.wouldBill
        started = plan.startedAt
        self.finished = finished
        durationSeconds = (finished.timeIntervalSince(plan.startedAt) * 1000).rounded() / 1000
        report = plan.reportPath
        errorsFile = errorsWritten ? plan.errorsPath : nil
        self.stopped = stopped?.code
        self.warnings = warnings
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }

    /// The xlsx report's Summary sheet: outcomes (charted), errors by code, scores and the run.
    static func sheet(plan: ReportPlan, counts: ReportCounts) -> SummarySheet {
        let iso = ISO8601DateFormatter()
        let language = plan.outputLanguage
        func word(_ key: String) -> String { Words.text("summary." + key, language) }
        var sections = [
            SummarySheet.Section(
                title: word("byStatus"),
                // The statuses are the report's own values (idbatch_status), the same in every language.
                lines: [("ok", counts.ok), ("failed", counts.failed), ("pending", counts.pending),
                        ("skipped", counts.skipped)].map { SummarySheet.Line($0.0, .number(Double($0.1))) },
                chart: true),
            SummarySheet.Section(
                title: word("accounting"),
                lines: [SummarySheet.Line(word("rowsRead"), .number(Double(counts.rowsRead))),
                        SummarySheet.Line(word("balances"), .text(counts.balances ? word("yes") : word("no")))]),
        ]
        if !counts.byCode.isEmpty {
            sections.append(SummarySheet.Section(
                title: word("byCode"),
                lines: counts.byCode.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                    .map { SummarySheet.Line($0.key, .number(Double($0.value))) }))
        }
        if plan.startsProcess {
            // Process statuses and declined reasons are Truora's values, the same in every language.
            sections.append(SummarySheet.Section(
                title: word("processes"),
                lines: (counts.processes ?? [:]).sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                    .map { SummarySheet.Line($0.key, .number(Double($0.value))) }))
            if let matching = counts.processMatching {
                sections.append(SummarySheet.Section(
                    title: word("processMatching"),
                    lines: [SummarySheet.Line(word("processMatched"), .number(Double(matching["matched"] ?? 0))),
                            SummarySheet.Line(word("processWaiting"), .number(Double(matching["waiting"] ?? 0)))]))
            }
        } else if plan.mode != "trulioo" {
            let buckets = (0..<5).map { RunReport.scoreBucket((Double($0) + 0.5) / 5) }
            sections.append(SummarySheet.Section(
                title: word("scores"),
                lines: buckets.map { SummarySheet.Line($0, .number(Double(counts.scores[$0] ?? 0))) }))
        }
        var run: [SummarySheet.Line] = [
            SummarySheet.Line(word("file"), .text(plan.input)), SummarySheet.Line(word("sha256"), .text(plan.sha256)),
            SummarySheet.Line(word("mode"), .text(plan.mode + (plan.dryRun ? " (\(word("dryRun")))" : ""))),
            SummarySheet.Line(word("country"), .text(plan.country ?? word("fromRows"))),
            SummarySheet.Line(word("type"), .text(plan.type ?? word("fromRows"))),
            SummarySheet.Line(word("started"), .text(iso.string(from: plan.startedAt))),
            SummarySheet.Line(word("finished"), .text(iso.string(from: plan.finishedAt ?? Date()))),
        ]
        for (kind, count) in plan.requests.sorted(by: { $0.key < $1.key }) {
            run.append(SummarySheet.Line("\(word("requests")): \(kind)", .number(Double(count))))
        }
        for (kind, count) in plan.wouldBill.sorted(by: { $0.key < $1.key }) {
            run.append(SummarySheet.Line("\(word("wouldBill")): \(kind)", .number(Double(count))))
        }
        sections.append(SummarySheet.Section(title: word("run"), lines: run))
        if let warnings = plan.warnings, !warnings.isEmpty {
            sections.append(SummarySheet.Section(title: word("warnings"),
                                                 lines: warnings.map { SummarySheet.Line(word("warning"), .text($0)) }))
        }
        return SummarySheet(name: word("sheet"), sections: sections)
    }
}
