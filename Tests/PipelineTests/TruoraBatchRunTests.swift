import CheckInputs
import Foundation
@testable import Pipeline
import ProviderAPI
import Sandbox
import Testing

@Suite("truora-batch runs against the sandbox")
struct TruoraBatchRunTests {
    static let creates = "POST /v1/batches"
    static let starts = "POST /v1/batches/{id}/start"

    func configuration(_ harness: PipelineHarness, batchSize: Int, wait: Duration = .seconds(20)) -> RunConfiguration {
        var configuration = harness.configuration(.truoraBatch, wait: wait)
        configuration.batchSize = batchSize
        return configuration
    }

    @Test("2,500 rows in batches of 1,000: three batches, every row in the report with its check, none twice")
    func threeBatches() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 2_500, bad: 4)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(configuration(harness, batchSize: 1_000), ledger: ledger)
                .run(input: input)
            let stats = harness.sandbox.statistics
            #expect(stats.count(Self.creates, status: 201) == 3)
            #expect(stats.count(Self.starts, status: 200) == 3)
            #expect(stats.checksCreated == 2_500 && stats.duplicates == 0)
            #expect(stats.count("POST /v1/checks") == 0)
            #expect(result.summary.rowsRead == 2_504)
            #expect(result.summary.ok == 2_500 && result.summary.failed == 4 && result.summary.pending == 0)
            #expect(result.summary.requests["checks_created"] == 2_500)
            #expect(result.summary.billableRequests == 2_500)
            let rows = try reportRows(result.summary.report)
            #expect(rows.count == 2_504)
            let batchIDs = rows.prefix(2_500).compactMap { $0["batch_id"] }
            #expect(batchIDs.allSatisfy { $0.hasPrefix("BAT") })
            #expect(Set(batchIDs).count == 3)
            // Sheet order: the first thousand rows are the first batch.
            #expect(Set(batchIDs.prefix(1_000)).count == 1 && batchIDs[999] != batchIDs[1_000])
            #expect(Set(rows.prefix(2_500).compactMap { $0["check_id"] }).count == 2_500)
            #expect(rows.prefix(2_500).allSatisfy { $0["check_status"] == "completed" && $0["score"] != "" })
            #expect(rows.suffix(4).allSatisfy { $0["idbatch_status"] == "failed" && $0["batch_id"] == "" })

            // The same file again: nothing is sent, the report is the same.
            let again = try await harness.engine(configuration(harness, batchSize: 1_000), ledger: ledger)
                .run(input: input)
            #expect(again.summary.requests.isEmpty)
            #expect(harness.sandbox.statistics.count(Self.creates) == 3)
            #expect(try reportRows(again.summary.report) == rows)
        }
    }

    @Test("a run that stops waiting leaves its batches running; a rerun neither uploads nor starts them again")
    func rerunContinuesStartedBatches() async throws {
        // At speed 20 a check takes 3 s: a run that does not wait leaves both batches running.
        try await PipelineHarness.with(speed: 20) { harness in
            let input = try harness.peopleCSV("people.csv", count: 30)
            let ledger = try Ledger(directory: harness.state)
            let first = try await harness.engine(configuration(harness, batchSize: 20, wait: .zero), ledger: ledger)
                .run(input: input)
            #expect(first.summary.pending == 30 && first.summary.byCode == ["batch_running": 30])
            #expect(try reportRows(first.summary.report).allSatisfy { $0["batch_id"]?.hasPrefix("BAT") == true })
            let second = try await harness.engine(configuration(harness, batchSize: 20), ledger: ledger)
                .run(input: input)
            #expect(second.summary.ok == 30)
            let stats = harness.sandbox.statistics
            #expect(stats.count(Self.creates) == 2 && stats.count(Self.starts) == 2)
            #expect(stats.count("PUT /uploads/{token}") == 2)
            #expect(stats.checksCreated == 30 && stats.duplicates == 0)
        }
    }

    @Test("a start whose answer was lost is recognised, not repeated; a create whose answer was lost is replaced")
    func lostAnswers() async throws {
        // Looks at the batches fail until the lost answers are staged, so however slow the machine
        // (as under a sanitizer) no batch moves past `started` before that.
        try await PipelineHarness.with(speed: 20, faults: "503:100%@GET /v1/batches") { harness in
            let input = try harness.peopleCSV("people.csv", count: 10)
            let ledger = try Ledger(directory: harness.state)
            _ = try await harness.engine(configuration(harness, batchSize: 5, wait: .zero), ledger: ledger)
                .run(input: input)
            let fileID = try ledger.registerFile(sha256: try FileDigest.sha256(path: input), path: input)
            var batches = try ledger.batches(fileID: fileID, mode: "truora-batch")
            // On a slow machine a call may time out and leave a batch short of started; running the
            // file again continues it from its step.
            for _ in 0..<8 where !batches.allSatisfy({ $0.step == .started }) {
                _ = try await harness.engine(configuration(harness, batchSize: 5, wait: .zero), ledger: ledger)
                    .run(input: input)
                batches = try ledger.batches(fileID: fileID, mode: "truora-batch")
            }
            #expect(batches.count == 2 && batches.allSatisfy { $0.step == .started })
            // As if the process had died before writing down the first start's answer, and before
            // writing down the second batch's create.
            batches[0].step = .uploaded
            batches[1].step = .planned
            batches[1].remoteID = nil
            try ledger.update(batches[0])
            try ledger.update(batches[1])
            harness.sandbox.setFaults(FaultPlan())
            let before = harness.sandbox.statistics

            let again = try await harness.engine(configuration(harness, batchSize: 5), ledger: ledger)
                .run(input: input)
            #expect(again.summary.ok == 10)
            let stats = harness.sandbox.statistics
            // One more create (the batch whose create was lost), one refused start (the first), one
            // start of the new batch.
            #expect(stats.count(Self.creates) - before.count(Self.creates) == 1)
            #expect(stats.count(Self.starts, status: 200) - before.count(Self.starts, status: 200) == 1)
            #expect(stats.count(Self.starts, status: 400) - before.count(Self.starts, status: 400) == 1)
            // The replaced batch's rows were checked twice at Truora's end, which answers with the same checks.
            #expect(stats.checksCreated == 10 && stats.duplicates == 0)
        }
    }

    @Test("an upload link that expires before the file reaches it: a new batch, and every row checked once")
    func expiredUploadLink() async throws {
        // The link lasts 1,200 sandbox seconds (2 s at speed 600); the first upload takes 3 s. (On a
        // machine slow enough, as under ThreadSanitizer, the second may expire too: each expired
        // link is one more batch, and still only one is started.)
        try await PipelineHarness.with(faults: "slow:first=1:delay=3000@PUT /uploads",
                                       sandbox: { $0.uploadLinkLifetime = 1_200 }) { harness in
            let input = try harness.peopleCSV("people.csv", count: 8)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(configuration(harness, batchSize: 100), ledger: ledger)
                .run(input: input)
            #expect(result.summary.ok == 8)
            let stats = harness.sandbox.statistics
            let expired = stats.count("PUT /uploads/{token}", status: 403)
            #expect(expired >= 1 && stats.count(Self.creates) == expired + 1)
            #expect(stats.count(Self.starts, status: 200) == 1)
            #expect(stats.checksCreated == 8)
        }
    }

    @Test("a failed batch fails its rows with Truora's reason; the other batches go on")
    func failedBatch() async throws {
        try await PipelineHarness.with(sandbox: { $0.batchRowLimit = 5 }) { harness in
            let input = try harness.peopleCSV("people.csv", count: 12)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(configuration(harness, batchSize: 8), ledger: ledger)
                .run(input: input)
            #expect(result.summary.ok == 4 && result.summary.failed == 8)
            #expect(result.summary.byCode == ["batch_failed": 8])
            let rows = try reportRows(result.summary.report)
            #expect(rows.prefix(8).allSatisfy {
                $0["idbatch_error_message"]?.contains("a batch takes at most 5") == true && $0["batch_id"] != ""
            })
            #expect(harness.sandbox.statistics.checksCreated == 4)
            // Failed rows are not sent again by a rerun.
            let again = try await harness.engine(configuration(harness, batchSize: 8), ledger: ledger)
                .run(input: input)
            #expect(again.summary.requests.isEmpty && again.summary.failed == 8)
        }
    }

    @Test("a report line whose ID is not the one uploaded for its row is not used")
    func reportLineForAnotherID() async throws {
        try await PipelineHarness.with(speed: 20) { harness in
            let input = try harness.peopleCSV("people.csv", count: 6)
            let ledger = try Ledger(directory: harness.state)
            _ = try await harness.engine(configuration(harness, batchSize: 6, wait: .zero), ledger: ledger)
                .run(input: input)
            let fileID = try ledger.registerFile(sha256: try FileDigest.sha256(path: input), path: input)
            var batch = try #require(try ledger.batches(fileID: fileID, mode: "truora-batch").first)
            #expect(batch.idColumn == "national_id" && batch.hashes.count == 6)
            // As if the report's lines came back in another order: rows 3 and 4 swapped.
            var hashes = batch.hashes
            hashes.swapAt(2, 3)
            batch.idHashes = String(decoding: try JSONEncoder().encode(hashes), as: UTF8.self)
            try ledger.update(batch)
            let again = try await harness.engine(configuration(harness, batchSize: 6), ledger: ledger)
                .run(input: input)
            #expect(again.summary.ok == 4 && again.summary.byCode == ["batch_report_mismatch": 2])
            let rows = try reportRows(again.summary.report)
            #expect(rows[2]["idbatch_error_message"]?.contains("another national_id") == true)
            #expect(rows[2]["check_id"] == "" && rows[3]["check_id"] == "")
            // No ID in clear in the ledger's batch record.
            #expect(!batch.idHashes.contains(String(rows[2]["national_id"] ?? "-")))
        }
    }

    @Test("collect finishes batches a run left running")
    func collectFinishesBatches() async throws {
        try await PipelineHarness.with(speed: 20) { harness in
            let input = try harness.peopleCSV("people.csv", count: 7)
            let ledger = try Ledger(directory: harness.state)
            let run = try await harness.engine(configuration(harness, batchSize: 4, wait: .zero), ledger: ledger)
                .run(input: input)
            #expect(run.summary.pending == 7)
            var collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            collector.wait = .seconds(15)
            let collected = try await collector.collect()
            let summary = try #require(collected.first?.result.summary)
            #expect(summary.ok == 7 && summary.pending == 0)
            let rows = try reportRows(run.summary.report)
            #expect(rows.allSatisfy { $0["check_status"] == "completed" && $0["batch_id"]?.hasPrefix("BAT") == true })
            #expect(harness.sandbox.statistics.count(Self.creates) == 2)
            #expect(try await collector.collect().isEmpty)
        }
    }
}
