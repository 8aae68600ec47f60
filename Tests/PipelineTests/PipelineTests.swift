import CheckInputs
import Foundation
@testable import Pipeline
import ProviderAPI
import Sandbox
import Spreadsheet
import Testing
import TestSupport

func reportRows(_ path: String) throws -> [[String: String]] { try SheetTable.rows(path) }

@Suite("the run pipeline against the sandbox")
struct RunEngineTests {
    @Test("every valid row becomes one check, failed rows fail with their code, counts balance")
    func sendsEachValidRowOnce() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 40, bad: 3)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            #expect(result.summary.rowsRead == 43)
            #expect(result.summary.ok == 40 && result.summary.failed == 3)
            #expect(result.summary.byCode == ["date_invalid": 3])
            #expect(result.exitCode == 2)
            #expect(harness.sandbox.statistics.checksCreated == 40)
            #expect(harness.sandbox.statistics.duplicates == 0)
            let rows = try reportRows(result.summary.report)
            #expect(rows.count == 43)
            #expect(rows.map { $0["idbatch_row"] } == (2...44).map { String($0) })
            #expect(Set(rows.prefix(40).compactMap { $0["check_id"] }).count == 40)
            #expect(rows.suffix(3).allSatisfy { $0["idbatch_status"] == "failed" && $0["check_id"] == "" })
            // The error file holds only the failed rows, in the input's columns plus the error columns.
            let errors = try reportRows(harness.folder + "/people.errors.csv")
            #expect(errors.count == 3 && errors.allSatisfy { $0["idbatch_error_code"] == "date_invalid" })
        }
    }

    @Test("the same file again sends nothing and writes the same report")
    func rerunSendsNothing() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 25)
            let ledger = try Ledger(directory: harness.state)
            let first = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            let firstRows = try reportRows(first.summary.report)
            let requests = harness.sandbox.statistics.requests
            let second = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            #expect(second.summary.requests.isEmpty)
            #expect(harness.sandbox.statistics.requests == requests)
            #expect(try reportRows(second.summary.report) == firstRows)
            #expect(second.exitCode == 0)
        }
    }

    @Test("rows left `sent` by a crash are looked up, not created again")
    func crashedRowsAreLookedUp() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 30)
            let ledger = try Ledger(directory: harness.state)
            _ = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.checksCreated == 30)
            // As if the process had died after sending every row but before recording the answers.
            let fileID = try ledger.registerFile(sha256: try FileDigest.sha256(path: input), path: input)
            var records = try ledger.records(fileID: fileID, mode: "truora-checks", after: 0, limit: 100)
            for index in records.indices {
                records[index].state = .sent
                records[index].remoteID = nil
            }
            try ledger.save(records)
            let again = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            #expect(again.summary.ok == 30)
            #expect(again.summary.requests["checks_found"] == 30 && again.summary.requests["checks_created"] == nil)
            #expect(harness.sandbox.statistics.checksCreated == 30 && harness.sandbox.statistics.duplicates == 0)
        }
    }

    @Test("a Trulioo init (the seed's platform-v2 routes) left `sent` is reported unknown and never sent blindly again")
    func truliooUnknownIsNotResent() async throws {
        try await PipelineHarness.with(strict: false) { harness in
            let input = try harness.peopleCSV("people.csv", count: 6)
            let ledger = try Ledger(directory: harness.state)
            var configuration = harness.configuration(.trulioo)
            configuration.truliooAPI = .platformV2
            _ = try await harness.engine(configuration, ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.truliooUserStatesCreated == 6)
            let fileID = try ledger.registerFile(sha256: try FileDigest.sha256(path: input), path: input)
            var records = try ledger.records(fileID: fileID, mode: "trulioo", after: 0, limit: 100)
            records[0].state = .sent
            records[0].remoteID = nil
            try ledger.save([records[0]])
            let again = try await harness.engine(configuration, ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.truliooUserStatesCreated == 6)
            #expect(again.summary.pending == 1 && again.summary.byCode["outcome_unknown"] == 1)
            let row = try #require(try reportRows(again.summary.report).first)
            #expect(row["idbatch_status"] == "pending")
            #expect(row["idbatch_error_message"]?.contains("external id idbatch-") == true)
        }
    }

    @Test("checks still running are pending; collect finishes them and rewrites the report")
    func collectFinishesPendingRows() async throws {
        // At speed 6 a check takes 10 s: a run that does not wait leaves its rows pending (all of
        // them, unless the machine is slow enough, as under a sanitizer, for early ones to finish).
        try await PipelineHarness.with(speed: 6) { harness in
            let input = try harness.peopleCSV("people.csv", count: 12)
            let ledger = try Ledger(directory: harness.state)
            let run = try await harness.engine(harness.configuration(wait: .zero), ledger: ledger).run(input: input)
            #expect(run.summary.pending >= 1 && run.summary.pending + run.summary.ok == 12 && run.exitCode == 2)
            // collect looks until every check has its result (it returns as soon as they do).
            var collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            collector.wait = .seconds(60)
            let collected = try await collector.collect()
            #expect(collected.count == 1)
            let summary = try #require(collected.first?.result.summary)
            #expect(summary.ok == 12 && summary.pending == 0)
            #expect(try reportRows(run.summary.report).allSatisfy { $0["check_status"] == "completed" })
            #expect(harness.sandbox.statistics.checksCreated == 12)
            // Nothing left: a second collect has nothing to do.
            #expect(try await collector.collect().isEmpty)
        }
    }

    @Test("collect names an input that changed and writes its results by row number")
    func collectWithMovedInput() async throws {
        try await PipelineHarness.with(speed: 20) { harness in
            let input = try harness.peopleCSV("people.csv", count: 5)
            let ledger = try Ledger(directory: harness.state)
            _ = try await harness.engine(harness.configuration(wait: .zero), ledger: ledger).run(input: input)
            try FileManager.default.removeItem(atPath: input)
            try await Task.sleep(for: .seconds(3.5))
            let collected = try await Collector(ledger: ledger, providers: harness.providers, control: RunControl())
                .collect()
            let item = try #require(collected.first)
            #expect(item.inputProblem?.contains("no longer there") == true)
            let rows = try reportRows(item.result.summary.report)
            #expect(rows.map { $0["idbatch_row"] } == ["2", "3", "4", "5", "6"])
            #expect(rows.allSatisfy { $0["idbatch_status"] == "ok" })
        }
    }

    @Test("a custom type of the account runs; a type the account does not have fails its rows before any call")
    func customTypes() async throws {
        try await PipelineHarness.with { harness in
            let truora = try #require(harness.providers.truora)
            _ = try await truora.createCustomType(country: "CO", type: "identity-alert",
                                                  weights: ["personal_identity": 0.5, "alert_in_media": 0.5])
            let input = try harness.peopleCSV("people.csv", count: 5)
            var configuration = harness.configuration()
            configuration.settings.type = "identity-alert"
            let ran = try await harness.engine(configuration, ledger: try Ledger(directory: harness.state + "-1"))
                .run(input: input)
            #expect(ran.summary.ok == 5 && ran.summary.requests["config_looks"] == 1)
            let checkID = try #require(try reportRows(ran.summary.report).first?["check_id"])
            #expect(try await truora.getCheck(checkID).check.type == "identity-alert")

            configuration.settings.type = "beat-identity"
            let refused = try await harness.engine(configuration, ledger: try Ledger(directory: harness.state + "-2"))
                .run(input: input)
            #expect(refused.summary.failed == 5 && refused.summary.byCode == ["value_not_allowed": 5])
            #expect(try reportRows(refused.summary.report).allSatisfy {
                $0["idbatch_error_message"]?.contains("not person, vehicle, company or a custom type") == true
            })
            #expect(harness.sandbox.statistics.checksCreated == 5)
        }
    }

    @Test("a dry run makes no request and counts what a run would bill")
    func dryRun() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 10, bad: 2)
            var configuration = harness.configuration()
            configuration.dryRun = true
            let result = try await harness.engine(configuration, ledger: Ledger()).run(input: input)
            #expect(harness.sandbox.statistics.requests.isEmpty)
            #expect(result.summary.wouldBill == ["checks": 10])
            #expect(result.summary.skipped == 10 && result.summary.failed == 2)
            #expect(result.exitCode == 2)
        }
    }

    @Test("a provider that is down opens the circuit: the rest is skipped, reports written, exit 69")
    func circuitBreaker() async throws {
        try await PipelineHarness.with(faults: "503:100%") { harness in
            let input = try harness.peopleCSV("people.csv", count: 60)
            var configuration = harness.configuration()
            configuration.circuitBreakerThreshold = 5
            configuration.concurrency = 2
            let result = try await harness.engine(configuration, ledger: try Ledger(directory: harness.state))
                .run(input: input)
            #expect(result.exitCode == 69)
            #expect(result.summary.stopped == "circuit_open")
            #expect(result.summary.rowsRead == 60)
            #expect(result.summary.skipped > 40)
            #expect(result.summary.byCode["circuit_open"] == result.summary.skipped)
            #expect(harness.sandbox.statistics.checksCreated == 0)
        }
    }
}

@Suite("the ledger")
struct LedgerTests {
    @Test("state folder 0700, key and database 0600, and no ID in clear in the database")
    func privateAndHashed() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 5)
            let ledger = try Ledger(directory: harness.state)
            _ = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
            var info = stat()
            #expect(stat(harness.state, &info) == 0 && info.st_mode & 0o777 == 0o700)
            #expect(stat(harness.state + "/ledger.key", &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(stat(harness.state + "/ledger.sqlite", &info) == 0 && info.st_mode & 0o777 == 0o600)
            let text = try String(contentsOfFile: input, encoding: .utf8)
            let ids = text.split(separator: "\n").dropFirst().map { String($0.prefix(10)) }
            for name in ["ledger.sqlite", "ledger.sqlite-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: harness.state + "/" + name))) ?? Data()
                let content = String(decoding: bytes, as: UTF8.self)
                #expect(!ids.contains { content.contains($0) }, "\(name) holds an ID in clear")
            }
        }
    }

    @Test("the same inputs give the same keyed hash; another key gives another")
    func keyedHash() throws {
        let one = Ledger(), two = Ledger()
        let inputs = [("national_id", "1020304050"), ("country", "CO")]
        #expect(one.inputHash(inputs) == one.inputHash(inputs))
        #expect(one.inputHash(inputs) != two.inputHash(inputs))
        #expect(!one.inputHash(inputs).contains("1020304050"))
    }

    @Test("durations as the command line writes them", arguments: [
        ("90s", 90), ("10m", 600), ("2h", 7_200), ("0s", 0), ("1d", 86_400),
    ])
    func durations(text: String, seconds: Int) {
        #expect(DurationText.parse(text) == .seconds(seconds))
    }

    @Test("not durations", arguments: ["", "10", "m", "-1s", "1.5h", "10x"])
    func notDurations(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}

