import Foundation
import Sandbox
import Testing
import TestSupport

/// `idbatch run --provider truora-di|truora-whatsapp` and `idbatch collect`, the built binary
/// against a sandbox in the test process (so collect finds the processes the run started).
@Suite("verification links and WhatsApp messages, end to end", .serialized)
struct ProcessCommandTests {
    static let samples = ValidateCommandTests.samples

    @Test("the Colombian sample gets a link per valid row (a company's NIT and an unknown type fail); a rerun makes none; collect writes the outcomes")
    func links() async throws {
        let sandbox = try await ExternalSandbox.start(speed: 600)
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let arguments = ["run", "\(Self.samples)/personas-co.xlsx", "--job", "\(Self.samples)/verificacion-co.job.yaml",
                         "--state", out + "/state", "--out", out, "--json"]
        let run = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(run.exitCode == 2, "\(run.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        // Pending, unless the machine is slow enough (as under a sanitizer) for the run's one look,
        // a second after each link, to find the sandbox's people already done.
        #expect(summary["failed"] as? Int == 2 && (summary["ok"] as? Int ?? 0) + (summary["pending"] as? Int ?? 0) == 10)
        #expect(summary["billable_requests"] as? Int == 10)
        #expect(sandbox.stats.webKeysCreated == 10)
        var rows = try SheetTable.rows(out + "/personas-co.report.xlsx")
        #expect(rows.filter { $0["verification_url"]?.contains("/identity/?token=") == true }.count == 10)
        // The link's token is a key: it is in the report for the person, never on the console.
        let token = try #require(rows[0]["verification_url"]?.split(separator: "=").last)
        #expect(!run.stderr.contains(token) && !run.stdout.contains(token))

        let again = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(again.exitCode == 2)
        #expect(sandbox.stats.webKeysCreated == 10 && sandbox.stats.mostProcessesForOneAccount == 1)

        // 600 sandbox seconds pass in one second here; collect waits for the processes to end.
        let collect = try await CommandRunner.running(["collect", "--state", out + "/state", "--wait", "20s"],
                                                      environment: sandbox.environment)
        // 2: NIT and XX failed validation and stay failed. (0 when there was nothing left: on a
        // machine slow enough, as under ThreadSanitizer, the rerun's one look already saw every end.)
        #expect([0, 2].contains(collect.exitCode), "\(collect.stderr)")
        rows = try SheetTable.rows(out + "/personas-co.report.xlsx")
        let statuses = rows.compactMap { $0["process_status"] }.filter { !$0.isEmpty }
        #expect(statuses.count == 10 && !statuses.contains("pending"))
        #expect(rows.filter { $0["idbatch_status"] == "ok" }.count == 10)
    }

    @Test("a run without its flow, redirect or outbound stops before any call and names what is missing")
    func missing() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let di = try await CommandRunner.running(
            ["run", "\(Self.samples)/personas-co.xlsx", "--provider", "truora-di", "--country", "CO",
             "--state", out + "/state", "--out", out], environment: sandbox.environment)
        #expect(di.exitCode == 64)
        #expect(di.stderr.contains("--flow-id (digital_identity: flow_id)")
                && di.stderr.contains("--redirect-url (digital_identity: redirect_url)"))
        let whatsapp = try await CommandRunner.running(
            ["run", "\(Self.samples)/personas-co.xlsx", "--provider", "truora-whatsapp", "--country", "CO",
             "--flow-id", "IPF1", "--state", out + "/state", "--out", out], environment: sandbox.environment)
        #expect(whatsapp.exitCode == 64 && whatsapp.stderr.contains("--outbound-id"))
        #expect(sandbox.stats.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out + "/personas-co.report.xlsx"))
    }

    @Test("WhatsApp with --sandbox: one message per row that consents, variables from a {{.name}} column")
    func whatsApp() async throws {
        let out = try CommandRunner.scratchDirectory()
        let input = out + "/mensajes.csv"
        try "Nombre,Celular,Autoriza,{{.name}}\nAna,3001234560,sí,Ana\nEva,3001234561,no,Eva\n"
            .write(toFile: input, atomically: true, encoding: .utf8)
        let run = try await CommandRunner.running(
            ["run", input, "--provider", "truora-whatsapp", "--country", "CO", "--outbound-id", "OTBbienvenida",
             "--flow-id", "IPFonboarding", "--sandbox", "--state", out + "/state", "--out", out, "--json"])
        #expect(run.exitCode == 2, "\(run.stderr)")
        let rows = try SheetTable.rows(out + "/mensajes.report.csv")
        // Truora's send answer names no process: the row waits until its process is found by account.
        #expect(rows[0]["process_id"] == "" && rows[0]["idbatch_status"] == "pending")
        #expect(rows[0]["idbatch_error_code"] == "process_waiting" && rows[0]["account_id"]?.hasPrefix("idbatch-") == true)
        #expect(run.stdout.contains("\"process_matching\""))
        #expect(rows[1]["idbatch_error_code"] == "consent_refused")
    }
}
