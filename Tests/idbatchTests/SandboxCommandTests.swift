import Foundation
import ProviderAPI
import Testing

@Suite("idbatch sandbox, the built binary")
struct SandboxCommandTests {
    @Test("prints the environment to export, serves checks with that key, and stops on SIGTERM with a summary")
    func runsAndStops() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["sandbox", "--port", "0", "--speed", "600", "--faults", "503:once@POST /v1/checks"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read until the banner is complete.
        var banner = ""
        let handle = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while !banner.contains("stop: Ctrl-C"), Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        func exported(_ name: String) -> String? {
            banner.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }.map { String($0.split(separator: "=", maxSplits: 1)[1]) }
        }
        let url = try #require(exported("TRUORA_BASE_URL"))
        #expect(exported("TRULIOO_BASE_URL") == url)
        #expect(exported("TRULIOO_CLIENT_ID") == "sandbox")
        let key = try #require(exported("TRUORA_API_KEY"))

        let transport = AsyncHTTPTransport(settings: .direct)
        let client = TruoraClient(configuration: TruoraConfiguration(
            apiKey: key, baseURL: url, retry: RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50))), transport: transport)
        let created = try await client.createCheck(TruoraCheckRequest(
            country: "CO", type: "person", inputs: [("national_id", "1032456780")], userAuthorized: true))
        #expect(created.created)
        let stats = try await transport.send(WireRequest(method: "GET", url: url + "/_sandbox/stats"), timeout: .seconds(5))
        #expect(stats.text.contains("\"checks_created\":1"))
        #expect(stats.text.contains("\"503\":1"))
        await transport.shutdown()

        process.terminate()
        let rest = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(rest.contains("1 checks created, 0 duplicates"))
    }

    @Test("a bad fault spec is a usage error that says what is accepted")
    func badFaults() throws {
        let result = try CommandRunner.run(["sandbox", "--faults", "418:5%"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("unknown kind '418'"))
    }
}
