import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
import Spreadsheet

/// `idbatch sweep`: one pass over a drop folder, for cron and systemd timers.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "One pass over a drop folder: run what arrived, collect what is pending, purge what is old.",
        discussion: """
            DIR holds inbox/ (where people and SFTP drop files), processing/, processed/YYYY-MM-DD/, \
            failed/ and reports/YYYY-MM-DD/, created when missing (0700). A file in inbox/ is taken when \
            NAME.done or DONE is there, or when it has not changed for --settle; dotfiles, *.tmp, *.part \
            and Excel's ~$ lock files are left alone, other files that are not spreadsheets go to failed/ \
            with NAME.error.txt. Each file taken runs as 'idbatch run' would, with the first --job whose \
            glob matches its name (--job GLOB=FILE, or --job FILE for every name; a job file may instead \
            hold files: [{match: GLOB, job: FILE}] and default: FILE); its reports go to \
            reports/DATE/ and the file to processed/DATE/, or to failed/ with NAME.error.txt when it \
            cannot be read. The same content dropped again under any name is not sent again (moved to \
            processed/ with NAME.note.txt) unless --force. Rows earlier runs left pending are collected \
            and their reports rewritten. With --keep (or the job file's keep:), inputs, failed files and \
            reports older than that are deleted at the end.

            One pass at a time: a second sweep on the same --state exits 75 at once, naming the holder's \
            pid; a lock left by a killed pass is taken over, and the files it left in processing/ resume \
            through the ledger with no check sent twice. Quiet on success but one summary line \
            (--log-format json: one JSON object per line, for journald). Exit codes: 0 every row ok, \
            2 some rows or files not ok, 69 provider unavailable, 75 another sweep is running, 77 \
            credentials missing or refused, 78 bad job file.
            """
    )

    @Argument(help: "The drop folder.")
    var folder: String

    @Option(name: .customLong("job"), parsing: .singleValue,
            help: ArgumentHelp("A job file for the files whose names match GLOB (GLOB=FILE), or for every file (FILE); the first match wins.",
                               valueName: "[GLOB=]FILE"))
    var jobs: [String] = []

    @Option(help: ArgumentHelp("How long a file must stay unchanged before it is taken (without a .done marker).",
                               valueName: "DURATION"))
    var settle: String = "10s"

    @Option(help: ArgumentHelp("Delete processed inputs, failed files and reports older than this (30d; default: the job file's keep:, else never).",
                               valueName: "DURATION"))
    var keep: String?

    @Flag(help: "Run content that ran before again (through the ledger: nothing already sent is sent again).")
    var force = false

    @Option(help: ArgumentHelp("How long each file's run looks for results once its rows are sent.",
                               valueName: "DURATION"))
    var wait: String = "5m"

    @Option(help: ArgumentHelp("text or json (one object per line, for journald).", valueName: "FORMAT"))
    var logFormat: LogFormat = .text

    @Flag(help: "Print the pass as one JSON object on stdout.")
    var json = false

    @OptionGroup var providerOptions: ProviderOptions

    @OptionGroup var inputOptions: InputOptions

    enum LogFormat: String, ExpressibleByArgument { case text, json }

    func validate() throws {
        for text in [settle, wait] + (keep.map { [$0] } ?? []) where DurationText.parse(text) == nil {
            throw ValidationError("'\(text)' is not a duration such as 10s, 5m, 12h or 30d")
        }
    }

    func run() async throws {
        var sweepJobs: [SweepJob] = []
        var keepText = keep
        func load(_ path: String) throws -> JobFile {
            guard !path.isEmpty else { return JobFile(settings: CheckSettings()) }
            do {
                return try JobFile.load(path: path)
            } catch {
                FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
                throw ExitCode(ExitStatus.configuration)
            }
        }
        func add(_ glob: String, _ job: JobFile) {
            var configuration = RunConfiguration(job: job, readOptions: inputOptions.readOptions)
            configuration.concurrency = providerOptions.concurrency
            configuration.wait = DurationText.parse(wait) ?? .seconds(300)
            sweepJobs.append(SweepJob(glob: glob, configuration: configuration))
        }
        for spec in jobs.isEmpty ? [""] : jobs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let (glob, path) = parts.count == 2 ? (parts[0], parts[1]) : ("*", spec)
            let job = try load(path)
            keepText = keepText ?? job.keep
            guard !job.files.isEmpty || job.defaultJob != nil else {
                add(glob, job)
                continue
            }
            // A job file of rules: each glob's own job file, then the default for the other names.
            for rule in job.files { add(rule.match, try load(rule.job)) }
            if let fallback = job.defaultJob { add(glob, try load(fallback)) }
        }
        let stateDirectory = providerOptions.state ?? Ledger.defaultDirectory()
        let lock: SweepLock
        do {
            lock = try SweepLock.acquire(stateDirectory: stateDirectory)
        } catch {
            throw Console.fail(error)
        }
        let ledger = try providerOptions.ledger()
        let modes = Set(sweepJobs.map(\.configuration.mode))
        let truliooAPI = sweepJobs.first { $0.configuration.mode == .trulioo }?.configuration.truliooAPI ?? .workflowStudio
        let connection = try await providerOptions.connect(modes, truliooAPI: truliooAPI)
        for index in sweepJobs.indices where sweepJobs[index].configuration.mode == .trulioo {
            sweepJobs[index].configuration.flowID = sweepJobs[index].configuration.flowID ?? connection.defaultFlowID
        }
        let control = RunControl()
        Interruption.stopGracefully(control)
        var sweeper = Sweeper(folder: DropFolder(root: folder), jobs: sweepJobs, ledger: ledger,
                              providers: connection.providers, control: control)
        sweeper.settle = DurationText.parse(settle) ?? .seconds(10)
        sweeper.keep = keepText.flatMap { DurationText.parse($0) }
        sweeper.force = force
        // Quiet off a terminal (cron, journald): the summary line is the whole log of a good night.
        let view = RunProgressView()
        if Console.stderrIsTerminal { sweeper.observe = { view.show($0) } }
        let result = try await connection.finishing(view) { () async throws(PipelineError) in
            try await sweeper.pass()
        }
        withExtendedLifetime(lock) {}
        report(result)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    /// One line for the pass, and one for each file that needs a look.
    private func report(_ result: SweepResult) {
        let count = { (outcome: SweptFile.Outcome) in result.files.filter { $0.outcome == outcome }.count }
        var rows = (ok: 0, failed: 0, pending: 0, skipped: 0)
        for summary in result.files.compactMap(\.result?.summary) {
            rows.ok += summary.ok
            rows.failed += summary.failed
            rows.pending += summary.pending
            rows.skipped += summary.skipped
        }
        var line = "sweep \(folder): \(count(.processed)) file(s) run, \(count(.duplicate)) already run, "
        line += "\(count(.failed)) failed, \(count(.held)) held, \(result.waiting.count) still arriving; "
        line += "rows ok \(rows.ok), failed \(rows.failed), pending \(rows.pending), skipped \(rows.skipped); "
        line += "\(result.collected.count) earlier run(s) collected; \(result.purged.count) old item(s) purged"
        if let stopped = result.stopped { line += "; stopped early: \(stopped.code)" }
        if let error = result.stopError { line += "; stopped: \(error.description)" }
        var notes: [(level: String, file: String, event: String, text: String)] = []
        for file in result.files where file.outcome != .processed {
            notes.append(("warning", file.name, file.outcome.rawValue, file.reason ?? ""))
        }
        switch logFormat {
        case .text:
            for note in notes { Console.warning("\(note.file): \(note.event): \(note.text)") }
            Console.note(line)
        case .json:
            for note in notes {
                FileHandleOutput.stderr(Self.jsonLine(["level": note.level, "event": note.event, "file": note.file,
                                                       "message": note.text]))
            }
            FileHandleOutput.stderr(Self.jsonLine(["level": "info", "event": "sweep", "message": line,
                                                   "exit_code": String(result.exitCode)]))
        }
        if json { FileHandleOutput.stdout(Self.json(result)) }
    }

    static func jsonLine(_ fields: [String: String]) -> String {
        var object = fields
        object["ts"] = ISO8601DateFormatter().string(from: Date())
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func json(_ result: SweepResult) -> String {
        let files: [[String: Any]] = result.files.map { file in
            var object: [String: Any] = ["name": file.name, "outcome": file.outcome.rawValue, "path": file.path]
            if let reason = file.reason { object["reason"] = reason }
            if let summary = file.result?.summary {
                object["rows_read"] = summary.rowsRead
                object["ok"] = summary.ok
                object["failed"] = summary.failed
                object["pending"] = summary.pending
                object["skipped"] = summary.skipped
                object["report"] = summary.report
            }
            return object
        }
        let object: [String: Any] = [
            "files": files, "waiting": result.waiting, "collected": result.collected.map { $0.result.summary.file },
            "purged": result.purged, "exit_code": Int(result.exitCode),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// `idbatch purge`: the sweep's retention, by hand.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete a drop folder's processed inputs, failed files and reports older than a duration.",
        discussion: """
            Deletes processed/YYYY-MM-DD/ and reports/YYYY-MM-DD/ folders dated before the cutoff and files \
            in failed/ last changed before it. The ledger keeps only keyed hashes and outcomes, never an \
            ID, so nothing personal is left of the rows. --dry-run lists what would go.
            """
    )

    @Argument(help: "The drop folder.")
    var folder: String

    @Option(help: ArgumentHelp("Delete what is older than this (30d, 12h).", valueName: "DURATION"))
    var olderThan: String

    @Flag(help: "List what would be deleted, and delete nothing.")
    var dryRun = false

    func validate() throws {
        guard DurationText.parse(olderThan) != nil else {
            throw ValidationError("--older-than takes a duration such as 30d or 12h")
        }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: folder) else {
            FileHandleOutput.stderr("idbatch: error: \(folder): no such folder\n")
            throw ExitCode(ExitStatus.inputMissing)
        }
        let deleted = Sweeper.purge(DropFolder(root: folder), olderThan: DurationText.parse(olderThan) ?? .zero,
                                    dryRun: dryRun)
        for path in deleted { FileHandleOutput.stdout(path + "\n") }
        Console.note("\(dryRun ? "would delete" : "deleted") \(deleted.count) item(s) older than \(olderThan)")
    }
}
