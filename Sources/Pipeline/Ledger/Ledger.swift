import Crypto
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The run ledger: every file, run and row transition, in SQLite (WAL) in the state folder.
///
/// All database access is here. The ledger holds no ID in clear: rows are keyed by file and row
/// number and carry an HMAC of their normalised inputs, made with a key kept 0600 beside the
/// database. What a run writes after a provider call is grouped into few transactions so the
/// ledger never limits the request rate.
public final class Ledger: Sendable {
    private let database: DatabaseQueue
    /// The HMAC key's bytes (`SymmetricKey` is not `Sendable`; a key is made per hash from these).
    private let key: [UInt8]
    /// The state folder; nil for an in-memory ledger (tests).
    public let directory: String?
    /// A throwaway ledger's folder, removed with it.
    private let throwaway: Bool

    /// `$STATE_DIRECTORY` (systemd), else `$XDG_STATE_HOME/idbatch`, else `~/.local/state/idbatch`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may list several folders separated by colons: the first is ours.
            return String(state.split(separator: ":").first ?? Substring(state))
        }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/idbatch" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/idbatch"
    }

    /// Opens (creating when missing) the ledger in `directory`, which is created 0700.
    public convenience init(directory: String) throws(PipelineError) {
        try self.init(at: directory, throwaway: false)
    }

    private init(at directory: String, throwaway: Bool) throws(PipelineError) {
        self.directory = directory
        self.throwaway = throwaway
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PipelineError(PipelineError.stateUnusable, "cannot create the state folder (--state)", file: directory)
        }
        key = try Self.loadKey(at: directory + "/ledger.key")
        let path = directory + "/ledger.sqlite"
        // SQLite creates files with the process umask; the ledger and its WAL are private.
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL survives a killed process; only a power cut may lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw PipelineError(PipelineError.stateUnusable, "the ledger cannot be opened (\(Self.reason(error)))",
                                file: path)
        }
    }

    /// A ledger in memory that lives as long as this value (tests; dry runs use ``throwaway()``).
    public init() {
        directory = nil
        throwaway = false
        var generator = SystemRandomNumberGenerator()
        key = (0..<32).map { _ in generator.next() }
        // An in-memory database cannot fail to open short of running out of memory.
        database = (try? DatabaseQueue()) ?? { preconditionFailure("SQLite cannot open an in-memory database") }()
        try? Self.migrator.migrate(database)
    }

    /// A ledger in a private temporary folder, removed when the ledger goes: a dry run goes
    /// through the same path as a run, on disk so its memory stays flat, and leaves no trace.
    public static func throwaway() throws(PipelineError) -> Ledger {
        let folder = NSTemporaryDirectory() + "/idbatch-dry-run-\(UUID().uuidString)"
        return try Ledger(at: folder, throwaway: true)
    }

    deinit {
        if throwaway, let directory { try? FileManager.default.removeItem(atPath: directory) }
    }

    private static func reason(_ error: any Error) -> String {
        // GRDB leaves bound values out of its messages, so no row value can appear here.
        if let error = error as? DatabaseError {
            return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "no message")"
        }
        return "\(type(of: error))"
    }

    private static func loadKey(at path: String) throws(PipelineError) -> [UInt8] {
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            return Array(data)
        }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PipelineError(PipelineError.stateUnusable, "the ledger key cannot be created", file: path)
        }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, 32) }
        guard written == 32, fsync(fd) == 0 else {
            unlink(path)
            throw PipelineError(PipelineError.stateUnusable, "the ledger key cannot be written", file: path)
        }
        return bytes
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE file (
                        id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, path TEXT NOT NULL,
                        first_seen REAL NOT NULL);
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES file(id), mode TEXT NOT NULL,
                        started_at REAL NOT NULL, finished_at REAL, plan TEXT NOT NULL, counts TEXT);
                    CREATE INDEX run_by_file ON run(file_id, mode);
                    CREATE TABLE row (
                        file_id INTEGER NOT NULL REFERENCES file(id), mode TEXT NOT NULL, source_row INTEGER NOT NULL,
                        input_hash TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
                        remote_id TEXT, error_code TEXT, error_column TEXT, error_message TEXT, remote_status TEXT,
                        score REAL, id_score REAL, name_score REAL, link TEXT, polls INTEGER NOT NULL,
                        next_poll REAL, run_id INTEGER NOT NULL,
                        PRIMARY KEY (file_id, mode, source_row)) WITHOUT ROWID;
                    CREATE INDEX row_open ON row(file_id, mode, state, next_poll);
                    """)
        }
        migrator.registerMigration("v2: Truora batches") { db in
            try db.execute(
                sql: """
                    CREATE TABLE batch (
                        id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES file(id), mode TEXT NOT NULL,
                        country TEXT NOT NULL, type TEXT NOT NULL, step TEXT NOT NULL, size INTEGER NOT NULL,
                        remote_id TEXT, upload_link TEXT, status TEXT, failure TEXT, id_column TEXT,
                        id_hashes TEXT NOT NULL, creates INTEGER NOT NULL, polls INTEGER NOT NULL, next_poll REAL,
                        run_id INTEGER NOT NULL);
                    CREATE INDEX batch_by_file ON batch(file_id, mode, step);
                    ALTER TABLE row ADD COLUMN batch INTEGER;
                    CREATE INDEX row_by_batch ON row(batch) WHERE batch IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v3: PDFs and continuous checks") { db in
            try db.execute(
                sql: """
                    ALTER TABLE row ADD COLUMN pdf TEXT;
                    ALTER TABLE row ADD COLUMN continuous_id TEXT;
                    CREATE INDEX row_follow_up ON row(file_id, mode) WHERE pdf IN ('wanted', 'asked')
                        OR continuous_id IN ('wanted', 'enrolling');
                    """)
        }
        migrator.registerMigration("v4: sweeps") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sweep (
                        id INTEGER PRIMARY KEY, folder TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL NOT NULL,
                        processed INTEGER NOT NULL, duplicates INTEGER NOT NULL, failed INTEGER NOT NULL,
                        held INTEGER NOT NULL, waiting INTEGER NOT NULL, collected INTEGER NOT NULL,
                        purged INTEGER NOT NULL, exit_code INTEGER NOT NULL, reports TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("v5: a row's own continuous check") { db in
            try db.execute(
                sql: """
                    ALTER TABLE row ADD COLUMN continuous_frequency TEXT;
                    ALTER TABLE row ADD COLUMN continuous_until TEXT;
                    """)
        }
        migrator.registerMigration("v6: Digital Identity and WhatsApp processes") { db in
            try db.execute(
                sql: """
                    ALTER TABLE row ADD COLUMN account_id TEXT;
                    ALTER TABLE row ADD COLUMN declined_reason TEXT;
                    """)
        }
        migrator.registerMigration("v7: the Workflow Studio step a row waits at") { db in
            try db.execute(sql: "ALTER TABLE row ADD COLUMN step TEXT")
        }
        return migrator
    }

    // MARK: Hashing

    /// The keyed hash of a row's normalised inputs: the same inputs give the same hash under this
    /// ledger's key, and nothing can be learnt from it without the key.
    public func inputHash(_ inputs: some Sequence<(String, String)>) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: key))
        for (name, value) in inputs {
            hmac.update(data: Array(name.utf8) + [0x1F] + Array(value.utf8) + [0x1E])
        }
        return Self.hex(Array(hmac.finalize()).prefix(16))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Files and runs

    /// The file's id, adding it the first time its content is seen; its last known path is kept.
    public func registerFile(sha256: String, path: String) throws(PipelineError) -> Int64 {
        try write { db in
            if var file = try FileRecord.filter(Column("sha256") == sha256).fetchOne(db), let id = file.id {
                if file.path != path {
                    file.path = path
                    try file.update(db)
                }
                return id
            }
            var file = FileRecord(id: nil, sha256: sha256, path: path, firstSeen: Date().timeIntervalSince1970)
            try file.insert(db)
            return file.id ?? 0
        }
    }

    public func beginRun(fileID: Int64, mode: String, plan: String) throws(PipelineError) -> Int64 {
        try write { db in
            var run = RunRecord(
                id: nil, fileID: fileID, mode: mode, startedAt: Date().timeIntervalSince1970, finishedAt: nil,
                plan: plan, counts: nil)
            try run.insert(db)
            return run.id ?? 0
        }
    }

    public func finishRun(_ id: Int64, plan: String, counts: String) throws(PipelineError) {
        try write { db in
            try db.execute(
                sql: "UPDATE run SET finished_at = ?, plan = ?, counts = ? WHERE id = ?",
                arguments: [Date().timeIntervalSince1970, plan, counts, id])
        }
    }

    /// For each file and mode with rows still waiting for a result (acknowledged, sent or unknown),
    /// its latest run, oldest first.
    public func runsWithOpenRows() throws(PipelineError) -> [RunRecord] {
        try read { db in
            try RunRecord.fetchAll(
                db,
                sql: """
                    SELECT run.* FROM run
                    JOIN (SELECT file_id, mode, MAX(id) AS latest FROM run GROUP BY file_id, mode) newest
                      ON run.id = newest.latest
                    WHERE EXISTS (SELECT 1 FROM row WHERE row.file_id = run.file_id AND row.mode = run.mode
                                  AND (row.state IN ('acknowledged', 'sent', 'unknown')
                                       OR (row.state = 'final' AND row.remote_status = 'completed'
                                           AND (row.pdf IN ('wanted', 'asked')
                                                OR row.continuous_id IN ('wanted', 'enrolling')))))
                    ORDER BY run.id
                    """)
        }
    }

    /// The runs of a file and mode, oldest first.
    public func runs(fileID: Int64, mode: String) throws(PipelineError) -> [RunRecord] {
        try read { db in
            try RunRecord.fetchAll(db, sql: "SELECT * FROM run WHERE file_id = ? AND mode = ? ORDER BY id",
                                   arguments: [fileID, mode])
        }
    }

    /// When a run of this content last finished, in any mode; nil when none has.
    public func lastFinishedRun(sha256: String) throws(PipelineError) -> Date? {
        try read { db in
            try Double.fetchOne(
                db,
                sql: """
                    SELECT MAX(run.finished_at) FROM run JOIN file ON run.file_id = file.id
                    WHERE file.sha256 = ? AND run.finished_at IS NOT NULL
                    """,
                arguments: [sha256])
        }.map { Date(timeIntervalSince1970: $0) }
    }

    /// Points the file of this content, and the plans of its runs, at where it now is (a sweep
    /// moves each input once it has run), so `collect` reads it there.
    public func relocate(sha256: String, to path: String) throws(PipelineError) {
        try write { db in
            guard let file = try FileRecord.filter(Column("sha256") == sha256).fetchOne(db), let id = file.id else {
                return
            }
            try db.execute(sql: "UPDATE file SET path = ? WHERE id = ?", arguments: [path, id])
            for var run in try RunRecord.filter(Column("file_id") == id).fetchAll(db) {
                guard var plan = ReportPlan.decode(run.plan) else { continue }
                plan.input = path
                run.plan = plan.json()
                try run.update(db)
            }
        }
    }

    /// The latest runs, newest first.
    public func recentRuns(limit: Int) throws(PipelineError) -> [RunRecord] {
        try read { db in try RunRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// Writes down a finished sweep pass, for `idbatch status`.
    public func recordSweep(_ sweep: SweepRecord) throws(PipelineError) {
        try write { db in
            var sweep = sweep
            try sweep.insert(db)
        }
    }

    /// The latest sweep passes, newest first.
    public func recentSweeps(limit: Int) throws(PipelineError) -> [SweepRecord] {
        try read { db in try SweepRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// Rows still waiting for a provider's answer (acknowledged, sent or unknown), by mode.
    public func openRows() throws(PipelineError) -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try GRDB.Row.fetchAll(
                db, sql: "SELECT mode, COUNT(*) FROM row WHERE state IN ('acknowledged', 'sent', 'unknown') GROUP BY mode")
            {
                counts[row[0]] = row[1]
            }
            return counts
        }
    }

    // MARK: Rows

    /// The records of a file and mode with row numbers above `row`, in row order, at most `limit`.
    public func records(fileID: Int64, mode: String, after row: Int, limit: Int) throws(PipelineError)
        -> [LedgerRecord]
    {
        try read { db in
            try LedgerRecord.fetchAll(
                db,
                sql: "SELECT \(Self.rowColumns) FROM row WHERE file_id = ? AND mode = ? AND source_row > ? ORDER BY source_row LIMIT ?",
                arguments: [fileID, mode, row, limit])
        }
    }

    /// The row table's columns in the order ``LedgerRecord/init(row:)`` reads them.
    static let rowColumns = """
        file_id, mode, source_row, input_hash, state, attempts, remote_id, error_code, error_column, error_message,
        remote_status, score, id_score, name_score, link, polls, next_poll, run_id, batch, pdf, continuous_id,
        continuous_frequency, continuous_until, account_id, declined_reason, step
        """

    static let insertRow = "INSERT OR REPLACE INTO row (\(rowColumns)) VALUES ("
        + Array(repeating: "?", count: rowColumns.split(separator: ",").count).joined(separator: ", ") + ")"

    /// Writes every record in one transaction, replacing earlier versions of the same rows.
    public func save(_ records: [LedgerRecord]) throws(PipelineError) {
        guard !records.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(sql: Self.insertRow)
            for record in records { try insert.execute(arguments: record.arguments) }
        }
    }

    /// Acknowledged rows whose next look is due by `now`, soonest first, after row `row`.
    public func due(fileID: Int64, mode: String, now: Double, after row: Int, limit: Int) throws(PipelineError)
        -> [LedgerRecord]
    {
        try read { db in
            try LedgerRecord.fetchAll(
                db,
                sql: """
                    SELECT \(Self.rowColumns) FROM row WHERE file_id = ? AND mode = ? AND state = 'acknowledged'
                      AND (next_poll IS NULL OR next_poll <= ?) AND source_row > ?
                    ORDER BY source_row LIMIT ?
                    """,
                arguments: [fileID, mode, now, row, limit])
        }
    }

    /// Acknowledged rows whose process is not known yet (truora-di and truora-whatsapp: the key
    /// named none), with the account each was sent for, after row `row`, in row order.
    public func unmatched(fileID: Int64, mode: String, after row: Int, limit: Int) throws(PipelineError)
        -> [LedgerRecord]
    {
        try read { db in
            try LedgerRecord.fetchAll(
                db,
                sql: """
                    SELECT \(Self.rowColumns) FROM row WHERE file_id = ? AND mode = ? AND state = 'acknowledged'
                      AND remote_id IS NULL AND source_row > ?
                    ORDER BY source_row LIMIT ?
                    """,
                arguments: [fileID, mode, row, limit])
        }
    }

    /// When the next acknowledged row is due; nil when none is left.
    public func earliestPoll(fileID: Int64, mode: String) throws(PipelineError) -> Double? {
        try read { db in
            let row = try GRDB.Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), MIN(COALESCE(next_poll, 0)) FROM row
                    WHERE file_id = ? AND mode = ? AND state = 'acknowledged'
                    """,
                arguments: [fileID, mode])
            guard let row, (row[0] as Int) > 0 else { return nil }
            return row[1] as Double
        }
    }

    /// Rows of a file and mode by state.
    public func countByState(fileID: Int64, mode: String) throws(PipelineError) -> [RowState: Int] {
        try read { db in
            var counts: [RowState: Int] = [:]
            for row in try GRDB.Row.fetchAll(
                db, sql: "SELECT state, COUNT(*) FROM row WHERE file_id = ? AND mode = ? GROUP BY state",
                arguments: [fileID, mode])
            {
                if let state = RowState(rawValue: row[0]) { counts[state] = row[1] }
            }
            return counts
        }
    }

    // MARK: Follow-ups (PDFs, continuous checks)

    /// Marks every row of a file and mode that has or may get a check as wanting a PDF and/or a
    /// continuous check, where nothing was asked for yet.
    public func wantFollowUps(fileID: Int64, mode: String, pdf: Bool, continuous: Bool) throws(PipelineError) {
        guard pdf || continuous else { return }
        try write { db in
            let open = "state IN ('sent', 'acknowledged', 'unknown', 'final')"
            if pdf {
                try db.execute(sql: "UPDATE row SET pdf = 'wanted' WHERE file_id = ? AND mode = ? AND pdf IS NULL AND \(open)",
                               arguments: [fileID, mode])
            }
            if continuous {
                try db.execute(
                    sql: "UPDATE row SET continuous_id = 'wanted' WHERE file_id = ? AND mode = ? AND continuous_id IS NULL AND \(open)",
                    arguments: [fileID, mode])
            }
        }
    }

    /// Finished checks with a PDF or a continuous check still to get, after row `row`, in row order.
    public func followUps(fileID: Int64, mode: String, after row: Int, limit: Int) throws(PipelineError)
        -> [LedgerRecord]
    {
        try read { db in
            try LedgerRecord.fetchAll(
                db,
                sql: """
                    SELECT \(Self.rowColumns) FROM row
                    WHERE file_id = ? AND mode = ? AND source_row > ? AND state = 'final' AND remote_status = 'completed'
                      AND remote_id IS NOT NULL
                      AND (pdf IN ('wanted', 'asked') OR continuous_id IN ('wanted', 'enrolling'))
                    ORDER BY source_row LIMIT ?
                    """,
                arguments: [fileID, mode, row, limit])
        }
    }

    // MARK: Batches

    /// Adds a batch and assigns its rows to it, in one transaction: the rows are `sent` before
    /// the batch is created at Truora.
    public func insertBatch(_ batch: LedgerBatch, rows: [LedgerRecord]) throws(PipelineError) -> LedgerBatch {
        try write { db in
            var batch = batch
            try batch.insert(db)
            let insert = try db.cachedStatement(sql: Self.insertRow)
            for var row in rows {
                row.batch = batch.id
                try insert.execute(arguments: row.arguments)
            }
            return batch
        }
    }

    /// Writes a batch's new step, and with it any of its rows that changed.
    public func update(_ batch: LedgerBatch, rows: [LedgerRecord] = []) throws(PipelineError) {
        try write { db in
            try batch.update(db)
            let insert = try db.cachedStatement(sql: Self.insertRow)
            for row in rows { try insert.execute(arguments: row.arguments) }
        }
    }

    /// The batches of a file and mode, oldest first.
    public func batches(fileID: Int64, mode: String) throws(PipelineError) -> [LedgerBatch] {
        try read { db in
            try LedgerBatch.filter(Column("file_id") == fileID && Column("mode") == mode).order(Column("id")).fetchAll(db)
        }
    }

    public func batch(_ id: Int64) throws(PipelineError) -> LedgerBatch? {
        try read { db in try LedgerBatch.fetchOne(db, key: id) }
    }

    /// A batch's rows in sheet order, which is their order in its upload.
    public func records(inBatch id: Int64) throws(PipelineError) -> [LedgerRecord] {
        try read { db in
            try LedgerRecord.fetchAll(
                db, sql: "SELECT \(Self.rowColumns) FROM row WHERE batch = ? ORDER BY source_row", arguments: [id])
        }
    }

    // MARK: Plumbing

    private func write<T>(_ body: (Database) throws -> T) throws(PipelineError) -> T {
        do {
            return try database.write(body)
        } catch {
            throw PipelineError(PipelineError.stateUnusable, "the ledger cannot be written (\(Self.reason(error)))",
                                file: directory)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(PipelineError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw PipelineError(PipelineError.stateUnusable, "the ledger cannot be read (\(Self.reason(error)))",
                                file: directory)
        }
    }
}
