import Foundation
import Sandbox
import Testing
import TestSupport

private func table(_ path: String) throws -> [[String: String]] { try SheetTable.rows(path) }

/// Trulioo through Workflow Studio, the built binary against the strict sandbox: faults and kills
/// never make a second session for a person or submit a step twice.
@Suite("trulioo on Workflow Studio, end to end", .serialized)
struct WorkflowStudioCommandTests {
    static let submit = "POST /wfs/interpreter-v2/submit/{flowId}"

    @Test("300 rows through 503s, 429s with Retry-After and resets on submit and session start: every row ok, no person twice")
    func faultMatrix() async throws {
        let sandbox = try await ExternalSandbox.start(
            faults: "503:5%@POST /wfs/interpreter-v2/submit,429:2%:retry-after=1@POST /wfs/interpreter-v2/submit,"
                + "reset:3%@POST /wfs/interpreter-v2/submit,reset:2%@GET /wfs/interpreter-v2/flow",
            latency: "10~5")
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = try people(300, in: out)
        let result = try await CommandRunner.running(
            ["run", input, "--provider", "trulioo", "--country", "CO", "--flow-id", Sandbox.truliooFlowID,
             "--state", out + "/state", "--out", out, "--report-format", "csv", "--concurrency", "16",
             "--retry-base-ms", "50"], environment: sandbox.environment)
        #expect(result.exitCode == 0, "\(result.stderr.suffix(2_000))")
        #expect(result.stderr.contains("300 rows read = 300 ok + 0 failed + 0 pending + 0 skipped"))
        let stats = sandbox.stats
        #expect(stats.truliooUserStatesCreated == 300 && stats.mostUserStatesForOneInput == 1)
        #expect((stats.faults["503"] ?? 0) > 0 && (stats.faults["reset"] ?? 0) > 0)
        let rows = try table(out + "/people.report.csv")
        #expect(rows.count == 300 && rows.allSatisfy { $0["trulioo_step"] == "end" })
        #expect(Set(rows.compactMap { $0["user_state_id"] }).count == 300)
    }

    @Test("kill -9 in the middle, then a rerun: every row ok, no person's session started or submitted twice",
          arguments: [0.6, 1.5])
    func killAndResume(after seconds: Double) async throws {
        let sandbox = try await ExternalSandbox.start(latency: "25")
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = try people(200, in: out)
        let arguments = ["run", input, "--provider", "trulioo", "--country", "CO", "--flow-id", Sandbox.truliooFlowID,
                         "--state", out + "/state", "--out", out + "/out", "--report-format", "csv",
                         "--concurrency", "8"]
        let running = try CommandRunner.start(arguments, environment: sandbox.environment)
        try await Task.sleep(for: .seconds(seconds))
        running.signal(SIGKILL)
        _ = await running.finished()
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out + "/out")) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp-") })
        let rerun = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(rerun.exitCode == 0, "\(rerun.stderr.suffix(2_000))")
        let stats = sandbox.stats
        #expect(stats.truliooUserStatesCreated == 200 && stats.mostUserStatesForOneInput == 1)
        // Each person's two forms were taken once: what a kill cut off was looked at, not sent again.
        #expect(stats.count(Self.submit, status: 200) == 400)
        let rows = try table(out + "/out/people.report.csv")
        #expect(rows.count == 200 && rows.allSatisfy { $0["idbatch_status"] == "ok" && $0["trulioo_step"] == "end" })
    }
}
