import CheckInputs
import Crypto
import Foundation
import ProviderAPI
import Spreadsheet

/// What a run of one input produced.
public struct RunResult: Sendable {
    public var summary: RunSummary
    public var summaryPath: String
    public var stopReason: StopReason?
    /// Trulioo Workflow Studio: the flow's first step, element by element, against the file's columns.
    public var flowTable: [TruliooFlowMapping.Line]?

    /// DESIGN's exit code for this run: 0 when every row is ok (a dry run: when every row is
    /// valid), 2 when some are not, 69/75/77 when the run stopped early, 130 when interrupted.
    public var exitCode: Int32 {
        if let stopReason { return Self.exitCode(for: stopReason) }
        if summary.dryRun { return summary.failed == 0 ? ExitStatus.ok : ExitStatus.someRowsNotOK }
        return summary.ok == summary.rowsRead ? ExitStatus.ok : ExitStatus.someRowsNotOK
    }

    /// The exit code of a run that stopped early.
    public static func exitCode(for reason: StopReason) -> Int32 {
        switch reason {
        case .interrupted: return ExitStatus.interrupted
        case .circuitOpen: return ExitStatus.unavailable
        case .credentialsRefused: return ExitStatus.credentials
        case .rateLimited: return ExitStatus.temporary
        }
    }
}

/// Runs one input: maps and validates every row, sends each valid row once (resuming from the
/// ledger), looks for results until `wait` runs out, and writes the report, the error file and
/// the summary. Row problems become failed rows; only what stops the whole file is thrown.
public struct RunEngine: Sendable {
    public let configuration: RunConfiguration
    public let providers: RunProviders
    public let ledger: Ledger
    public let control: RunControl
    public let observe: @Sendable (RunProgress) -> Void

    public init(configuration: RunConfiguration, providers: RunProviders, ledger: Ledger, control: RunControl,
                observe: @escaping @Sendable (RunProgress) -> Void = { _ in }) {
        self.configuration = configuration
        self.providers = providers
        self.ledger = ledger
        self.control = control
        self.observe = observe
    }

    /// The row caller of this run; the flow's first step is set on it once read (``readFlow(_:)``).
    var caller: RowCaller {
        let ledger = self.ledger
        return RowCaller(mode: configuration.mode, providers: providers, flowID: configuration.flowID,
                         signedURL: configuration.signedURL, redirectURL: configuration.redirectURL,
                         outboundID: configuration.outboundID, pollBase: configuration.pollBase,
                         truliooAPI: configuration.truliooAPI, mapping: configuration.truliooMapping,
                         checkpoint: { record in (try? ledger.save([record])) != nil })
    }

    /// Trulioo Workflow Studio, before the first row: one session start reads the flow's first step
    /// (Trulioo answers it for a new, empty session), and a required element that no column or
    /// constant of the file fills stops the run before any submit. Nil for other modes, or when
    /// there is no client to ask (a dry run without credentials).
    func readFlow(_ file: FileValidation) async throws(PipelineError) -> (TruliooStep, [TruliooFlowMapping.Line])? {
        guard configuration.mode == .trulioo, configuration.truliooAPI == .workflowStudio,
            let client = providers.trulioo, let flowID = configuration.flowID
        else { return nil }
        let session: TruliooSession
        do {
            session = try await client.startSession(flowID: flowID)
        } catch {
            // No answer, or one without the session: the provider is not usable now (69), not the data.
            let code = ["outcome_unknown", "provider_answer_unreadable", "provider_answer_unexpected"]
                .contains(error.stableCode) ? "provider_unreachable" : error.stableCode
            throw PipelineError(code, "the Trulioo flow's first step cannot be read: \(error.description)",
                                file: file.path)
        }
        var columns: [String: String] = [:]
        for match in file.mapping.matches {
            let input = String(match.input.split(separator: ".").first ?? Substring(match.input))
            if columns[input] == nil { columns[input] = match.column }
        }
        var constants = Set(file.settings.constants.keys)
        // As the validator: the job's country fills address_country unless it is ALL.
        if let country = file.settings.country, country != "ALL" { constants.insert("address_country") }
        let table = configuration.truliooMapping.table(session.step, columns: columns, constants: constants)
        let unfilled = table.filter { $0.required && $0.source == nil }
        if !unfilled.isEmpty, !configuration.dryRun {
            let names = unfilled.map { "'\($0.element)'" }.joined(separator: ", ")
            throw PipelineError(
                PipelineError.usage,
                "the Trulioo flow's first step requires \(names), which no column or constant fills; map a column "
                    + "to it (--map COLUMN=INPUT, or trulioo: fields: {INPUT: ELEMENT NAME} in the job file); "
                    + "nothing was submitted", file: file.path)
        }
        return (session.step, table)
    }

    public func run(input: String) async throws(PipelineError) -> RunResult {
        // A sweep's job file may lack the flow too: nothing is read or sent without it.
        if let problem = configuration.setupProblem { throw PipelineError(PipelineError.usage, problem, file: input) }
        let started = Date()
        let file: FileValidation
        let sha256: String
        do {
            file = try FileValidation(path: input, settings: configuration.settings,
                                      readOptions: configuration.readOptions)
            sha256 = try FileDigest.sha256(path: input)
        } catch {
            throw PipelineError.from(error, file: input)
        }
        if !configuration.dryRun {
            file.settings.customTypes = try await customTypes(for: file)
        }
        let configLooks = file.settings.customTypes == nil ? 0 : 1
        // The whole file is read once before anything is sent: a file that cannot be read to its end
        // (damaged past the first rows, or expanding past the caps) stops here with no check created,
        // and the progress gets a total. A dry run reads the file once anyway.
        var total: Int?
        if !configuration.dryRun, let headerRow = file.headerRow {
            observe(progress(input, .counting, done: 0, total: nil, since: ContinuousClock.now))
            do {
                total = try Self.countRows(file, after: headerRow)
            } catch {
                throw PipelineError.from(error, file: input)
            }
        }
        // A dry run shows the flow's table at once; a run reads the flow just before its first row is sent.
        let dryFlow = configuration.dryRun ? try await readFlow(file) : nil
        let mode = configuration.mode.rawValue
        let fileID = try ledger.registerFile(sha256: sha256, path: input)
        var plan = ReportPlan(
            input: input, sha256: sha256, mode: mode, sheet: file.sheetName, delimiter: file.delimiter,
            limits: configuration.readOptions.limits, headerRow: file.headerRow, inputFormat: file.format,
            reportFormat: configuration.reportFormat ?? file.format, textColumns: file.mapping.textColumns.sorted(),
            width: file.header.count, outDirectory: configuration.outDirectory, stem: ReportPlan.stem(of: input),
            country: configuration.settings.country, type: configuration.settings.type, dryRun: configuration.dryRun,
            startedAt: started, requests: [:], wouldBill: [:],
            followUps: followUps(file))
        plan.language = configuration.language ?? Language.forCountry(configuration.settings.country)
        plan.flowID = configuration.flowID
        if configuration.mode == .trulioo { plan.truliooAPI = configuration.truliooAPI.rawValue }
        if configLooks > 0 { plan.requests["config_looks"] = configLooks }
        if dryFlow != nil { plan.requests["flow_looks"] = 1 }
        var flowTable = dryFlow?.1
        let runID = try ledger.beginRun(fileID: fileID, mode: mode, plan: plan.json())

        if configuration.mode == .truoraBatch, !configuration.dryRun {
            try await sendBatches(file, fileID: fileID, runID: runID, total: total, plan: &plan)
        } else {
            flowTable = try await send(file, fileID: fileID, runID: runID, total: total, plan: &plan) ?? flowTable
        }
        let deadline = ContinuousClock.now + configuration.wait

        if configuration.mode == .truoraBatch, !configuration.dryRun, !control.isStopped, let client = providers.truora {
            let phase = ContinuousClock.now
            let finisher = BatchFinisher(ledger: ledger, client: client, caller: caller, control: control)
            let batches = try ledger.batches(fileID: fileID, mode: mode).filter { $0.step == .started || $0.step == .reporting }
            let requests = try await finisher.finish(fileID: fileID, mode: mode, until: deadline) { done in
                observe(progress(input, .waiting, done: done, total: batches.count, since: phase))
            }
            for (kind, count) in requests { plan.requests[kind, default: 0] += count }
        }
        let acknowledged = configuration.dryRun ? 0 : try ledger.countByState(fileID: fileID, mode: mode)[.acknowledged] ?? 0
        if configuration.mode.isTruora || configuration.mode.startsProcess, !control.isStopped, acknowledged > 0 {
            let phase = ContinuousClock.now
            let poller = ResultPoller(ledger: ledger, caller: caller, concurrency: configuration.concurrency,
                                      control: control)
            let tally = try await poller.poll(fileID: fileID, mode: mode, until: deadline) { done in
                observe(progress(input, .waiting, done: done, total: acknowledged, since: phase))
            }
            for (kind, count) in tally.requests { plan.requests[kind, default: 0] += count }
        }

        if configuration.mode.isTruora, !configuration.dryRun, plan.followUps != nil,
            let client = providers.truora
        {
            let requests = try await followUps(plan: plan, client: client, fileID: fileID, until: deadline)
            for (kind, count) in requests { plan.requests[kind, default: 0] += count }
        }

        if let reason = control.stopReason {
            plan.skipCode = reason.code
            plan.skipMessage = StoredMessage.encode(reason.skipMessage)
        } else if configuration.dryRun {
            plan.skipCode = "dry_run"
            plan.skipMessage = StoredMessage.encode(Message(.dryRunValid))
        }
        plan.finishedAt = Date()
        observe(progress(input, .writing, done: 0, total: nil, since: .now))
        var result = try writeOutputs(plan: plan, fileID: fileID, runID: runID,
                                      warnings: file.readWarnings + (plan.warnings ?? []), stopReason: control.stopReason)
        result.flowTable = flowTable
        return result
    }

    /// The account's custom types by country, from Truora's `/v1/config`, when the run may use one
    /// (a `--type` that is not person, vehicle or company, or a type column); nil otherwise.
    private func customTypes(for file: FileValidation) async throws(PipelineError) -> [String: Set<String>]? {
        guard configuration.mode.isTruora, let client = providers.truora else { return nil }
        let builtIn: Set<String> = ["person", "vehicle", "company"]
        let customType = file.settings.type.map { !builtIn.contains($0.lowercased()) } ?? false
        guard customType || file.mapping.matches.contains(where: { $0.input == "type" }) else { return nil }
        let config: TruoraConfig
        do {
            config = try await client.listCustomTypes()
        } catch {
            throw PipelineError(error.stableCode, "the account's custom types could not be read: \(error.description)",
                                file: file.path)
        }
        var types: [String: Set<String>] = [:]
        for (country, byType) in config.scoreConfigs {
            types[country.uppercased(), default: []].formUnion(byType.keys.filter { !builtIn.contains($0) })
        }
        return types
    }

    /// The health of Truora's databases for the run's country, looked at once, just before the
    /// first row is sent (a run with nothing to send makes no request). Its warnings and looks go
    /// into `plan`.
    private func preflight(_ input: String, plan: inout ReportPlan) async {
        guard configuration.mode.isTruora, configuration.healthCheck, let country = configuration.settings.country,
            let client = providers.truora
        else { return }
        observe(progress(input, .health, done: 0, total: nil, since: .now))
        let health = HealthCheck(client: client, control: control)
        let (warnings, looks) = await health.preflight(country: country, wait: configuration.waitHealthy,
                                                       every: configuration.pollCap)
        plan.requests["health_looks", default: 0] += looks
        if !warnings.isEmpty { plan.warnings = (plan.warnings ?? []) + warnings }
    }

    /// PDFs and continuous checks for the file's finished checks, looking again for PDFs not ready
    /// until `deadline`.
    func followUps(plan: ReportPlan, client: TruoraClient, fileID: Int64, until deadline: ContinuousClock.Instant)
        async throws(PipelineError) -> [String: Int]
    {
        guard let wanted = plan.followUps, !wanted.isEmpty, !control.isStopped else { return [:] }
        try ledger.wantFollowUps(fileID: fileID, mode: plan.mode, pdf: wanted.pdf, continuous: wanted.continuous)
        if wanted.pdf {
            let folder = plan.outDirectory + "/" + plan.pdfFolder
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw PipelineError(SpreadsheetError.Code.writeFailed.rawValue, "the folder for the PDFs cannot be created",
                                    file: folder)
            }
        }
        let phase = ContinuousClock.now
        let input = plan.input
        let observe = self.observe
        let runner = FollowUps(ledger: ledger, client: client, plan: wanted, control: control,
                               concurrency: configuration.concurrency, outDirectory: plan.outDirectory,
                               pdfFolder: plan.pdfFolder, retryWait: configuration.pollBase * 2)
        return try await runner.run(fileID: fileID, mode: plan.mode, until: deadline) { done in
            observe(RunProgress(file: input, phase: .waiting, done: done, total: nil, ok: 0, failed: 0, pending: 0,
                                elapsed: (ContinuousClock.now - phase).seconds))
        }
    }

    /// Writes the report, the error file and the summary of `plan`, and closes the run in the ledger.
    /// With `byRowNumber`, the input is not read (it moved or changed): the report holds the
    /// result columns of the rows the ledger knows, by row number.
    func writeOutputs(plan: ReportPlan, fileID: Int64, runID: Int64, warnings: [String], stopReason: StopReason?,
                      byRowNumber: Bool = false) throws(PipelineError) -> RunResult
    {
        let counts: ReportCounts
        do {
            if byRowNumber {
                counts = try RunReport.writeByRowNumber(plan: plan, ledger: ledger, fileID: fileID)
            } else {
                counts = try RunReport.write(plan: plan, ledger: ledger, fileID: fileID) { counts in
                    RunSummary.sheet(plan: plan, counts: counts)
                }
            }
        } catch {
            throw PipelineError.from(error, file: plan.input)
        }
        let summary = RunSummary(plan: plan, counts: counts, stopped: stopReason, warnings: warnings,
                                 errorsWritten: counts.failed > 0 && !byRowNumber)
        let countsJSON = (try? JSONEncoder().encode(counts)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        try ledger.finishRun(runID, plan: plan.json(), counts: countsJSON)
        do {
            try PrivateFile.write(summary.json(), to: plan.summaryPath)
        } catch {
            throw PipelineError.from(error, file: plan.summaryPath)
        }
        return RunResult(summary: summary, summaryPath: plan.summaryPath, stopReason: stopReason)
    }

    // MARK: Sending

    /// Takes the rows one by one, records the failed ones and sends the valid ones, at most
    /// `concurrency` at once; every call's `sent` mark is committed before the call starts.
    /// Returns the Trulioo flow's table when the flow was read (Workflow Studio, some row to send).
    private func send(_ file: FileValidation, fileID: Int64, runID: Int64, total: Int?, plan: inout ReportPlan)
        async throws(PipelineError) -> [TruliooFlowMapping.Line]?
    {
        let rows: ValidatedRows
        do { rows = try file.rows(seen: ledger.seenKeys()) } catch { throw PipelineError.from(error, file: file.path) }
        var caller = self.caller
        var flowTable: [TruliooFlowMapping.Line]?
        // Runs of this file on the seed's Trulioo routes (before Workflow Studio was the default):
        // their rows left `sent` or `unknown` are inits that may have arrived, never sent again.
        var seedRuns: Set<Int64> = []
        if configuration.mode == .trulioo {
            for run in try ledger.runs(fileID: fileID, mode: configuration.mode.rawValue) {
                guard let id = run.id, let plan = ReportPlan.decode(run.plan) else { continue }
                if plan.truliooAPI != TruliooAPI.workflowStudio.rawValue { seedRuns.insert(id) }
            }
        }
        let concurrency = max(1, configuration.concurrency)
        // Refill in groups, so one transaction carries several answers and several new `sent` marks.
        let slack = configuration.rate == nil ? max(1, concurrency / 16) : 1
        let interval = configuration.rate.map { Duration.seconds(1 / max($0, 0.001)) }
        let mode = configuration.mode
        let started = ContinuousClock.now
        var nextSlot = started
        var cursor = RecordCursor(ledger: ledger, fileID: fileID, mode: mode.rawValue)
        var writes: [LedgerRecord] = []
        var batch: [RowCall] = []
        var inFlight = 0
        var taken = 0, ok = 0, failed = 0, pending = 0
        var consecutiveDown = 0
        var lastEmit = started
        var failure: PipelineError?
        var requests: [String: Int] = [:]
        var wouldBill: [String: Int] = [:]
        var width = plan.width
        var healthChecked = false

        await withTaskGroup(of: RowCallResult.self) { group in
            func absorb(_ result: RowCallResult) {
                inFlight -= 1
                writes.append(result.record)
                for (kind, count) in result.requests { requests[kind, default: 0] += count }
                switch result.record.state {
                case .final: ok += 1
                case .acknowledged:
                    if mode == .trulioo { ok += 1 } else { pending += 1 }
                case .failed: failed += 1
                case .sent, .unknown: pending += 1
                }
                guard let error = result.failure else {
                    consecutiveDown = 0
                    return
                }
                switch error.stableCode {
                case "credentials_refused": control.stop(.credentialsRefused)
                case "provider_rate_limited" where error.retryAfter != nil: control.stop(.rateLimited)
                case "provider_unreachable", "provider_error", "outcome_unknown":
                    consecutiveDown += 1
                    if consecutiveDown >= configuration.circuitBreakerThreshold { control.stop(.circuitOpen) }
                default: consecutiveDown = 0
                }
            }
            func launch() throws(PipelineError) {
                try ledger.save(writes + batch.map(\.record))
                writes.removeAll(keepingCapacity: true)
                let current = caller
                for call in batch {
                    group.addTask { await current.call(call) }
                    inFlight += 1
                }
                batch.removeAll(keepingCapacity: true)
            }
            do {
                while !control.isStopped, let (row, outcome) = try rows.next() {
                    taken += 1
                    width = max(width, row.count)
                    let existing = try cursor.record(for: row.number)
                    if !outcome.isValid {
                        writes.append(Self.failedRecord(outcome, row: row.number, fileID: fileID, mode: mode.rawValue,
                                                        runID: runID))
                        failed += 1
                    } else if let call = call(for: outcome, row: row.number, existing: existing, fileID: fileID,
                                              runID: runID, seedRuns: seedRuns, writes: &writes)
                    {
                        if configuration.dryRun {
                            for kind in billableKinds(call) { wouldBill[kind, default: 0] += 1 }
                        } else {
                            if !healthChecked {
                                healthChecked = true
                                await preflight(file.path, plan: &plan)
                                if let (step, table) = try await readFlow(file) {
                                    caller.firstStep = step
                                    flowTable = table
                                    requests["flow_looks", default: 0] += 1
                                }
                            }
                            if let interval {
                                let now = ContinuousClock.now
                                if nextSlot > now { try? await Task.sleep(until: nextSlot) }
                                nextSlot = max(nextSlot, now) + interval
                            }
                            batch.append(call)
                            if inFlight + batch.count >= concurrency || interval != nil {
                                try launch()
                                while inFlight > concurrency - slack, let result = await group.next() {
                                    absorb(result)
                                }
                            }
                        }
                    } else if let existing {
                        switch existing.state {
                        case .final: ok += 1
                        case .acknowledged: if mode == .trulioo { ok += 1 } else { pending += 1 }
                        default: pending += 1
                        }
                    }
                    try flushLongRuns(&writes)
                    if Self.due(&lastEmit) {
                        observe(RunProgress(file: file.path, phase: .sending, done: taken, total: total, ok: ok,
                                            failed: failed, pending: pending + inFlight,
                                            elapsed: (ContinuousClock.now - started).seconds))
                    }
                }
                try launch()
            } catch {
                failure = PipelineError.from(error, file: file.path)
                batch.removeAll()
            }
            while let result = await group.next() { absorb(result) }
            do {
                try ledger.save(writes)
            } catch {
                failure = failure ?? PipelineError.from(error)
            }
        }
        if let failure { throw failure }
        plan.width = width
        for (kind, count) in requests { plan.requests[kind, default: 0] += count }
        plan.wouldBill = wouldBill
        return flowTable
    }

    /// truora-batch: takes the rows one by one, records the failed ones and gathers the valid ones
    /// into batches that are created, uploaded and started as they fill (``BatchSubmitter``).
    private func sendBatches(_ file: FileValidation, fileID: Int64, runID: Int64, total: Int?,
                             plan: inout ReportPlan) async throws(PipelineError)
    {
        guard let client = providers.truora else {
            throw PipelineError(PipelineError.usage, "a truora-batch run needs a Truora client")
        }
        let mode = configuration.mode.rawValue
        let submitter = try BatchSubmitter(ledger: ledger, client: client, control: control, fileID: fileID,
                                           mode: mode, batchSize: configuration.batchSize)
        var cursor = RecordCursor(ledger: ledger, fileID: fileID, mode: mode)
        var writes: [LedgerRecord] = []
        var taken = 0, ok = 0, failed = 0, pending = 0
        var width = plan.width
        var healthChecked = false
        let started = ContinuousClock.now
        var lastEmit = started
        do {
            let rows = try file.rows(seen: ledger.seenKeys())
            while !control.isStopped, let (row, outcome) = try rows.next() {
                taken += 1
                width = max(width, row.count)
                let existing = try cursor.record(for: row.number)
                if !outcome.isValid {
                    writes.append(Self.failedRecord(outcome, row: row.number, fileID: fileID, mode: mode, runID: runID))
                    failed += 1
                } else {
                    let hash = ledger.inputHash(outcome.inputs.lazy.map { ($0.name, $0.value) })
                    let same = existing.flatMap { $0.inputHash == hash ? $0 : nil }
                    let startedAlready = same.map(submitter.inStartedBatch) ?? false
                    switch same?.state {
                    case .final?:
                        ok += 1
                    case .acknowledged?:
                        pending += 1
                    case .failed? where !Self.retriedOnRerun.contains(same?.errorCode ?? ""):
                        failed += 1
                    case .sent? where startedAlready, .unknown? where startedAlready:
                        pending += 1
                    default:
                        var record = LedgerRecord(fileID: fileID, mode: mode, sourceRow: row.number, inputHash: hash,
                                                  state: .sent, runID: runID)
                        record.attempts = same?.attempts ?? 0
                        Self.wantContinuous(outcome, in: &record)
                        // Failed rows before them are written first: a batch's rows come out in sheet order.
                        try ledger.save(writes)
                        writes.removeAll(keepingCapacity: true)
                        if !healthChecked {
                            healthChecked = true
                            await preflight(file.path, plan: &plan)
                        }
                        try await submitter.take(outcome.inputs, record: record, existing: existing)
                        pending += 1
                    }
                }
                try flushLongRuns(&writes)
                if Self.due(&lastEmit) {
                    observe(RunProgress(file: file.path, phase: .sending, done: taken, total: total, ok: ok,
                                        failed: failed, pending: pending,
                                        elapsed: (ContinuousClock.now - started).seconds))
                }
            }
            try ledger.save(writes)
            try await submitter.flush()
        } catch {
            try? ledger.save(writes)
            for (kind, count) in submitter.requests { plan.requests[kind, default: 0] += count }
            throw PipelineError.from(error, file: file.path)
        }
        plan.width = width
        for (kind, count) in submitter.requests { plan.requests[kind, default: 0] += count }
    }

    /// What the run does with finished checks: the flags', and rows' own continuous checks when the
    /// file has a `frequency` column; nil when nothing.
    private func followUps(_ file: FileValidation) -> FollowUpPlan? {
        var plan = configuration.followUps
        if configuration.mode.isTruora, file.mapping.matches.contains(where: { $0.input == "frequency" }) {
            plan.perRow = true
        }
        return plan.isEmpty ? nil : plan
    }

    /// A row with its own `frequency` and `end_date` wants that continuous check, unless it has one.
    static func wantContinuous(_ outcome: RowOutcome, in record: inout LedgerRecord) {
        guard let continuous = outcome.continuous, record.continuousID == nil else { return }
        record.continuousID = "wanted"
        record.continuousFrequency = continuous.frequency
        record.continuousUntil = continuous.endDate
    }

    /// The record of a row that failed validation: its first error's code and column, every message.
    static func failedRecord(_ outcome: RowOutcome, row: Int, fileID: Int64, mode: String, runID: Int64)
        -> LedgerRecord
    {
        var record = LedgerRecord(fileID: fileID, mode: mode, sourceRow: row, inputHash: "", state: .failed,
                                  runID: runID)
        let errors = outcome.errors
        record.fail(errors[0].code, column: errors[0].column, message: StoredMessage.encode(errors))
        return record
    }

    /// Long runs of failed or finished rows are written as they come, so memory stays flat.
    private func flushLongRuns(_ writes: inout [LedgerRecord]) throws(PipelineError) {
        guard writes.count >= 1_024 else { return }
        try ledger.save(writes)
        writes.removeAll(keepingCapacity: true)
    }

    /// Whether a progress line is due (every 200 ms at most); moves `last` on when it is.
    static func due(_ last: inout ContinuousClock.Instant) -> Bool {
        let now = ContinuousClock.now
        guard now - last > .milliseconds(200) else { return false }
        last = now
        return true
    }

    /// The call to make for a valid row, given what the ledger knows of it; nil when there is none.
    private func call(for outcome: RowOutcome, row: Int, existing: LedgerRecord?, fileID: Int64, runID: Int64,
                      seedRuns: Set<Int64> = [], writes: inout [LedgerRecord]) -> RowCall?
    {
        let mode = configuration.mode
        let hash = ledger.inputHash(outcome.inputs.lazy.map { ($0.name, $0.value) })
        var record = LedgerRecord(fileID: fileID, mode: mode.rawValue, sourceRow: row, inputHash: hash, state: .sent,
                                  runID: runID)
        var signedURLOnly = false
        // A row a seed-route run left in flight stays as that run left it, whichever routes run now.
        let workflowStudio = mode == .trulioo && configuration.truliooAPI == .workflowStudio
            && !(existing.map { seedRuns.contains($0.runID) } ?? false)
        if let existing, existing.inputHash == hash {
            record = existing
            switch existing.state {
            case .final:
                return nil
            case .acknowledged:
                // Never a second check or user state: at most the signed URL that is still missing.
                guard mode == .trulioo, configuration.signedURL, existing.link == nil else { return nil }
                signedURLOnly = true
            case .sent where workflowStudio, .unknown where workflowStudio:
                // A session whose submit went unanswered is looked at, never submitted blindly again;
                // a session start that never answered made at most an empty session, so another is started.
                record.errorCode = nil
                record.errorMessage = nil
            case .sent, .unknown:
                if mode == .trulioo || mode.startsProcess {
                    // The init, link or message may have arrived; it is never sent blindly again.
                    if existing.state == .sent {
                        record.state = .unknown
                        record.errorCode = "outcome_unknown"
                        record.errorMessage = StoredMessage.encode(Message(mode == .trulioo ? .initInFlight : .callInFlight))
                        writes.append(record)
                    }
                    return nil
                }
            // Truora: sending again without force_creation answers with the check that exists.
            case .failed:
                guard let code = existing.errorCode, Self.retriedOnRerun.contains(code) else { return nil }
            }
        }
        if !signedURLOnly { record.state = .sent }
        Self.wantContinuous(outcome, in: &record)
        record.attempts += 1
        record.runID = runID
        return RowCall(inputs: outcome.inputs, record: record, signedURLOnly: signedURLOnly)
    }

    /// Failures worth another try when the same file runs again (the provider was down, busy or
    /// refused the credentials); a check in error or refused inputs are not.
    static let retriedOnRerun: Set<String> = [
        "provider_unreachable", "provider_error", "provider_rate_limited", "credentials_refused",
        "provider_request_invalid", "outcome_unknown", "batch_upload_expired",
    ]

    private func billableKinds(_ call: RowCall) -> [String] {
        switch configuration.mode {
        case .trulioo:
            let start = configuration.truliooAPI == .workflowStudio ? "sessions" : "inits"
            return (call.signedURLOnly ? [] : [start]) + (configuration.signedURL ? ["signed_urls"] : [])
        case .truoraChecks, .truoraBatch:
            return ["checks"]
        case .truoraDI:
            return ["web_keys"]
        case .truoraWhatsApp:
            return ["messages"]
        }
    }

    private func progress(_ file: String, _ phase: RunProgress.Phase, done: Int, total: Int?,
                          since: ContinuousClock.Instant) -> RunProgress {
        RunProgress(file: file, phase: phase, done: done, total: total, ok: 0, failed: 0, pending: 0,
                    elapsed: (ContinuousClock.now - since).seconds)
    }

    /// Non-blank rows after the header.
    static func countRows(_ file: FileValidation, after headerRow: Int) throws -> Int {
        let reader = try SpreadsheetReader(path: file.path, options: file.readOptions)
        var count = 0
        while let row = try reader.next() {
            if row.number > headerRow, !row.isBlank { count += 1 }
        }
        return count
    }
}

/// SHA-256 of a file's content, read in 1 MiB chunks.
enum FileDigest {
    static func sha256(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SpreadsheetError(.readFailed, "the file cannot be opened for reading", file: path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return Ledger.hex(hasher.finalize())
    }
}
