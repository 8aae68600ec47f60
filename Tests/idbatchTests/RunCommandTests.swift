import Foundation
import ProviderAPI
import Sandbox
import Spreadsheet
import Testing
import TestSupport

private func table(_ path: String) throws -> [[String: String]] { try SheetTable.rows(path) }

/// A sandbox in the test process that the built binary is pointed at through the environment,
/// so its counters can be read after the binary has gone.
struct ExternalSandbox {
    let running: RunningSandbox

    /// Strict unless `strict` is false: it answers only what the providers document.
    static func start(speed: Double = 600, faults: String? = nil, latency: String? = nil, strict: Bool = true)
        async throws -> ExternalSandbox
    {
        var configuration = SandboxConfiguration()
        configuration.speed = speed
        configuration.strict = strict
        if let faults { configuration.faults = try FaultPlan(parsing: faults) }
        if let latency { configuration.latency = try #require(SandboxConfiguration.Latency(parsing: latency)) }
        return ExternalSandbox(running: try await Sandbox(configuration: configuration).start())
    }

    var environment: [String: String] {
        ["TRUORA_BASE_URL": running.baseURL, "TRUORA_API_KEY": Sandbox.truoraKey(),
         "TRULIOO_BASE_URL": running.baseURL, "TRULIOO_CLIENT_ID": "sandbox", "TRULIOO_CLIENT_SECRET": "sandbox"]
    }

    var stats: Sandbox.StatsSnapshot { running.sandbox.statistics }

    func stop() async { await running.stop() }
}

/// `count` valid Colombian people with a consent column (IDs ending 0-6: checks that complete).
func people(_ count: Int, in folder: String, name: String = "people.csv", seed: Int = 3) throws -> String {
    var text = "national_id,first_name,last_name,date_of_birth,phone_number,user_authorized\n"
    for index in 0..<count {
        let middle = String(format: "%08d", (index * 7_919 + seed * 104_729) % 100_000_000)
        text += "1\(middle)\(index % 7),Ana,Pérez,1980-01-0\(1 + index % 9),+5731\(String(format: "%08d", index)),sí\n"
    }
    let path = folder + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite("idbatch run and collect, end to end", .serialized)
struct RunCommandTests {
    static let samples = ValidateCommandTests.samples

    @Test("both samples against --sandbox: one report row per input row, statuses as the sandbox decides, 0600")
    func samplesAgainstSandbox() async throws {
        let out = try CommandRunner.scratchDirectory()
        let state = out + "/state"
        let co = try await CommandRunner.running(["run", "\(Self.samples)/personas-co.xlsx", "--job",
                                        "\(Self.samples)/personas-co.job.yaml", "--sandbox", "--state", state,
                                        "--out", out, "--json"])
        #expect(co.exitCode == 2, "\(co.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(co.stdout.utf8)) as? [String: Any])
        #expect(summary["accounting"] as? String == "12 rows read = 3 ok + 9 failed + 0 pending + 0 skipped")
        #expect(summary["billable_requests"] as? Int == 3)
        let rows = try table(out + "/personas-co.report.xlsx")
        #expect(rows.count == 12)
        #expect(rows.map { $0["idbatch_row"] } == (2...13).map { String($0) })
        #expect(rows.filter { $0["idbatch_status"] == "ok" }.map { $0["Número de documento*"] }
                == ["1020304050", "52.123.456", "79865432"])
        // 52.123.456 ends in 6: the sandbox's homonym outcome, a name-only hit.
        #expect(rows[1]["check_status"] == "completed" && rows[1]["name_score"] == "0.5")
        #expect(rows.allSatisfy { $0["idbatch_status"] != "ok" || $0["check_id"]?.hasPrefix("CHK") == true })
        #expect(try table(out + "/personas-co.errors.xlsx").count == 9)
        for name in ["personas-co.report.xlsx", "personas-co.errors.xlsx", "personas-co.summary.json"] {
            var info = stat()
            #expect(stat("\(out)/\(name)", &info) == 0 && info.st_mode & 0o777 == 0o600, "\(name)")
        }
        let workbook = try SpreadsheetReader(path: out + "/personas-co.report.xlsx")
        #expect(workbook.sheets.map(\.name) == ["Reporte", "Resumen"])

        let br = try await CommandRunner.running(["run", "\(Self.samples)/pessoas-br-excel.csv", "--job",
                                        "\(Self.samples)/pessoas-br.job.yaml", "--sandbox", "--state", state,
                                        "--out", out])
        #expect(br.exitCode == 2)
        let brRows = try table(out + "/pessoas-br-excel.report.csv")
        #expect(brRows.map { $0["idbatch_status"] } == ["ok", "ok", "failed", "failed", "failed", "failed"])
        // Nothing a person sees on the console holds a full ID.
        for id in ["1020304050", "79865432", "52998224725", "390.533.447-05", "39053344705"] {
            #expect(!(co.stderr + co.stdout + br.stderr + br.stdout).contains(id), "\(id)")
        }
    }

    @Test("LibreOffice opens the report, its Summary sheet and chart included (where installed)",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")))
    func reportOpensInLibreOffice() async throws {
        let out = try CommandRunner.scratchDirectory()
        let run = try await CommandRunner.running(["run", "\(Self.samples)/personas-co.xlsx", "--job",
                                         "\(Self.samples)/personas-co.job.yaml", "--sandbox", "--state", out + "/state",
                                         "--out", out])
        #expect(run.exitCode == 2)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        process.arguments = ["--headless", "--convert-to", "pdf", "--outdir", out, out + "/personas-co.report.xlsx"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let pdf = try Data(contentsOf: URL(fileURLWithPath: out + "/personas-co.report.pdf"))
        #expect(pdf.starts(with: Data("%PDF".utf8)))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else { return }
        let text = Process()
        text.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        text.arguments = [out + "/personas-co.report.pdf", out + "/report.txt"]
        try text.run()
        text.waitUntilExit()
        // Every sheet is printed: the report's columns, then the Summary with its figures.
        let printed = try String(contentsOfFile: out + "/report.txt", encoding: .utf8)
        #expect(printed.contains("idbatch_status") && printed.contains("Filas por estado"))
        #expect(printed.contains("document_type_unknown"))
    }

    @Test("trulioo on the Colombian sample: a Workflow Studio session and a signed URL per valid row, none twice")
    func truliooSample() async throws {
        let out = try CommandRunner.scratchDirectory()
        let arguments = ["run", "\(Self.samples)/personas-co.xlsx", "--provider", "trulioo", "--country", "CO",
                         "--signed-url", "--sandbox", "--state", out + "/state", "--out", out]
        let first = try await CommandRunner.running(arguments)
        #expect(first.exitCode == 2, "\(first.stderr)")
        let rows = try table(out + "/personas-co.report.xlsx")
        let ok = rows.filter { $0["idbatch_status"] == "ok" }
        #expect(ok.count == 8)
        #expect(ok.allSatisfy { !($0["user_state_id"] ?? "").isEmpty && ($0["signed_url"] ?? "").contains("/s/") })
        #expect(ok.allSatisfy { ["ACCEPTED", "PENDING_REVIEW", "IN_PROGRESS"].contains($0["profile_status"] ?? "") })
        #expect(ok.allSatisfy { !($0["trulioo_step"] ?? "").isEmpty })
        #expect(first.stderr.contains("8 sessions, 8 signed_urls"))
        // The flow's first step against the sheet's columns, and the row that cannot fill it.
        #expect(first.stderr.contains("First name            required  first_name by role <- column 'Nombres*'"))
        #expect(rows.contains { $0["idbatch_error_code"] == "input_missing"
            && ($0["idbatch_error_message"] ?? "").contains("'Last name'") })
        let second = try await CommandRunner.running(arguments)
        #expect(second.stderr.contains("requests: none"))
        #expect(try table(out + "/personas-co.report.xlsx") == rows)
    }

    @Test("2,000 rows through 503s, 429s with Retry-After and connection resets: every row ok, no check twice")
    func faultMatrix() async throws {
        let sandbox = try await ExternalSandbox.start(
            faults: "503:5%,429:2%:retry-after=1,reset:1%@POST /v1/checks", latency: "20~10")
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = try people(2_000, in: out)
        let result = try await CommandRunner.running(
            ["run", input, "--country", "CO", "--state", out + "/state", "--out", out, "--concurrency", "64",
             "--retry-base-ms", "50"], environment: sandbox.environment)
        #expect(result.exitCode == 0, "\(result.stderr.suffix(2_000))")
        #expect(result.stderr.contains("2000 rows read = 2000 ok + 0 failed + 0 pending + 0 skipped"))
        let stats = sandbox.stats
        #expect(stats.checksCreated == 2_000)
        #expect(stats.duplicates == 0 && stats.mostChecksForOneInput == 1)
        #expect((stats.faults["503"] ?? 0) > 0 && (stats.faults["429"] ?? 0) > 0 && (stats.faults["reset"] ?? 0) > 0)
        #expect(!result.stderr.contains(Sandbox.truoraKey()))
    }

    @Test("kill -9 at several points, then a rerun: no check twice, and the report of an undisturbed run",
          arguments: [0.4, 1.0, 1.8])
    func killAndResume(after seconds: Double) async throws {
        let calm = try await ExternalSandbox.start(latency: "25")
        let out = try CommandRunner.scratchDirectory()
        let input = try people(300, in: out)
        let common = ["--country", "CO", "--concurrency", "8", "--report-format", "csv"]
        let undisturbed = try await CommandRunner.running(["run", input, "--state", out + "/calm", "--out", out + "/calm"]
                                                + common, environment: calm.environment)
        #expect(undisturbed.exitCode == 0, "\(undisturbed.stderr)")
        await calm.stop()

        let sandbox = try await ExternalSandbox.start(latency: "25")
        defer { Task { await sandbox.stop() } }
        let arguments = ["run", input, "--state", out + "/state", "--out", out + "/killed"] + common
        let running = try CommandRunner.start(arguments, environment: sandbox.environment)
        try await Task.sleep(for: .seconds(seconds))
        running.signal(SIGKILL)
        let killed = await running.finished()
        #expect(killed.exitCode == SIGKILL || killed.exitCode == 0)
        // Nothing half-written: no temporary file, and a report only if the run had finished.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out + "/killed")) ?? []
        #expect(!leftovers.contains { $0.contains(".tmp-") })
        let rerun = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(sandbox.stats.checksCreated == 300 && sandbox.stats.duplicates == 0)
        // At most the calls in flight at the kill are sent again, and each of those finds its check.
        #expect(sandbox.stats.count("POST /v1/checks") <= 300 + 8)
        let strip: ([String: String]) -> [String: String] = { $0.filter { $0.key != "check_id" } }
        #expect(try table(out + "/killed/people.report.csv").map(strip)
                == (try table(out + "/calm/people.report.csv").map(strip)))
    }

    @Test("truora-batch: kill -9 once every batch is started, then a rerun: no batch or check twice")
    func batchKillAndResume() async throws {
        // At speed 20 a check takes 3 s, so the kill lands while the batches run.
        let sandbox = try await ExternalSandbox.start(speed: 20)
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = try people(300, in: out)
        let arguments = ["run", input, "--country", "CO", "--provider", "truora-batch", "--batch-size", "100",
                         "--report-format", "csv", "--state", out + "/state", "--out", out + "/out"]
        let running = try CommandRunner.start(arguments, environment: sandbox.environment)
        let deadline = ContinuousClock.now + .seconds(30)
        while sandbox.stats.count("POST /v1/batches/{id}/start") < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.signal(SIGKILL)
        _ = await running.finished()
        #expect(sandbox.stats.count("POST /v1/batches/{id}/start") == 3)
        #expect(!FileManager.default.fileExists(atPath: out + "/out/people.report.csv"))
        let rerun = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        let stats = sandbox.stats
        #expect(stats.count("POST /v1/batches") == 3 && stats.count("PUT /uploads/{token}") == 3)
        // A start whose answer the kill cut off is tried again and refused (400), never repeated.
        #expect(stats.count("POST /v1/batches/{id}/start", status: 200) == 3)
        #expect(stats.checksCreated == 300 && stats.duplicates == 0)
        let rows = try table(out + "/out/people.report.csv")
        #expect(rows.count == 300 && rows.allSatisfy { $0["idbatch_status"] == "ok" })
        #expect(Set(rows.compactMap { $0["batch_id"] }).count == 3)
        #expect(!rerun.stderr.contains(Sandbox.truoraKey()))
    }

    @Test("Ctrl-C stops taking rows and writes the reports (exit 130); a rerun sends the rest")
    func interruptAndResume() async throws {
        let sandbox = try await ExternalSandbox.start(latency: "40")
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = try people(400, in: out)
        let arguments = ["run", input, "--country", "CO", "--concurrency", "4", "--state", out + "/state",
                         "--out", out]
        let running = try CommandRunner.start(arguments, environment: sandbox.environment)
        try await Task.sleep(for: .seconds(1.5))
        running.signal(SIGINT)
        let stopped = await running.finished()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopping: no new rows"))
        let rows = try table(out + "/people.report.csv")
        #expect(rows.count == 400)
        let skipped = rows.filter { $0["idbatch_status"] == "skipped" }
        #expect(!skipped.isEmpty && skipped.allSatisfy { $0["idbatch_error_code"] == "interrupted" })
        let rerun = try await CommandRunner.running(arguments, environment: sandbox.environment)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(sandbox.stats.checksCreated == 400 && sandbox.stats.duplicates == 0)
        #expect(sandbox.stats.count("POST /v1/checks") == 400)
    }

    @Test("a provider that is down: exit 69 once the circuit opens, and the reports are written")
    func providerDown() async throws {
        let out = try CommandRunner.scratchDirectory()
        let input = try people(50, in: out)
        let result = try await CommandRunner.running(
            ["run", input, "--country", "CO", "--state", out + "/state", "--out", out, "--retry-attempts", "2",
             "--retry-base-ms", "5"],
            environment: ["TRUORA_BASE_URL": "http://127.0.0.1:9", "TRUORA_API_KEY": Sandbox.truoraKey()])
        #expect(result.exitCode == 69, "\(result.stderr)")
        #expect(result.stderr.contains("stopped early: circuit_open"))
        let rows = try table(out + "/people.report.csv")
        #expect(rows.count == 50)
        #expect(rows.filter { $0["idbatch_status"] == "skipped" }.count >= 30)
    }

    @Test("a dry run sends nothing at all and counts the billable requests")
    func dryRunSendsNothing() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let result = try await CommandRunner.running(
            ["run", "\(Self.samples)/personas-co.xlsx", "--job", "\(Self.samples)/personas-co.job.yaml",
             "--dry-run", "--out", out, "--json"], environment: sandbox.environment)
        #expect(result.exitCode == 2)
        #expect(sandbox.stats.requests.isEmpty)
        #expect(result.stderr.contains("billable requests a run would make: 3 checks"))
        let rows = try table(out + "/personas-co.report.xlsx")
        #expect(rows.filter { $0["idbatch_status"] == "skipped" }.count == 3)
        #expect(rows.filter { $0["idbatch_error_code"] == "dry_run" }.count == 3)
    }

    @Test("a file that cannot be read exits 65 and creates nothing")
    func unreadableInput() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let bad = out + "/broken.xlsx"
        try Data("PK\u{3}\u{4} this is not a workbook".utf8).write(to: URL(fileURLWithPath: bad))
        let result = try await CommandRunner.running(["run", bad, "--country", "CO", "--state", out + "/state", "--out", out],
                                           environment: sandbox.environment)
        #expect(result.exitCode == 65, "\(result.stderr)")
        #expect(sandbox.stats.requests.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["broken.xlsx", "state"])
        let missing = try await CommandRunner.running(["run", out + "/nothing.csv", "--dry-run", "--out", out])
        #expect(missing.exitCode == 66)
    }

    @Test("a workbook that expands past the caps 8,000 rows in: exit 65 before any check is created")
    func expansionStopsBeforeSending() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let result = try await CommandRunner.running(["run", CommandRunner.fixture("bad-repeated-string.xlsx"), "--country", "CO",
                                            "--state", out + "/state", "--out", out],
                                           environment: sandbox.environment)
        #expect(result.exitCode == 65, "\(result.stderr)")
        #expect(result.stderr.contains("--max-expansion"))
        #expect(sandbox.stats.requests.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["state"])
    }

    @Test("credentials missing: exit 77 before any call, naming the variable and no value")
    func credentialsMissing() async throws {
        let out = try CommandRunner.scratchDirectory()
        let input = try people(3, in: out)
        let result = try await CommandRunner.running(["run", input, "--country", "CO", "--state", out + "/state", "--out", out])
        #expect(result.exitCode == 77)
        #expect(result.stderr.contains("TRUORA_API_KEY"))
        #expect(!FileManager.default.fileExists(atPath: out + "/people.report.csv"))
    }

    @Test("a fixed error file dropped back in: its phone is sent as +57…, not as the ' the CSV writer added")
    func errorFileRoundTrip() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let out = try CommandRunner.scratchDirectory()
        let input = out + "/people.csv"
        try """
            national_id,first_name,last_name,date_of_birth,phone_number,user_authorized
            1020304050,Ana,Pérez,1980-02-31,+573001234567,sí

            """.write(toFile: input, atomically: true, encoding: .utf8)
        let first = try await CommandRunner.running(["run", input, "--country", "CO", "--state", out + "/state", "--out", out],
                                          environment: sandbox.environment)
        #expect(first.exitCode == 2)
        let errorsPath = out + "/people.errors.csv"
        var errors = try String(contentsOfFile: errorsPath, encoding: .utf8)
        #expect(errors.contains("'+573001234567"))
        // The person fixes the date and drops the file back in.
        errors = errors.replacingOccurrences(of: "1980-02-31", with: "1980-02-28")
        let fixed = out + "/people-fixed.csv"
        try errors.write(toFile: fixed, atomically: true, encoding: .utf8)
        let second = try await CommandRunner.running(["run", fixed, "--country", "CO", "--state", out + "/state", "--out", out],
                                           environment: sandbox.environment)
        #expect(second.exitCode == 0, "\(second.stderr)")
        let row = try #require(try table(out + "/people-fixed.report.csv").first)
        let transport = AsyncHTTPTransport(settings: .direct)
        let client = TruoraClient(
            configuration: TruoraConfiguration(apiKey: Sandbox.truoraKey(), baseURL: sandbox.running.baseURL),
            transport: transport)
        let check = try await client.getCheck(try #require(row["check_id"]))
        await transport.shutdown()
        #expect(check.check.inputs["phone_number"] == "+573001234567")
        #expect(sandbox.stats.checksCreated == 1)
    }
}
