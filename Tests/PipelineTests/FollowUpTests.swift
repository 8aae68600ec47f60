import CheckInputs
import Foundation
@testable import Pipeline
import ProviderAPI
import Sandbox
import Testing

@Suite("PDFs and continuous checks for finished checks")
struct FollowUpTests {
    static let enrolls = "POST /v1/continuous-checks"

    func configuration(_ harness: PipelineHarness, _ mode: Provider = .truoraChecks, pdf: Bool = true,
                       continuous: Bool = true, wait: Duration = .seconds(60)) -> RunConfiguration {
        // A run returns once every check, PDF and enrollment is done; the long wait only matters on
        // a slow machine (under ThreadSanitizer a run of 9 rows with both follow-ups took over 10 s).
        var configuration = harness.configuration(mode, wait: wait)
        configuration.followUps = FollowUpPlan(pdf: pdf, frequency: continuous ? "monthly" : nil,
                                               until: continuous ? "2030-12-31" : nil)
        return configuration
    }

    @Test("each finished check's PDF is in NAME.pdf/ (0600) and linked; each is enrolled once, also across a rerun",
          arguments: [Provider.truoraChecks, .truoraBatch])
    func pdfsAndContinuous(mode: Provider) async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 9, bad: 2)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(configuration(harness, mode), ledger: ledger).run(input: input)
            #expect(result.summary.ok == 9 && result.summary.failed == 2)
            let rows = try reportRows(result.summary.report)
            let pdfs = rows.prefix(9).compactMap { $0["pdf"] }
            #expect(pdfs.count == 9 && pdfs.allSatisfy { $0.hasPrefix("people.pdf/CHK") && $0.hasSuffix(".pdf") })
            for (row, pdf) in zip(rows, pdfs) {
                #expect(pdf == "people.pdf/\(row["check_id"] ?? "").pdf")
                let path = harness.folder + "/" + pdf
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect((attributes[.posixPermissions] as? Int) == 0o600)
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)).starts(with: Data("%PDF-".utf8)))
            }
            let ids = rows.prefix(9).compactMap { $0["continuous_check_id"] }
            #expect(Set(ids).count == 9 && ids.allSatisfy { $0.hasPrefix("CCK") })
            #expect(rows.suffix(2).allSatisfy { $0["pdf"] == "" && $0["continuous_check_id"] == "" })
            #expect(harness.sandbox.statistics.count(Self.enrolls, status: 201) == 9)

            let again = try await harness.engine(configuration(harness, mode), ledger: ledger).run(input: input)
            #expect(again.summary.requests.isEmpty)
            #expect(harness.sandbox.statistics.count(Self.enrolls) == 9)
            #expect(try reportRows(again.summary.report) == rows)
        }
    }

    @Test("rows with their own frequency and end date columns are enrolled as they say; the others are not",
          arguments: [Provider.truoraChecks, .truoraBatch])
    func perRowContinuous(mode: Provider) async throws {
        try await PipelineHarness.with { harness in
            let path = harness.folder + "/monitoreo.csv"
            try """
                national_id,first_name,last_name,user_authorized,Frecuencia,Fecha fin
                1020304050,Ana,Pérez,sí,monthly,31/12/2030
                1020304061,Luis,Díaz,sí,2w,2031-01-31
                1020304072,Eva,Ruiz,sí,,
                1020304083,Juan,Gil,sí,weekly,
                1020304094,Rosa,Paz,sí,daily,2020-01-01
                1020304005,Inés,Sol,sí,hourly,2030-12-31

                """.write(toFile: path, atomically: true, encoding: .utf8)
            let ledger = try Ledger(directory: harness.state)
            let result = try await harness.engine(configuration(harness, mode, pdf: false, continuous: false), ledger: ledger)
                .run(input: path)
            #expect(result.summary.ok == 3 && result.summary.failed == 3)
            #expect(result.summary.byCode == ["input_missing": 1, "value_not_allowed": 2])
            let rows = try reportRows(result.summary.report)
            #expect(rows[0]["continuous_check_id"]?.hasPrefix("CCK") == true)
            #expect(rows[1]["continuous_check_id"]?.hasPrefix("CCK") == true)
            #expect(rows[2]["continuous_check_id"] == "" && rows[2]["idbatch_status"] == "ok")
            #expect(rows[3]["idbatch_error_message"]?.contains("needs both frequency and end_date") == true)
            #expect(rows[4]["idbatch_error_message"]?.contains("not after today") == true)
            #expect(rows[5]["idbatch_error_message"]?.contains("frequency must be daily, weekly") == true)
            #expect(harness.sandbox.statistics.count(Self.enrolls, status: 201) == 2)
            // The same file again enrolls no one twice.
            _ = try await harness.engine(configuration(harness, mode, pdf: false, continuous: false), ledger: ledger)
                .run(input: path)
            #expect(harness.sandbox.statistics.count(Self.enrolls) == 2)
        }
    }

    @Test("an enrollment whose answer was lost is found in Truora's list, not made again")
    func lostEnrollment() async throws {
        try await PipelineHarness.with { harness in
            let input = try harness.peopleCSV("people.csv", count: 5)
            let ledger = try Ledger(directory: harness.state)
            let first = try await harness.engine(configuration(harness, pdf: false), ledger: ledger).run(input: input)
            let before = try reportRows(first.summary.report).map { $0["continuous_check_id"] }
            let fileID = try ledger.registerFile(sha256: try FileDigest.sha256(path: input), path: input)
            var records = try ledger.records(fileID: fileID, mode: "truora-checks", after: 0, limit: 10)
            // As if the process had died in the create calls of rows 2 and 4.
            records[1].continuousID = "enrolling"
            records[3].continuousID = "enrolling"
            try ledger.save(records)
            let again = try await harness.engine(configuration(harness, pdf: false), ledger: ledger).run(input: input)
            #expect(try reportRows(again.summary.report).map { $0["continuous_check_id"] } == before)
            #expect(again.summary.requests == ["continuous_check_lists": 1])
            #expect(harness.sandbox.statistics.count(Self.enrolls) == 5)
        }
    }

    @Test("a PDF not ready when the run ends is pending on an ok row; collect downloads it")
    func pdfLater() async throws {
        // PDFs take 3,600 sandbox seconds (6 s) after their check; the run looks for 3 s. On a slow
        // machine (as under a sanitizer) a check may still be running then: it is pending, and
        // collect finishes it too. At least one finished check has its PDF pending.
        try await PipelineHarness.with(sandbox: { $0.pdfDelay = 3_600 }) { harness in
            let input = try harness.peopleCSV("people.csv", count: 4)
            let ledger = try Ledger(directory: harness.state)
            let run = try await harness.engine(configuration(harness, continuous: false, wait: .seconds(3)),
                                               ledger: ledger).run(input: input)
            let pending = run.summary.byCode["pdf_pending"] ?? 0
            #expect(pending >= 1 && run.summary.ok + run.summary.pending == 4)
            #expect(try reportRows(run.summary.report).filter { $0["idbatch_status"] == "ok" && $0["pdf"] == "" }.count
                    == pending)
            // collect looks until every PDF is there (it returns as soon as they are).
            var collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            collector.wait = .seconds(60)
            let collected = try await collector.collect()
            let summary = try #require(collected.first?.result.summary)
            #expect(summary.ok == 4 && summary.byCode.isEmpty)
            let rows = try reportRows(run.summary.report)
            #expect(rows.allSatisfy {
                FileManager.default.fileExists(atPath: harness.folder + "/" + ($0["pdf"] ?? "-"))
            })
            #expect(try await collector.collect().isEmpty)
        }
    }

    @Test("a database down before sending is a warning in the summary; --wait-healthy waits it out")
    func healthPreflight() async throws {
        try await PipelineHarness.with(sandbox: {
            $0.outages = [SandboxConfiguration.Outage(dataSet: "criminal_record")]
        }) { harness in
            let input = try harness.peopleCSV("people.csv", count: 3)
            let warned = try await harness.engine(harness.configuration(), ledger: try Ledger(directory: harness.state))
                .run(input: input)
            #expect(warned.summary.ok == 3)
            #expect(warned.summary.warnings.count == 1)
            #expect(warned.summary.warnings.first?.contains("major_outage") == true)
            #expect(warned.summary.requests["health_looks"] == 1)
        }
        // Down for 3,000 sandbox seconds (5 s at speed 600): the run waits it out, and warns of nothing.
        let began = ContinuousClock.now
        try await PipelineHarness.with(sandbox: {
            $0.outages = [SandboxConfiguration.Outage(dataSet: "criminal_record", until: 3_000)]
        }) { harness in
            let input = try harness.peopleCSV("people.csv", count: 3)
            var configuration = harness.configuration()
            configuration.waitHealthy = .seconds(30)
            configuration.pollCap = .milliseconds(200)
            let waited = try await harness.engine(configuration, ledger: try Ledger(directory: harness.state))
                .run(input: input)
            #expect(waited.summary.ok == 3 && waited.summary.warnings.isEmpty)
            #expect((waited.summary.requests["health_looks"] ?? 0) >= 1)
            #expect(ContinuousClock.now - began >= .seconds(4.9))
        }
    }
}
