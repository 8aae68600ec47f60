import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Which run a dropped file gets: the first job whose glob matches its name.
public struct SweepJob: Sendable {
    /// A shell glob on the file's name (`pessoas-*.csv`); `*` for the default job.
    public var glob: String
    /// The run's configuration (its `outDirectory` is replaced by the day's reports folder).
    public var configuration: RunConfiguration

    public init(glob: String, configuration: RunConfiguration) {
        self.glob = glob
        self.configuration = configuration
    }

    func matches(_ name: String) -> Bool { fnmatch(glob, name, 0) == 0 }
}

/// What one pass of a sweep did with each file it looked at.
public struct SweptFile: Sendable {
    public enum Outcome: String, Sendable {
        /// Run; its reports are in `reports/DAY/`, the file in `processed/DAY/`.
        case processed
        /// The same content ran before: moved to `processed/DAY/` with a note, nothing sent.
        case duplicate
        /// Could not be run (unreadable, not a spreadsheet, no job): in `failed/` with `NAME.error.txt`.
        case failed
        /// Left in `processing/`: the provider stopped the pass; the next pass resumes it.
        case held
    }

    public var name: String
    public var outcome: Outcome
    public var result: RunResult?
    public var reason: String?
    /// Where the file is now.
    public var path: String
}

/// The whole pass: files taken, earlier runs collected, old files purged.
public struct SweepResult: Sendable {
    public var files: [SweptFile] = []
    /// Files still being written, left for the next pass.
    public var waiting: [String] = []
    public var collected: [Collector.Collected] = []
    public var purged: [String] = []
    /// Why the pass stopped early (provider down, credentials, rate limit, interrupted).
    public var stopped: StopReason?
    public var stopError: PipelineError?

    /// 0 when every file ran and every row is ok; 2 when some rows or files are not; the provider's
    /// code when the pass stopped early.
    public var exitCode: Int32 {
        if let stopError { return stopError.exitCode }
        if let stopped { return RunResult.exitCode(for: stopped) }
        let rowsNotOK = files.contains { ($0.result?.exitCode ?? 0) != 0 }
            || collected.contains { $0.result.summary.ok != $0.result.summary.rowsRead }
        return rowsNotOK || files.contains(where: { $0.outcome == .failed }) ? ExitStatus.someRowsNotOK : ExitStatus.ok
    }
}

/// One pass over a drop folder (`idbatch sweep`): resumes what a killed pass left in `processing/`,
/// takes every ready file from `inbox/` (a `NAME.done` or `DONE` marker, or unchanged for the settle
/// time), skips content that ran before, runs each through ``RunEngine`` with the job its name
/// matches, collects pending rows of earlier runs, and deletes what is older than `keep`.
public struct Sweeper: Sendable {
    public let folder: DropFolder
    public let jobs: [SweepJob]
    public let ledger: Ledger
    public let providers: RunProviders
    public let control: RunControl
    public var settle: Duration = .seconds(10)
    public var keep: Duration?
    /// Run content that ran before again (through the ledger: nothing already sent is sent again).
    public var force = false
    public var observe: @Sendable (RunProgress) -> Void = { _ in }

    public init(folder: DropFolder, jobs: [SweepJob], ledger: Ledger, providers: RunProviders, control: RunControl) {
        self.folder = folder
        self.jobs = jobs
        self.ledger = ledger
        self.providers = providers
        self.control = control
    }

    public func pass(now: Date = Date()) async throws(PipelineError) -> SweepResult {
        let day = Self.day(now)
        try folder.ensure(day: day)
        var result = SweepResult()

        // A killed pass left its files in processing/: they resume through the ledger first.
        var claimed = DropFolder.files(in: folder.processing).map { (folder.processing + "/" + $0, true) }
        for name in DropFolder.files(in: folder.inbox) {
            switch DropFolder.readiness(name: name, folder: folder.inbox, now: now, settle: settle) {
            case .ignored:
                continue
            case .waiting:
                result.waiting.append(name)
            case .notSpreadsheet:
                let moved = try DropFolder.move(folder.inbox + "/" + name, into: folder.failed)
                let reason = "not a spreadsheet: idbatch reads CSV and xlsx files (.csv, .tsv, .txt, .xlsx, .xlsm)"
                DropFolder.note(reason, beside: moved, suffix: ".error.txt")
                result.files.append(SweptFile(name: name, outcome: .failed, reason: reason, path: moved))
            case .ready:
                let moved = try DropFolder.move(folder.inbox + "/" + name, into: folder.processing)
                unlink(folder.inbox + "/" + name + ".done")
                claimed.append((moved, false))
            }
        }
        if DropFolder.files(in: folder.inbox).allSatisfy({ $0 == "DONE" }) { unlink(folder.inbox + "/DONE") }

        for (path, resumed) in claimed {
            guard !control.isStopped, result.stopError == nil else { break }
            result.files.append(try await run(path, resumed: resumed, day: day, result: &result))
        }

        // Rows earlier runs left pending: their reports are rewritten where they were written.
        if !control.isStopped, result.stopError == nil {
            var collector = Collector(ledger: ledger, providers: providers, control: control)
            collector.observe = observe
            result.collected = try await collector.collect()
        }
        if let keep, !control.isStopped {
            result.purged = Self.purge(folder, olderThan: keep, now: now, dryRun: false)
        }
        result.stopped = result.stopped ?? control.stopReason
        let count = { (outcome: SweptFile.Outcome) in result.files.filter { $0.outcome == outcome }.count }
        try ledger.recordSweep(SweepRecord(
            folder: folder.root, startedAt: now, finishedAt: Date(), processed: count(.processed),
            duplicates: count(.duplicate), failed: count(.failed), held: count(.held), waiting: result.waiting.count,
            collected: result.collected.count, purged: result.purged.count, exitCode: result.exitCode,
            reports: folder.reports(day)))
        return result
    }

    /// Runs one claimed file and moves it where it belongs.
    private func run(_ path: String, resumed: Bool, day: String, result: inout SweepResult) async throws(PipelineError)
        -> SweptFile
    {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        func fail(_ reason: String) throws(PipelineError) -> SweptFile {
            let moved = try DropFolder.move(path, into: folder.failed)
            DropFolder.note(reason, beside: moved, suffix: ".error.txt")
            return SweptFile(name: name, outcome: .failed, reason: reason, path: moved)
        }
        let sha: String
        do {
            sha = try FileDigest.sha256(path: path)
        } catch {
            return try fail("the file cannot be read: \(PipelineError.from(error).message)")
        }
        if !resumed, !force, let when = try ledger.lastFinishedRun(sha256: sha) {
            let moved = try DropFolder.move(path, into: folder.processed(day))
            let reason = "the same content ran on \(ISO8601DateFormatter().string(from: when)); nothing was sent again "
                + "(idbatch sweep --force runs it again)"
            DropFolder.note(reason, beside: moved, suffix: ".note.txt")
            return SweptFile(name: name, outcome: .duplicate, reason: reason, path: moved)
        }
        guard var job = jobs.first(where: { $0.matches(name) }) else {
            return try fail("no job matches this file's name (" + jobs.map(\.glob).joined(separator: ", ")
                            + "): rename it, or add a job for it")
        }
        job.configuration.outDirectory = folder.reports(day)
        let engine = RunEngine(configuration: job.configuration, providers: providers, ledger: ledger,
                               control: control, observe: observe)
        let outcome: RunResult
        do {
            outcome = try await engine.run(input: path)
        } catch {
            switch error.exitCode {
            case ExitStatus.unavailable, ExitStatus.credentials, ExitStatus.temporary, ExitStatus.cannotCreate:
                // Not the file's fault: it stays in processing/ for the next pass.
                result.stopError = error
                return SweptFile(name: name, outcome: .held, reason: error.description, path: path)
            default:
                return try fail(error.description)
            }
        }
        if let stopped = outcome.stopReason {
            result.stopped = stopped
            return SweptFile(name: name, outcome: .held, result: outcome,
                             reason: "stopped early (\(stopped.code)); the next pass resumes it", path: path)
        }
        let moved = try DropFolder.move(path, into: folder.processed(day))
        try ledger.relocate(sha256: sha, to: moved)
        return SweptFile(name: name, outcome: .processed, result: outcome, path: moved)
    }

    /// The local date as the folders are named.
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Deletes the dated folders under `processed/` and `reports/` older than `age`, and the files in
    /// `failed/` last changed before then. Returns what was (or, with `dryRun`, would be) deleted.
    public static func purge(_ folder: DropFolder, olderThan age: Duration, now: Date = Date(), dryRun: Bool)
        -> [String]
    {
        let cutoff = now.addingTimeInterval(-age.seconds)
        let cutoffDay = day(cutoff)
        var deleted: [String] = []
        for parent in [folder.root + "/processed", folder.root + "/reports"] {
            let days = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
            for name in days.sorted() where name.count == 10 && name < cutoffDay {
                deleted.append(parent + "/" + name)
            }
        }
        for name in DropFolder.files(in: folder.failed) {
            var info = stat()
            guard stat(folder.failed + "/" + name, &info) == 0, Double(info.st_mtim.tv_sec) < cutoff.timeIntervalSince1970
            else { continue }
            deleted.append(folder.failed + "/" + name)
        }
        if !dryRun {
            for path in deleted { try? FileManager.default.removeItem(atPath: path) }
        }
        return deleted
    }
}
