import CheckInputs
import Foundation
import ProviderAPI
import Spreadsheet

/// What to do with each finished Truora check besides reading its result.
public struct FollowUpPlan: Codable, Sendable, Equatable {
    /// Download the check's PDF into `NAME.pdf/` beside the report.
    public var pdf = false
    /// Enroll the check as a continuous check this often (`daily`, `weekly`, `monthly`, `yearly`,
    /// `3d`, `2w`, `6m`, `1y`), until `until` (YYYY-MM-DD).
    public var frequency: String?
    public var until: String?
    /// Rows carry their own `frequency` and `end_date` columns.
    public var perRow: Bool?

    public init(pdf: Bool = false, frequency: String? = nil, until: String? = nil) {
        self.pdf = pdf
        self.frequency = frequency
        self.until = until
    }

    public var continuous: Bool { frequency != nil && until != nil }
    public var isEmpty: Bool { !pdf && !continuous && perRow != true }
    /// Whether the report has a `continuous_check_id` column.
    public var enrolls: Bool { continuous || perRow == true }
}

/// Downloads the PDFs and enrolls the continuous checks a run asked for, for every row whose check
/// finished, a page of the ledger at a time with a bounded number of calls in flight. A PDF that
/// is not ready yet is looked for again until `deadline` (then by `collect`). A continuous check is
/// marked `enrolling` in the ledger before it is created, so one whose answer was lost is found in
/// Truora's list instead of being created twice.
struct FollowUps: Sendable {
    let ledger: Ledger
    let client: TruoraClient
    let plan: FollowUpPlan
    let control: RunControl
    let concurrency: Int
    /// The report's folder, and the PDFs' folder name within it (`NAME.pdf`).
    let outDirectory: String
    let pdfFolder: String
    let retryWait: Duration

    func run(fileID: Int64, mode: String, until deadline: ContinuousClock.Instant,
             observe: @Sendable (Int) -> Void = { _ in }) async throws(PipelineError) -> [String: Int]
    {
        var requests: [String: Int] = [:]
        var done = 0
        let clock = ContinuousClock()
        while !control.isStopped {
            let waiting = try await pass(fileID: fileID, mode: mode, requests: &requests, done: &done,
                                         observe: observe)
            guard waiting, clock.now < deadline else { break }
            let wake = min(deadline, clock.now + retryWait)
            await control.nap(until: wake)
        }
        return requests
    }

    /// One pass over every row with something to do; true when some PDF was not ready yet.
    private func pass(fileID: Int64, mode: String, requests: inout [String: Int], done: inout Int,
                      observe: @Sendable (Int) -> Void) async throws(PipelineError) -> Bool
    {
        var waiting = false
        var after = 0
        var enrolledMap: [String: String]?
        var lookedUp = false
        while !control.isStopped {
            let page = try ledger.followUps(fileID: fileID, mode: mode, after: after, limit: 256)
            guard let last = page.last else { break }
            after = last.sourceRow
            if plan.enrolls {
                if !lookedUp, page.contains(where: { $0.continuousID == "enrolling" }) {
                    lookedUp = true
                    enrolledMap = try? await enrolled()
                    requests["continuous_check_lists", default: 0] += 1
                }
                // Written before any create: a run that dies in the call finds it in Truora's list.
                let marked = page.filter { $0.continuousID == "wanted" }.map { record -> LedgerRecord in
                    var record = record
                    record.continuousID = "enrolling"
                    return record
                }
                try ledger.save(marked)
            }
            let lookup = enrolledMap
            let results = await withTaskGroup(of: (LedgerRecord, [String: Int]).self) { group in
                var results: [(LedgerRecord, [String: Int])] = []
                var inFlight = 0
                for record in page {
                    if inFlight >= max(1, concurrency), let result = await group.next() {
                        results.append(result)
                        inFlight -= 1
                    }
                    group.addTask { await followUp(record, enrolled: lookup) }
                    inFlight += 1
                }
                while let result = await group.next() { results.append(result) }
                return results
            }
            try ledger.save(results.map(\.0))
            for (record, made) in results {
                for (kind, count) in made { requests[kind, default: 0] += count }
                if record.pdf == "asked" { waiting = true } else { done += 1 }
            }
            observe(done)
        }
        return waiting
    }

    /// The continuous checks Truora has, by the check they follow (only read when an earlier run
    /// may have enrolled a check without hearing back).
    func enrolled() async throws(ProviderError) -> [String: String] {
        var byCheck: [String: String] = [:]
        var startKey: String?
        repeat {
            let page = try await client.listContinuousChecks(startKey: startKey)
            for item in page.continuousChecks {
                if let checkID = item.check?.checkID { byCheck[checkID] = item.continuousCheckID }
            }
            startKey = TruoraClient.startKey(fromNext: page.next)
        } while startKey != nil && !control.isStopped
        return byCheck
    }

    /// One row's follow-ups; never throws: a failure is kept on the record for the report.
    func followUp(_ initial: LedgerRecord, enrolled: [String: String]?) async -> (LedgerRecord, [String: Int]) {
        var record = initial
        var requests: [String: Int] = [:]
        guard let checkID = record.remoteID else { return (record, requests) }
        record.clearError()
        if plan.pdf, record.pdf == "wanted" || record.pdf == "asked" {
            do throws(ProviderError) {
                if record.pdf == "wanted" {
                    _ = try await client.createPDF(checkID)
                    requests["pdfs_created", default: 0] += 1
                    record.pdf = "asked"
                }
                let bytes = try await client.downloadPDF(checkID)
                requests["pdf_downloads", default: 0] += 1
                let name = "\(pdfFolder)/\(checkID).pdf"
                do {
                    try PrivateFile.write(bytes, to: "\(outDirectory)/\(name)")
                    record.pdf = name
                } catch {
                    record.errorCode = "pdf_not_written"
                    record.errorMessage = StoredMessage.encode(Message(.pdfNotWritten, "\(outDirectory)/\(pdfFolder)"))
                }
            } catch where error.status == 404 {
                requests["pdf_downloads", default: 0] += 1
                record.errorCode = "pdf_pending"
                record.errorMessage = StoredMessage.encode(Message(.pdfPending))
            } catch {
                record.errorCode = "pdf_failed"
                record.errorMessage = StoredMessage.encode(Message(.pdfFailed, error.description))
            }
        }
        if let frequency = record.continuousFrequency ?? plan.frequency, let until = record.continuousUntil ?? plan.until,
            record.continuousID == "wanted" || record.continuousID == "enrolling"
        {
            if initial.continuousID == "enrolling" {
                // An earlier run may have enrolled it: only Truora's list tells (none when it could not be read).
                if let existing = enrolled?[checkID] {
                    record.continuousID = existing
                } else if enrolled == nil {
                    record.continuousID = "enrolling"
                } else {
                    record.continuousID = "wanted"
                }
            }
            if record.continuousID == "wanted" {
                do throws(ProviderError) {
                    let created = try await client.createContinuousCheck(
                        checkID: checkID, frequency: frequency, endDate: until)
                    requests["continuous_checks_created", default: 0] += 1
                    record.continuousID = created.continuousCheckID
                } catch {
                    requests["continuous_checks_created", default: 0] += 1
                    if error.kind == .ambiguous {
                        record.continuousID = "enrolling"  // looked up in Truora's list next time
                    } else {
                        record.continuousID = nil
                        record.errorCode = "continuous_failed"
                        record.errorMessage = StoredMessage.encode(Message(.continuousFailed, error.description))
                    }
                }
            }
        }
        return (record, requests)
    }
}
