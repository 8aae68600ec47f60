import CheckInputs
import Foundation
import ProviderAPI
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// truora-batch, the sending half: valid rows are gathered into batches of at most `batchSize`
/// (one per country and type), and each batch is taken through Truora's steps (create, upload the
/// xlsx, start) with the ledger written after every step. A rerun continues each batch from the
/// step it reached: rows of a started batch are never uploaded again, a batch is never started
/// twice, and a batch whose upload link expired is replaced by a new one before it starts.
final class BatchSubmitter {
    /// A row waiting for its batch: its record and what to upload.
    struct Member {
        var record: LedgerRecord
        var inputs: [RowOutcome.Input]
    }

    private let ledger: Ledger
    private let client: TruoraClient
    private let control: RunControl
    private let batchSize: Int
    /// New rows by country and type, until a batch is full.
    private var open: [String: [Member]] = [:]
    /// Rows of batches an earlier run did not start, by batch.
    private var resuming: [Int64: [Member]] = [:]
    private var known: [Int64: LedgerBatch] = [:]
    /// Batches in a row that failed with Truora down or unreachable.
    private var consecutiveDown = 0
    /// Requests made, by kind.
    private(set) var requests: [String: Int] = [:]

    /// Creates a batch gets (each after its upload link expired) before its rows fail.
    static let maxCreates = 3
    /// Batches in a row that fail with Truora down before the run stops sending (exit 69).
    static let circuitBreakerThreshold = 3

    init(ledger: Ledger, client: TruoraClient, control: RunControl, fileID: Int64, mode: String, batchSize: Int)
        throws(PipelineError)
    {
        self.ledger = ledger
        self.client = client
        self.control = control
        self.batchSize = max(1, batchSize)
        for batch in try ledger.batches(fileID: fileID, mode: mode) {
            if let id = batch.id { known[id] = batch }
        }
    }

    /// Whether a row the ledger has as `sent` or `unknown` sits in a batch Truora started (its
    /// result comes with the batch's report, never from a second upload).
    func inStartedBatch(_ record: LedgerRecord) -> Bool {
        guard let id = record.batch, let step = known[id]?.step else { return false }
        return step == .started || step == .reporting
    }

    /// Takes a valid row to send: `record` is its new record, `existing` what the ledger had. A row
    /// of a batch an earlier run did not start goes back into that batch; any other into a new one.
    /// Full batches are submitted here, so this may call Truora.
    func take(_ inputs: [RowOutcome.Input], record: LedgerRecord, existing: LedgerRecord?) async throws(PipelineError) {
        if let existing, existing.inputHash == record.inputHash, existing.state == .sent || existing.state == .unknown,
            let id = existing.batch, let batch = known[id],
            batch.step == .planned || batch.step == .created || batch.step == .uploaded
        {
            var member = Member(record: existing, inputs: inputs)
            member.record.runID = record.runID
            resuming[id, default: []].append(member)
            if resuming[id]?.count == batch.size { try await resume(id) }
            return
        }
        var fresh = record
        fresh.state = .sent
        fresh.batch = nil
        fresh.clearError()
        let key = Self.key(inputs)
        open[key, default: []].append(Member(record: fresh, inputs: inputs))
        if open[key]?.count == batchSize { try await submit(key) }
    }

    /// Submits what is left once every row was taken (nothing when the run was stopped).
    func flush() async throws(PipelineError) {
        for id in resuming.keys.sorted() where !control.isStopped { try await resume(id) }
        for key in open.keys.sorted() where !control.isStopped { try await submit(key) }
    }

    private static func key(_ inputs: [RowOutcome.Input]) -> String {
        let country = inputs.first { $0.name == "country" }?.value ?? ""
        let type = inputs.first { $0.name == "type" }?.value ?? "person"
        return country + "\u{1F}" + type
    }

    private func submit(_ key: String) async throws(PipelineError) {
        guard !control.isStopped, let members = open.removeValue(forKey: key), let first = members.first else { return }
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        let idColumn = Self.columns(members).first { HeaderAliases.holdsIdentifier($0) }
        let hashes = members.map { member -> String in
            guard let idColumn else { return "" }
            return Self.idHash(member.inputs.first { $0.name == idColumn }?.value ?? "", ledger: ledger)
        }
        let planned = LedgerBatch(
            fileID: first.record.fileID, mode: first.record.mode, country: parts[0],
            type: parts.count > 1 ? parts[1] : "person", size: members.count, idColumn: idColumn, idHashes: hashes,
            runID: first.record.runID)
        let records = members.map { member -> LedgerRecord in
            var record = member.record
            record.attempts += 1
            return record
        }
        let batch = try ledger.insertBatch(planned, rows: records)
        if let id = batch.id { known[id] = batch }
        try await advance(batch, members: members)
    }

    /// A short keyed hash of a row's identifier: enough to tell the report's rows apart, useless
    /// to recover the ID.
    static func idHash(_ value: String, ledger: Ledger) -> String {
        String(ledger.inputHash([("id", value)]).prefix(12))
    }

    private func resume(_ id: Int64) async throws(PipelineError) {
        guard !control.isStopped, let members = resuming.removeValue(forKey: id), let batch = known[id] else { return }
        guard members.count == batch.size else {
            // Not the rows the batch was made of: it is never started, and they go in a new one.
            var abandoned = batch
            abandoned.step = .failed
            abandoned.failure = "not started: its rows changed since it was created"
            try ledger.update(abandoned)
            known[id] = abandoned
            for member in members {
                var record = member.record
                record.batch = nil
                record.state = .sent
                let key = Self.key(member.inputs)
                open[key, default: []].append(Member(record: record, inputs: member.inputs))
                if open[key]?.count == batchSize { try await submit(key) }
            }
            return
        }
        try await advance(batch, members: members.sorted { $0.record.sourceRow < $1.record.sourceRow })
    }

    /// The upload's columns: every input any row has, in the order first seen, but type and
    /// country (the batch's own).
    static func columns(_ members: [Member]) -> [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for member in members {
            for input in member.inputs where input.name != "type" && input.name != "country" {
                if seen.insert(input.name).inserted { names.append(input.name) }
            }
        }
        return names
    }

    /// Takes a batch from the step it is at to `started`, saving each step in the ledger. A provider
    /// failure leaves the batch at its step (the next run continues from there), except a create
    /// that Truora refused, which fails the rows with its reason.
    private func advance(_ initial: LedgerBatch, members: [Member]) async throws(PipelineError) {
        var batch = initial
        let columns = Self.columns(members)
        while !control.isStopped {
            switch batch.step {
            case .started, .reporting, .merged, .failed:
                consecutiveDown = 0
                return
            case .planned where batch.creates >= Self.maxCreates:
                return try fail(&batch, code: "batch_upload_expired",
                                reason: Message(.batchUploadExpired, String(Self.maxCreates)))
            case .planned, .created, .uploaded:
                break
            }
            var file: [UInt8] = []
            if batch.step == .created {
                do {
                    file = try Self.uploadFile(columns: columns, members: members, folder: ledger.directory)
                } catch {
                    throw PipelineError(PipelineError.stateUnusable, "the batch file could not be written (\(error))",
                                        file: ledger.directory)
                }
            }
            switch await step(batch, columns: columns, file: file) {
            case .success(let next):
                batch = next
                try save(batch)
            case .failure(let error):
                return try providerFailed(&batch, error)
            }
        }
    }

    /// One of Truora's steps for a batch: create, upload or start.
    private func step(_ initial: LedgerBatch, columns: [String], file: [UInt8]) async
        -> Result<LedgerBatch, ProviderError>
    {
        var batch = initial
        do throws(ProviderError) {
            switch batch.step {
            case .planned:
                let created = try await client.createBatch(
                    type: batch.type, country: batch.country,
                    columnsMapping: Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) }))
                requests["batches_created", default: 0] += 1
                batch.creates += 1
                batch.remoteID = created.batchID
                batch.uploadLink = created.fileUploadLink
                batch.status = created.status
                batch.failure = nil
                batch.step = .created
            case .created:
                guard let link = batch.uploadLink else {
                    batch.step = .planned
                    break
                }
                requests["batch_uploads", default: 0] += 1
                do {
                    try await client.uploadBatchFile(link: link, xlsx: file)
                    batch.step = .uploaded
                } catch where error.status == 403 {
                    // The link expired, or an earlier run's upload used it: only a start tells which.
                    try await start(&batch)
                }
            case .uploaded:
                try await start(&batch)
            case .started, .reporting, .merged, .failed:
                break
            }
            return .success(batch)
        } catch {
            return .failure(error)
        }
    }

    private func save(_ batch: LedgerBatch) throws(PipelineError) {
        try ledger.update(batch)
        if let id = batch.id { known[id] = batch }
    }

    /// Starts the batch. A batch that cannot start for want of a file (its link expired) goes back
    /// to `planned` for a new one; a batch an earlier run started (its answer lost) is recognised
    /// by its status and never started again.
    private func start(_ batch: inout LedgerBatch) async throws(ProviderError) {
        guard let remote = batch.remoteID else {
            batch.step = .planned
            return
        }
        do {
            let started = try await client.startBatch(remote)
            requests["batch_starts", default: 0] += 1
            batch.status = started.status
            batch.failure = started.failureReason
        } catch where error.status == 400 {
            requests["batch_starts", default: 0] += 1
            let current = try await client.getBatch(remote)
            requests["batch_looks", default: 0] += 1
            guard current.status != "not_started" else {
                batch.step = .planned
                batch.remoteID = nil
                batch.uploadLink = nil
                return
            }
            batch.status = current.status
            batch.failure = current.failureReason
        }
        batch.step = .started
        batch.uploadLink = nil
    }

    /// What a provider failure does to the batch and the run.
    private func providerFailed(_ batch: inout LedgerBatch, _ error: ProviderError) throws(PipelineError) {
        let refused = error.kind == .http && batch.step == .planned && (error.status.map { (400..<500).contains($0) } ?? false)
            && error.status != 429 && error.status != 401 && error.status != 403
        if refused {
            consecutiveDown = 0
            return try fail(&batch, code: error.stableCode, reason: Message(.batchRefused, error.description))
        }
        batch.failure = error.description
        try save(batch)
        switch error.stableCode {
        case "credentials_refused": control.stop(.credentialsRefused)
        case "provider_rate_limited" where error.retryAfter != nil: control.stop(.rateLimited)
        default:
            consecutiveDown += 1
            if consecutiveDown >= Self.circuitBreakerThreshold { control.stop(.circuitOpen) }
        }
    }

    /// Fails every row of the batch with `code`.
    private func fail(_ batch: inout LedgerBatch, code: String, reason: Message) throws(PipelineError) {
        batch.step = .failed
        batch.failure = reason.text(.en)
        batch.uploadLink = nil
        guard let id = batch.id else { return }
        let rows = try ledger.records(inBatch: id).map { record -> LedgerRecord in
            var record = record
            record.fail(code, reason)
            return record
        }
        try ledger.update(batch, rows: rows)
        known[id] = batch
    }

    /// The xlsx Truora reads: a header of input names, then one row per member in the given column
    /// order, every cell text (IDs keep their zeros; dates are already `YYYY-MM-DD`).
    static func uploadFile(columns: [String], members: [Member], folder: String?) throws -> [UInt8] {
        let path = (folder ?? NSTemporaryDirectory()) + "/batch-upload-\(UUID().uuidString).xlsx"
        defer { unlink(path) }
        let writer = try SpreadsheetWriter.open(
            path: path, format: .xlsx, options: WriteOptions(sheetName: "Batch", textColumns: Set(columns.indices)))
        do {
            var row = Row(number: 1)
            for name in columns { row.append(Cell(text: name, type: .text)) }
            try writer.write(row)
            for member in members {
                row.reset(number: row.number + 1)
                for name in columns {
                    let value = member.inputs.first { $0.name == name }?.value ?? ""
                    row.append(value.isEmpty ? Cell.empty : Cell(text: value, type: .text))
                }
                try writer.write(row)
            }
            try writer.close()
        } catch {
            writer.discard()
            throw error
        }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// truora-batch, the finishing half (the run after its sending, and `collect`): looks at every
/// started batch on its own schedule until it finishes, asks for its report, downloads it and puts
/// each report line on its row, checked against the keyed hash of the ID the row was uploaded
/// with. Checks still running then are left acknowledged for the ordinary result poller.
struct BatchFinisher: Sendable {
    let ledger: Ledger
    let client: TruoraClient
    let caller: RowCaller
    let control: RunControl

    /// Finishes the started batches of a file until none is left, `deadline` passes or the run
    /// stops; with `everyBatchOnce` (collect), looks at each once now, whatever its schedule.
    func finish(fileID: Int64, mode: String, until deadline: ContinuousClock.Instant, everyBatchOnce: Bool = false,
                observe: @Sendable (Int) -> Void = { _ in }) async throws(PipelineError) -> [String: Int]
    {
        var requests: [String: Int] = [:]
        let clock = ContinuousClock()
        var finished = 0
        while !control.isStopped {
            let open = try running(fileID: fileID, mode: mode)
            guard !open.isEmpty else { break }
            let now = Date().timeIntervalSince1970
            for batch in open where everyBatchOnce || (batch.nextPoll ?? 0) <= now {
                guard !control.isStopped else { break }
                if try await advance(batch, requests: &requests) { finished += 1 }
                observe(finished)
            }
            if everyBatchOnce || clock.now >= deadline { break }
            guard let earliest = try running(fileID: fileID, mode: mode).map({ $0.nextPoll ?? 0 }).min() else { break }
            let wake = min(deadline, clock.now + .seconds(max(0, earliest - Date().timeIntervalSince1970)))
            await control.nap(until: wake)
            if clock.now >= deadline { break }
        }
        return requests
    }

    private func running(fileID: Int64, mode: String) throws(PipelineError) -> [LedgerBatch] {
        try ledger.batches(fileID: fileID, mode: mode).filter { $0.step == .started || $0.step == .reporting }
    }

    /// What one look at a batch found.
    private enum Look {
        /// Nothing to do yet: look again later.
        case later
        /// The batch is at a new step (its report requested).
        case moved
        /// Truora failed the batch.
        case failed
        /// The report, downloaded.
        case report([UInt8], format: String)
    }

    /// One step of one batch; true when the batch is done (merged or failed).
    private func advance(_ initial: LedgerBatch, requests: inout [String: Int]) async throws(PipelineError) -> Bool {
        var batch = initial
        guard batch.remoteID != nil else { return false }
        let now = Date().timeIntervalSince1970
        switch await look(&batch, requests: &requests) {
        case .success(.moved):
            break
        case .success(.later):
            batch.polls += 1
            batch.nextPoll = now + caller.nextWait(status: "in_progress", polls: batch.polls)
        case .success(.failed):
            try failRows(&batch, code: "batch_failed",
                         reason: batch.failure.map { Message(.batchFailed, batch.remoteID ?? "", $0) }
                             ?? Message(.batchFailed, batch.remoteID ?? "", Words.text(MessageKey.noReasonGiven.rawValue, .en)))
            return true
        case .success(.report(let bytes, let format)):
            requests["checks_created", default: 0] += try merge(&batch, report: bytes, format: format)
            return true
        case .failure(let error):
            if error.stableCode == "credentials_refused" { control.stop(.credentialsRefused) }
            batch.failure = error.description
            batch.polls += 1
            batch.nextPoll = now + caller.nextWait(status: "in_progress", polls: batch.polls)
        }
        try ledger.update(batch)
        return false
    }

    /// Truora's side of one step: the batch's status, its report request, or its report.
    private func look(_ batch: inout LedgerBatch, requests: inout [String: Int]) async
        -> Result<Look, ProviderError>
    {
        guard let remote = batch.remoteID else { return .success(.later) }
        do throws(ProviderError) {
            switch batch.step {
            case .started:
                let current = try await client.getBatch(remote)
                requests["batch_looks", default: 0] += 1
                batch.status = current.status
                batch.failure = current.failureReason.flatMap { $0.isEmpty ? nil : $0 }
                switch current.status {
                case "completed", "stopped":
                    _ = try await client.requestBatchReport(remote)
                    requests["batch_reports", default: 0] += 1
                    batch.step = .reporting
                    batch.polls = 0
                    batch.nextPoll = nil
                    return .success(.moved)
                case "failed":
                    return .success(.failed)
                default:
                    return .success(.later)
                }
            case .reporting:
                let report: TruoraBatchReport
                do {
                    report = try await client.getBatchReport(remote)
                    requests["batch_report_looks", default: 0] += 1
                } catch where error.status == 404 {
                    // The request for it was lost: ask again.
                    _ = try await client.requestBatchReport(remote)
                    requests["batch_reports", default: 0] += 1
                    return .success(.later)
                }
                guard report.status == "completed", let link = report.reportLink else { return .success(.later) }
                let bytes = try await client.downloadBatchReport(link: link)
                requests["batch_report_downloads", default: 0] += 1
                return .success(.report(bytes, format: report.format))
            default:
                return .success(.later)
            }
        } catch {
            return .failure(error)
        }
    }

    private func failRows(_ batch: inout LedgerBatch, code: String, reason: Message) throws(PipelineError) {
        batch.step = .failed
        batch.nextPoll = nil
        guard let id = batch.id else { return try ledger.update(batch) }
        let rows = try ledger.records(inBatch: id).map { record -> LedgerRecord in
            var record = record
            record.fail(code, reason)
            return record
        }
        try ledger.update(batch, rows: rows)
    }

    /// Puts each line of the batch report on its row: the line of upload row N + 2 (after the
    /// header) is the batch's Nth row in sheet order, confirmed by the keyed hash of the ID the
    /// line carries. Returns the checks the batch created.
    private func merge(_ batch: inout LedgerBatch, report bytes: [UInt8], format: String) throws(PipelineError) -> Int {
        guard let id = batch.id else { return 0 }
        let remote = batch.remoteID ?? ""
        let lines = try Self.lines(bytes, format: format, folder: ledger.directory, batch: remote)
        let hashes = batch.hashes
        let now = Date().timeIntervalSince1970
        var rows = try ledger.records(inBatch: id)
        var created = 0
        for index in rows.indices {
            guard let line = lines[index + 2] else {
                if batch.status == "stopped" {
                    rows[index].fail("batch_stopped", Message(.batchStopped, remote))
                } else {
                    rows[index].fail("batch_report_mismatch", Message(.batchNoLine, remote))
                }
                continue
            }
            if let column = batch.idColumn, index < hashes.count, !hashes[index].isEmpty, let value = line[column],
                BatchSubmitter.idHash(value, ledger: ledger) != hashes[index]
            {
                rows[index].fail("batch_report_mismatch", Message(.batchOtherID, remote, column))
                continue
            }
            guard let checkID = line["check_id"], !checkID.isEmpty else {
                let reason = line["failure_reason"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? Words.text(MessageKey.noReasonGiven.rawValue, .en)
                rows[index].fail("batch_row_refused", Message(.batchRowRefused, remote, reason))
                continue
            }
            created += 1
            rows[index].remoteID = checkID
            rows[index].polls = 0
            // Scores the report carries; the result poller fills in what it does not.
            let score = line["score"].flatMap { Double($0) } ?? -1
            let brief = TruoraCheckBrief(checkID: checkID, status: line["status"] ?? "in_progress", score: score,
                                         idScore: line["id_score"].flatMap { Double($0) },
                                         nameScore: line["name_score"].flatMap { Double($0) })
            caller.apply(brief, to: &rows[index], now: now)
        }
        batch.step = .merged
        batch.nextPoll = nil
        try ledger.update(batch, rows: rows)
        return created
    }

    /// The report's lines by upload row number, each as column name (lowercased) → text.
    static func lines(_ bytes: [UInt8], format: String, folder: String?, batch: String) throws(PipelineError)
        -> [Int: [String: String]]
    {
        let path = (folder ?? NSTemporaryDirectory()) + "/batch-report-\(UUID().uuidString)."
            + (format == "csv" ? "csv" : "xlsx")
        defer { unlink(path) }
        var lines: [Int: [String: String]] = [:]
        do {
            guard
                FileManager.default.createFile(atPath: path, contents: Data(bytes),
                                               attributes: [.posixPermissions: 0o600])
            else {
                throw PipelineError(PipelineError.stateUnusable, "the report of batch \(batch) cannot be stored",
                                    file: folder)
            }
            let reader = try SpreadsheetReader(path: path)
            var names: [String] = []
            while let row = try reader.next() {
                guard !names.isEmpty else {
                    names = row.cells.map { $0.text.trimmingCharacters(in: .whitespaces).lowercased() }
                    continue
                }
                var line: [String: String] = [:]
                for (index, name) in names.enumerated() where index < row.count { line[name] = row[index].text }
                if let number = line["row"].flatMap({ Int($0) }) { lines[number] = line }
            }
        } catch let error as PipelineError {
            throw error
        } catch {
            throw PipelineError.from(error, file: "the report of batch \(batch)")
        }
        return lines
    }
}
