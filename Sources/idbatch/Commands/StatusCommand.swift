import ArgumentParser
import Foundation
import Pipeline

/// `idbatch status`: what the ledger knows, without a provider call.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The last sweeps and runs (when, file, counts, reports) and the rows still pending, from the ledger alone.",
        discussion: "Makes no provider call. Exit code 0, or 73 when the state folder cannot be read."
    )

    @Option(help: ArgumentHelp(
        "Folder for the ledger (default: $STATE_DIRECTORY, else $XDG_STATE_HOME/idbatch, else ~/.local/state/idbatch).",
        valueName: "DIR"))
    var state: String?

    @Option(help: ArgumentHelp("How many of the latest runs to list.", valueName: "N"))
    var last: Int = 10

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        let directory = state ?? Ledger.defaultDirectory()
        guard FileManager.default.fileExists(atPath: directory + "/ledger.sqlite") else {
            if json {
                FileHandleOutput.stdout("{\"runs\": [], \"sweeps\": [], \"pending_rows\": {}}\n")
            } else {
                Console.note("no ledger in \(directory): nothing has run with this --state yet")
            }
            return
        }
        let ledger: Ledger
        let runs: [RunRecord]
        let sweeps: [SweepRecord]
        let open: [String: Int]
        do {
            ledger = try Ledger(directory: directory)
            runs = try ledger.recentRuns(limit: max(1, last))
            sweeps = try ledger.recentSweeps(limit: max(1, last))
            open = try ledger.openRows()
        } catch {
            throw Console.fail(error)
        }
        let iso = ISO8601DateFormatter()
        let sweepItems: [[String: Any]] = sweeps.map { sweep in
            [
                "folder": sweep.folder, "started": iso.string(from: Date(timeIntervalSince1970: sweep.startedAt)),
                "finished": iso.string(from: Date(timeIntervalSince1970: sweep.finishedAt)),
                "processed": sweep.processed, "duplicates": sweep.duplicates, "failed": sweep.failed,
                "held": sweep.held, "waiting": sweep.waiting, "collected": sweep.collected, "purged": sweep.purged,
                "exit_code": sweep.exitCode, "reports": sweep.reports,
            ]
        }
        var items: [[String: Any]] = []
        for run in runs {
            let plan = ReportPlan.decode(run.plan)
            var item: [String: Any] = [
                "run": run.id ?? 0, "mode": run.mode, "started": iso.string(from: Date(timeIntervalSince1970: run.startedAt)),
                "file": plan?.input ?? "?", "finished": run.finishedAt.map { iso.string(from: Date(timeIntervalSince1970: $0)) }
                    ?? "not finished",
            ]
            if let plan { item["report"] = plan.reportPath }
            if let counts = run.counts.flatMap({ try? JSONDecoder().decode(ReportCounts.self, from: Data($0.utf8)) }) {
                item["rows_read"] = counts.rowsRead
                item["ok"] = counts.ok
                item["failed"] = counts.failed
                item["pending"] = counts.pending
                item["skipped"] = counts.skipped
            }
            items.append(item)
        }
        if json {
            let object: [String: Any] = ["runs": items, "sweeps": sweepItems, "pending_rows": open]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8)
            FileHandleOutput.stdout(String(decoding: data, as: UTF8.self) + "\n")
            return
        }
        var lines: [String] = []
        for sweep in sweeps {
            lines.append("\(iso.string(from: Date(timeIntervalSince1970: sweep.startedAt))) sweep \(sweep.folder): "
                         + "\(sweep.processed) run, \(sweep.duplicates) already run, \(sweep.failed) failed, "
                         + "\(sweep.held) held, \(sweep.waiting) still arriving; \(sweep.collected) collected, "
                         + "\(sweep.purged) purged; exit \(sweep.exitCode)\n    reports: \(sweep.reports)")
        }
        for item in items {
            var line = "\(item["started"] ?? "") \(item["mode"] ?? "") \(item["file"] ?? "")"
            if let read = item["rows_read"] {
                line += ": \(read) rows = \(item["ok"] ?? 0) ok + \(item["failed"] ?? 0) failed + "
                    + "\(item["pending"] ?? 0) pending + \(item["skipped"] ?? 0) skipped"
            } else {
                line += ": not finished (the next run of the same file resumes it)"
            }
            if let report = item["report"] { line += "\n    report: \(report)" }
            lines.append(line)
        }
        let pending = open.values.reduce(0, +)
        lines.append(pending == 0
                     ? "no row is waiting for a provider's answer"
                     : "\(pending) row(s) waiting for an answer ("
                        + open.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                        + "): 'idbatch collect' (or the next sweep) fetches them")
        FileHandleOutput.stdout(lines.joined(separator: "\n") + "\n")
    }
}
