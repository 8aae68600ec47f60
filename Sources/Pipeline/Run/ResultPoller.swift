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
    }

    /// Polls `fileID`'s open rows until none is left, `deadline` passes or the run is stopped.
    /// With `everyRowOnce`, looks at every open row once now, whatever its schedule (`collect`).
    func poll(fileID: Int64, mode: String, until deadline: ContinuousClock.Instant, everyRowOnce: Bool = false,
              observe: @Sendable (Int) -> Void = { _ in }) async throws(PipelineError) -> Tally {
        var tally = Tally()
        while !control.isStopped {
            let now = Date().timeIntervalSince1970
            var after = 0
            while !control.isStopped {
                let due = try ledger.due(fileID: fileID, mode: mode, now: everyRowOnce ? .greatestFiniteMagnitude : now,
                                         after: after, limit: 512)
                guard let last = due.last else { break }
                after = last.sourceRow
                let results = await Self.bounded(due, limit: concurrency) { record in await look(record) }
                try ledger.save(results.map(\.record))
                for result in results {
                    for (kind, count) in result.requests { tally.requests[kind, default: 0] += count }
                    if result.record.state != .acknowledged { tally.finished += 1 }
                    if let failure = result.failure, failure.stableCode == "credentials_refused" {
                        control.stop(.credentialsRefused)
                    }
                }
                observe(tally.finished)
            }
            if everyRowOnce { break }
            guard let earliest = try ledger.earliestPoll(fileID: fileID, mode: mode) else { break }
            let clock = ContinuousClock()
            guard clock.now < deadline else { break }
            let wake = min(deadline, clock.now + .seconds(max(0, earliest - Date().timeIntervalSince1970)))
            // Short naps, so a stop is noticed within a quarter of a second.
            while clock.now < wake, !control.isStopped {
                try? await Task.sleep(for: min(.milliseconds(250), wake - clock.now))
            }
            if clock.now >= deadline { break }
        }
        return tally
    }

    /// One look at one row's result.
    private func look(_ record: LedgerRecord) async -> RowCallResult {
        var result = RowCallResult(record: record)
        let unchanged = result
        guard let remoteID = record.remoteID else { return result }
        result.record.polls += 1
        let now = Date().timeIntervalSince1970
        do {
            switch caller.mode {
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
            }
        } catch {
            // A failed look changes nothing but when to look again.
            result.failure = error
            result.record.nextPoll = now + caller.nextWait(status: record.remoteStatus ?? "", polls: record.polls)
        }
        return result
    }

    /// Runs `body` on every item with at most `limit` at once; results in the items' order.
    static func bounded<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async -> R)
        async -> [R]
    {
        await withTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next
                group.addTask { (index, await body(items[index])) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < items.count {
                    let index = next
                    group.addTask { (index, await body(items[index])) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
