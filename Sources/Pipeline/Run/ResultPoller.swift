import CheckInputs
import Foundation
import ProviderAPI

/// Looks at rows the provider has acknowledged until their results are final: each row when its
/// next look is due (backing off, longer while a check is `delayed`), a page of rows at a time with
/// a bounded number of requests in flight, each page's answers written in one transaction.
struct ResultPoller: Sendable {
    let ledger: Ledger
    let caller: RowCaller
    let concurrency: Int
    let control: RunControl

    /// Outcome of a pass: requests made, and rows that became final.
    struct Tally: Sendable {
        var requests: [String: Int] = [:]
        var finished = 0
        /// truora-di and truora-whatsapp: rows matched to their process by account.
        var matched = 0
    }

    /// Polls `fileID`'s open rows until none is left, `deadline` passes or the run is stopped.
    /// With `everyRowOnce`, looks at every open row once now, whatever its schedule (`collect`).
    func poll(fileID: Int64, mode: String, until deadline: ContinuousClock.Instant, everyRowOnce: Bool = false,
              observe: @Sendable (Int) -> Void = { _ in }) async throws(PipelineError) -> Tally {
        var tally = Tally()
        while !control.isStopped {
            if caller.mode.startsProcess {
                try await match(fileID: fileID, mode: mode, force: everyRowOnce, tally: &tally)
            }
            let now = Date().timeIntervalSince1970
            try await pass(fileID: fileID, mode: mode, dueBy: everyRowOnce ? .greatestFiniteMagnitude : now,
                           tally: &tally, observe: observe)
            if everyRowOnce { break }
            guard let earliest = try ledger.earliestPoll(fileID: fileID, mode: mode) else { break }
            let clock = ContinuousClock()
            guard clock.now < deadline else { break }
            let wake = min(deadline, clock.now + .seconds(max(0, earliest - Date().timeIntervalSince1970)))
            await control.nap(until: wake)
            if clock.now >= deadline { break }
        }
        return tally
    }

    /// Looks at every row due by `dueBy`, a page of the ledger at a time but with `concurrency`
    /// looks in flight throughout (no draining at the end of each page), writing answers in groups.
    private func pass(fileID: Int64, mode: String, dueBy: Double, tally: inout Tally, observe: @Sendable (Int) -> Void)
        async throws(PipelineError)
    {
        var failure: PipelineError?
        var finished = tally.finished
        var requests = tally.requests
        await withTaskGroup(of: RowCallResult.self) { group in
            var after = 0
            var page: [LedgerRecord] = []
            var exhausted = false
            var inFlight = 0
            var answers: [RowCallResult] = []
            func record(_ answers: [RowCallResult]) throws(PipelineError) {
                try ledger.save(answers.map(\.record))
                for answer in answers {
                    for (kind, count) in answer.requests { requests[kind, default: 0] += count }
                    if answer.record.state != .acknowledged { finished += 1 }
                    if answer.failure?.stableCode == "credentials_refused" { control.stop(.credentialsRefused) }
                }
                observe(finished)
            }
            do {
                while true {
                    while inFlight < concurrency, !control.isStopped {
                        if page.isEmpty, !exhausted {
                            page = try ledger.due(fileID: fileID, mode: mode, now: dueBy, after: after, limit: 512)
                            after = page.last?.sourceRow ?? after
                            exhausted = page.isEmpty
                            page.reverse()
                        }
                        guard let next = page.popLast() else { break }
                        group.addTask { await look(next) }
                        inFlight += 1
                    }
                    guard inFlight > 0, let answer = await group.next() else { break }
                    inFlight -= 1
                    answers.append(answer)
                    if answers.count >= 256 {
                        try record(answers)
                        answers.removeAll(keepingCapacity: true)
                    }
                }
                try record(answers)
            } catch {
                failure = PipelineError.from(error)
                while let answer = await group.next() { answers.append(answer) }
                try? ledger.save(answers.map(\.record))
            }
        }
        tally.finished = finished
        tally.requests = requests
        if let failure { throw failure }
    }

    /// The most pages of the account's processes one matching pass reads.
    static let maxProcessPages = 200

    /// truora-di and truora-whatsapp: rows whose process Truora did not name are matched to the
    /// flow's processes by the row's account id (the newest process of that account), once their
    /// look is due (or now, with `force`). Rows still unmatched wait for the next look.
    private func match(fileID: Int64, mode: String, force: Bool, tally: inout Tally) async throws(PipelineError) {
        var waiting: [LedgerRecord] = []
        var after = 0
        while true {
            let page = try ledger.unmatched(fileID: fileID, mode: mode, after: after, limit: 1_024)
            guard let last = page.last else { break }
            after = last.sourceRow
            waiting += page
        }
        // One listing when any row is due serves every waiting row.
        let due = Date().timeIntervalSince1970
        guard force || waiting.contains(where: { ($0.nextPoll ?? 0) <= due }), let client = caller.providers.truora
        else { return }
        var newest: [String: TruoraProcessPage.Entry] = [:]
        var startKey: String?
        var pages = 0
        do {
            repeat {
                let page = try await client.listProcesses(flowID: caller.flowID, startKey: startKey)
                pages += 1
                tally.requests["process_lists", default: 0] += 1
                for entry in page.processes where entry.flowID == nil || entry.flowID == caller.flowID {
                    guard let account = entry.accountID, !account.isEmpty else { continue }
                    if let seen = newest[account], let a = seen.creationDate, let b = entry.creationDate, a > b { continue }
                    newest[account] = entry
                }
                startKey = page.nextStartKey
            } while startKey != nil && pages < Self.maxProcessPages && !control.isStopped
        } catch {
            // Not listed this time: the rows wait for their next look.
            if error.stableCode == "credentials_refused" { control.stop(.credentialsRefused) }
        }
        // Taken after the listing, which may have been long: the next look is from now.
        let now = Date().timeIntervalSince1970
        var updates: [LedgerRecord] = []
        for var record in waiting {
            if let account = record.accountID, let entry = newest[account] {
                record.remoteID = entry.processID
                record.remoteStatus = entry.status ?? record.remoteStatus
                record.nextPoll = now
                tally.matched += 1
            } else {
                record.polls += 1
                // A listing is a heavier call than a look: never sooner than a minute apart.
                record.nextPoll = now + max(60, caller.nextWait(status: "pending", polls: record.polls))
            }
            updates.append(record)
        }
        try ledger.save(updates)
    }

    /// One look at one row's result.
    private func look(_ record: LedgerRecord) async -> RowCallResult {
        var result = RowCallResult(record: record)
        let unchanged = result
        guard let remoteID = record.remoteID else {
            // Not matched to its process yet: the next listing says when to look.
            result.record.nextPoll = max(record.nextPoll ?? 0, Date().timeIntervalSince1970 + 60)
            return result
        }
        result.record.polls += 1
        let now = Date().timeIntervalSince1970
        do {
            switch caller.mode {
            case .trulioo where caller.truliooAPI == .workflowStudio:
                guard let client = caller.providers.trulioo else { return unchanged }
                let export = try await client.exportClient(remoteID)
                result.requests["export_looks", default: 0] += 1
                caller.apply(export, to: &result.record, now: now)
            case .trulioo:
                guard let client = caller.providers.trulioo else { return unchanged }
                let profile = try await client.profile(clientId: remoteID)
                result.requests["profile_looks", default: 0] += 1
                result.record.remoteStatus = profile.status
                if ["ACCEPTED", "DECLINED"].contains(profile.status) {
                    result.record.state = .final
                    result.record.nextPoll = nil
                } else {
                    result.record.nextPoll = now + 3_600
                }
            case .truoraChecks, .truoraBatch:
                guard let client = caller.providers.truora else { return unchanged }
                let check = try await client.checkBrief(remoteID)
                result.requests["polls", default: 0] += 1
                caller.apply(check, to: &result.record, now: now)
            case .truoraDI, .truoraWhatsApp:
                guard let client = caller.providers.truora else { return unchanged }
                let process = try await client.processResult(remoteID)
                result.requests["process_looks", default: 0] += 1
                caller.apply(process, to: &result.record, now: now)
            }
        } catch where error.status == 404 && caller.mode == .trulioo && caller.truliooAPI == .workflowStudio {
            // The export API may have no record for a session nobody has submitted to yet (a flow
            // that opens with DocV): look again later rather than give up on the person.
            result.failure = error
            result.record.nextPoll = now + 3_600
        } catch where error.status == 404 {
            // The provider no longer knows the id (deleted, or another account): looking again will not help.
            switch caller.mode {
            case .trulioo: result.record.fail("profile_not_found", Message(.profileNotFound))
            case .truoraDI, .truoraWhatsApp: result.record.fail("process_not_found", Message(.processNotFound))
            case .truoraChecks, .truoraBatch: result.record.fail("check_not_found", Message(.checkNotFound))
            }
            result.record.nextPoll = nil
        } catch {
            // A failed look changes nothing but when to look again.
            result.failure = error
            result.record.nextPoll = now + caller.nextWait(status: record.remoteStatus ?? "", polls: record.polls)
        }
        return result
    }
}
