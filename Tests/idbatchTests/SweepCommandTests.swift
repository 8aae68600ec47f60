import Foundation
import Sandbox
import Testing
import TestSupport

/// `idbatch sweep` over a drop folder, as cron runs it: the built binary, real files, the sandbox.
@Suite("idbatch sweep, status and purge, end to end", .serialized)
struct SweepCommandTests {
    /// A drop folder with an inbox, a state folder and a job file for Colombian people.
    struct Drop {
        let root: String
        var inbox: String { root + "/drop/inbox" }
        var folder: String { root + "/drop" }
        var state: String { root + "/state" }
        var job: String { root + "/co.yaml" }

        init() throws {
            root = try CommandRunner.scratchDirectory()
            try FileManager.default.createDirectory(atPath: root + "/drop/inbox", withIntermediateDirectories: true)
            try "version: 1\nprovider: truora-checks\ncountry: CO\n".write(toFile: job, atomically: true, encoding: .utf8)
        }

        /// `count` people in `inbox/NAME`, aged past any settle time unless `fresh`.
        func drop(_ name: String, count: Int, seed: Int = 3, fresh: Bool = false) throws {
            let path = try people(count, in: inbox, name: name, seed: seed)
            if !fresh {
                try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: path)
            }
        }

        func files(_ sub: String) -> [String] {
            guard let enumerator = FileManager.default.enumerator(atPath: folder + "/" + sub) else { return [] }
            return (enumerator.allObjects as? [String] ?? []).filter { !$0.hasSuffix("/") }.sorted()
        }

        func sweep(_ extra: [String] = [], sandbox: ExternalSandbox) async throws -> CommandResult {
            try await CommandRunner.running(["sweep", folder, "--job", job, "--state", state, "--wait", "20s"] + extra,
                                  environment: sandbox.environment)
        }
    }

    @Test("ready files run once (a marker, an old one, the same content twice), a growing one waits, junk fails")
    func onePass() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        try drop.drop("lunes.csv", count: 20)
        try FileManager.default.copyItem(atPath: drop.inbox + "/lunes.csv", toPath: drop.inbox + "/copia.csv")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)],
                                              ofItemAtPath: drop.inbox + "/copia.csv")
        try drop.drop("marcado.csv", count: 5, seed: 7, fresh: true)
        FileManager.default.createFile(atPath: drop.inbox + "/marcado.csv.done", contents: nil)
        try drop.drop("subiendo.csv", count: 5, seed: 9, fresh: true)
        try drop.drop(".oculto.csv", count: 1, seed: 11)
        FileManager.default.createFile(atPath: drop.inbox + "/~$lunes.xlsx", contents: Data([1, 2]))
        FileManager.default.createFile(atPath: drop.inbox + "/dañado.xlsx", contents: Data("PK\u{3}\u{4}not a zip".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)],
                                              ofItemAtPath: drop.inbox + "/dañado.xlsx")

        let result = try await drop.sweep(["--settle", "30s"], sandbox: sandbox)
        #expect(result.exitCode == 2, "\(result.stderr)")  // dañado.xlsx failed
        #expect(result.stderr.contains("sweep \(drop.folder): 2 file(s) run, 1 already run, 1 failed"))
        let day = drop.files("processed").first { !$0.contains("/") } ?? "?"
        #expect(Set(drop.files("processed/" + day)) == ["copia.csv", "lunes.csv", "lunes.csv.note.txt", "marcado.csv"]
                || Set(drop.files("processed/" + day)) == ["copia.csv", "copia.csv.note.txt", "lunes.csv", "marcado.csv"])
        #expect(drop.files("failed") == ["dañado.xlsx", "dañado.xlsx.error.txt"])
        let reason = try String(contentsOfFile: drop.folder + "/failed/dañado.xlsx.error.txt", encoding: .utf8)
        #expect(reason.contains("dañado.xlsx") || reason.contains("zip"))
        #expect(Set(drop.files("inbox")) == [".oculto.csv", "subiendo.csv", "~$lunes.xlsx"])
        #expect(drop.files("processing").isEmpty)
        #expect(sandbox.stats.checksCreated == 25 && sandbox.stats.duplicates == 0)
        let reports = drop.files("reports/" + day)
        #expect(reports.contains("marcado.report.csv") && reports.filter { $0.hasSuffix(".report.csv") }.count == 2)
        for report in reports {
            let attributes = try FileManager.default.attributesOfItem(atPath: drop.folder + "/reports/\(day)/\(report)")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }

        // The next pass takes the file that was still arriving, and nothing else.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)],
                                              ofItemAtPath: drop.inbox + "/subiendo.csv")
        let next = try await drop.sweep(["--settle", "30s"], sandbox: sandbox)
        #expect(next.exitCode == 0, "\(next.stderr)")
        #expect(sandbox.stats.checksCreated == 30)

        // status reads the ledger alone.
        let status = try await CommandRunner.running(["status", "--state", drop.state])
        #expect(status.exitCode == 0)
        #expect(status.stdout.contains("subiendo.csv: 5 rows = 5 ok") && status.stdout.contains("no row is waiting"))
        #expect(status.stdout.contains("sweep \(drop.folder): 2 run, 1 already run, 1 failed, 0 held, 1 still arriving"))
        #expect(status.stdout.contains("sweep \(drop.folder): 1 run, 0 already run, 0 failed"))
    }

    @Test("a job file of rules picks each file's job by its name; a name no rule matches fails")
    func jobRules() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        try "version: 1\nprovider: truora-checks\ncountry: CO\nreport:\n  format: xlsx\n"
            .write(toFile: drop.root + "/nomina.yaml", atomically: true, encoding: .utf8)
        try "version: 1\nfiles:\n  - match: \"nomina-*.csv\"\n    job: nomina.yaml\nkeep: 30d\n"
            .write(toFile: drop.root + "/rules.yaml", atomically: true, encoding: .utf8)
        try drop.drop("nomina-enero.csv", count: 3)
        try drop.drop("otro.csv", count: 3, seed: 5)
        let result = try await CommandRunner.running(["sweep", drop.folder, "--job", drop.root + "/rules.yaml",
                                                      "--state", drop.state], environment: sandbox.environment)
        #expect(result.exitCode == 2, "\(result.stderr)")
        let day = drop.files("reports").first { !$0.contains("/") } ?? "?"
        #expect(drop.files("reports/" + day).contains("nomina-enero.report.xlsx"))
        #expect(drop.files("failed") == ["otro.csv", "otro.csv.error.txt"])
        let reason = try String(contentsOfFile: drop.folder + "/failed/otro.csv.error.txt", encoding: .utf8)
        #expect(reason.contains("no job matches this file's name (nomina-*.csv)"))
        #expect(sandbox.stats.checksCreated == 3)
    }

    @Test("a second sweep on the same state exits 75 naming the first's pid")
    func oneAtATime() async throws {
        let sandbox = try await ExternalSandbox.start(latency: "40")
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        try drop.drop("grande.csv", count: 400)
        let first = try CommandRunner.start(["sweep", drop.folder, "--job", drop.job, "--state", drop.state,
                                             "--concurrency", "2"], environment: sandbox.environment)
        let deadline = ContinuousClock.now + .seconds(20)
        while drop.files("processing").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let second = try await drop.sweep([], sandbox: sandbox)
        #expect(second.exitCode == 75)
        #expect(second.stderr.contains("another sweep is running (pid "))
        first.signal(SIGTERM)
        _ = await first.finished()
    }

    @Test("kill -9 mid-pass, then another pass: every file processed, no check twice")
    func killMidPass() async throws {
        let sandbox = try await ExternalSandbox.start(latency: "20")
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        try drop.drop("uno.csv", count: 150, seed: 3)
        try drop.drop("dos.csv", count: 150, seed: 5)
        let running = try CommandRunner.start(["sweep", drop.folder, "--job", drop.job, "--state", drop.state],
                                              environment: sandbox.environment)
        let deadline = ContinuousClock.now + .seconds(20)
        while sandbox.stats.checksCreated < 100, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        running.signal(SIGKILL)
        _ = await running.finished()
        #expect(!drop.files("processing").isEmpty)
        let again = try await drop.sweep([], sandbox: sandbox)
        #expect(again.exitCode == 0, "\(again.stderr)")
        let day = drop.files("processed").first { !$0.contains("/") } ?? "?"
        #expect(Set(drop.files("processed/" + day)) == ["dos.csv", "uno.csv"])
        #expect(drop.files("processing").isEmpty && drop.files("failed").isEmpty)
        #expect(sandbox.stats.checksCreated == 300 && sandbox.stats.duplicates == 0)
    }

    @Test("rows left pending are collected by the next pass, into the same report")
    func pendingCollectedNextPass() async throws {
        // At speed 20 a check takes 3 s; the first pass does not wait for them.
        let sandbox = try await ExternalSandbox.start(speed: 20)
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        try drop.drop("martes.csv", count: 10)
        let first = try await CommandRunner.running(["sweep", drop.folder, "--job", drop.job, "--state", drop.state,
                                           "--wait", "0s"], environment: sandbox.environment)
        #expect(first.exitCode == 2, "\(first.stderr)")
        #expect(first.stderr.contains("pending 10"))
        try await Task.sleep(for: .seconds(3.5))
        let second = try await drop.sweep([], sandbox: sandbox)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stderr.contains("1 earlier run(s) collected"))
        let day = drop.files("reports").first { !$0.contains("/") } ?? "?"
        let rows = try SheetTable.rows(drop.folder + "/reports/\(day)/martes.report.csv")
        #expect(rows.count == 10 && rows.allSatisfy { $0["idbatch_status"] == "ok" })
        #expect(sandbox.stats.checksCreated == 10)
    }

    @Test("--keep and purge delete only what is older")
    func retention() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let drop = try Drop()
        for sub in ["processed/2020-01-01", "reports/2020-01-01", "failed"] {
            try FileManager.default.createDirectory(atPath: drop.folder + "/" + sub, withIntermediateDirectories: true)
        }
        FileManager.default.createFile(atPath: drop.folder + "/processed/2020-01-01/viejo.csv", contents: Data("a".utf8))
        FileManager.default.createFile(atPath: drop.folder + "/failed/viejo.pdf", contents: Data("a".utf8))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-40 * 86_400)],
                                              ofItemAtPath: drop.folder + "/failed/viejo.pdf")
        FileManager.default.createFile(atPath: drop.folder + "/failed/nuevo.pdf", contents: Data("a".utf8))
        try drop.drop("hoy.csv", count: 3)

        let listed = try await CommandRunner.running(["purge", drop.folder, "--older-than", "30d", "--dry-run"])
        #expect(listed.exitCode == 0)
        #expect(listed.stdout.split(separator: "\n").count == 3)
        #expect(FileManager.default.fileExists(atPath: drop.folder + "/processed/2020-01-01/viejo.csv"))

        let result = try await drop.sweep(["--keep", "30d"], sandbox: sandbox)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("3 old item(s) purged"))
        #expect(!FileManager.default.fileExists(atPath: drop.folder + "/processed/2020-01-01"))
        #expect(!FileManager.default.fileExists(atPath: drop.folder + "/reports/2020-01-01"))
        #expect(drop.files("failed") == ["nuevo.pdf"])
        let day = drop.files("processed").first { !$0.contains("/") } ?? "?"
        #expect(drop.files("processed/" + day) == ["hoy.csv"])
    }

    @Test("the systemd units verify, and the service's command runs as the unit would run it")
    func systemdUnits() async throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("contrib/systemd").path
        let service = try String(contentsOfFile: source + "/idbatch-sweep.service", encoding: .utf8)
        let timer = try String(contentsOfFile: source + "/idbatch-sweep.timer", encoding: .utf8)
        let drop = try Drop()
        let units = drop.root + "/units"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        try service.replacingOccurrences(of: "/usr/local/bin/idbatch", with: CommandRunner.binary)
            .write(toFile: units + "/idbatch-sweep.service", atomically: true, encoding: .utf8)
        try timer.write(toFile: units + "/idbatch-sweep.timer", atomically: true, encoding: .utf8)
        let analyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        if let analyze {
            let verify = Process()
            verify.executableURL = URL(fileURLWithPath: analyze)
            verify.arguments = ["verify", units + "/idbatch-sweep.service", units + "/idbatch-sweep.timer"]
            let errors = Pipe()
            verify.standardError = errors
            try verify.run()
            verify.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(verify.terminationStatus == 0, "\(text)")
        }

        // ExecStart, with the unit's folders in a scratch folder and the key as a systemd credential.
        let exec = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let arguments = exec.dropFirst("ExecStart=".count).split(separator: " ").dropFirst().map {
            String($0).replacingOccurrences(of: "/srv/idbatch", with: drop.folder)
                .replacingOccurrences(of: "/etc/idbatch/job.yaml", with: drop.job)
        }
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let credentials = drop.root + "/credentials"
        try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        try Sandbox.truoraKey().write(toFile: credentials + "/TRUORA_API_KEY", atomically: true, encoding: .utf8)
        try drop.drop("noche.csv", count: 4)
        var environment = sandbox.environment
        environment["TRUORA_API_KEY"] = nil
        environment["CREDENTIALS_DIRECTORY"] = credentials
        environment["STATE_DIRECTORY"] = drop.state
        let result = try await CommandRunner.running(arguments, environment: environment)
        #expect(result.exitCode == 0, "\(result.stderr)")
        // --log-format json: one object per line, the last one the pass.
        let last = try #require(result.stderr.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: String]
        #expect(object?["event"] == "sweep" && object?["exit_code"] == "0")
        #expect(FileManager.default.fileExists(atPath: drop.state + "/ledger.sqlite"))
        #expect(sandbox.stats.checksCreated == 4)
        #expect(!result.stderr.contains(Sandbox.truoraKey()))
    }
}
