import CheckInputs
import Foundation
import Pipeline
import ProviderAPI
import Sandbox

/// An in-process sandbox, clients pointed at it and a scratch folder with a state folder in it.
struct PipelineHarness {
    let running: RunningSandbox
    let transport: AsyncHTTPTransport
    let providers: RunProviders
    let folder: String

    var sandbox: Sandbox { running.sandbox }
    var state: String { folder + "/state" }

    /// The sandbox is strict unless `strict` is false (the seed's Trulioo routes need the lenient one).
    /// - Parameter network: how the clients reach the sandbox; direct unless a test says otherwise.
    static func with(speed: Double = 600, faults: String? = nil, strict: Bool = true,
                     network: NetworkSettings = .direct,
                     sandbox configure: (inout SandboxConfiguration) -> Void = { _ in },
                     _ body: (PipelineHarness) async throws -> Void) async throws
    {
        var configuration = SandboxConfiguration()
        configuration.speed = speed
        configuration.strict = strict
        if let faults { configuration.faults = try FaultPlan(parsing: faults) }
        configure(&configuration)
        let running = try await Sandbox(configuration: configuration).start()
        let transport = AsyncHTTPTransport(connectionsPerHost: 16, settings: network)
        // No test here hangs an answer on purpose: the timeout only has to outlast a slow machine
        // (under ThreadSanitizer beside a fuzzer, an init took over 5 s and became `unknown`).
        let retry = RetryPolicy(base: .milliseconds(10), cap: .milliseconds(50), maxAttempts: 5, timeout: .seconds(30))
        let providers = RunProviders(
            truora: TruoraClient(
                configuration: TruoraConfiguration(apiKey: Sandbox.truoraKey(), baseURL: running.baseURL, retry: retry),
                transport: transport),
            trulioo: TruliooClient(
                configuration: TruliooConfiguration(clientID: "sandbox", clientSecret: "sandbox",
                                                    baseURL: running.baseURL, retry: retry),
                transport: transport))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idbatch-pipeline-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let harness = PipelineHarness(running: running, transport: transport, providers: providers, folder: folder)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            try await body(harness)
        } catch {
            await transport.shutdown()
            await running.stop()
            throw error
        }
        await transport.shutdown()
        await running.stop()
    }

    /// A run configuration for a CSV of Colombian people with a consent column.
    func configuration(_ mode: Provider = .truoraChecks, wait: Duration = .seconds(10)) -> RunConfiguration {
        var settings = CheckSettings(provider: mode)
        settings.country = "CO"
        var configuration = RunConfiguration(settings: settings)
        configuration.outDirectory = folder
        configuration.wait = wait
        configuration.concurrency = 8
        configuration.pollBase = .milliseconds(100)
        configuration.flowID = Sandbox.truliooFlowID
        // Messages are asserted in English; LanguageRunTests runs the same rows in Spanish.
        configuration.language = .en
        return configuration
    }

    func engine(_ configuration: RunConfiguration, ledger: Ledger, control: RunControl = RunControl()) -> RunEngine {
        RunEngine(configuration: configuration, providers: providers, ledger: ledger, control: control)
    }

    /// Writes `count` valid Colombian people (cédulas ending in `lastDigits` in turn), plus `bad`
    /// rows with an impossible date, and returns the path.
    func peopleCSV(_ name: String, count: Int, lastDigits: [Int] = [0, 1, 2, 3, 4, 5, 6], bad: Int = 0,
                   seed: Int = 1) throws -> String {
        var text = "national_id,first_name,last_name,date_of_birth,phone_number,user_authorized\n"
        for index in 0..<count {
            let middle = String(format: "%08d", (index * 7_919 + seed * 104_729) % 100_000_000)
            text += "1\(middle)\(lastDigits[index % lastDigits.count]),Ana,Pérez,1980-01-0\(1 + index % 9),"
                + "'+5730012\(String(format: "%05d", index)),sí\n"
        }
        for index in 0..<bad {
            text += "1\(String(format: "%08d", 90_000_000 + index))3,Luis,Díaz,1980-02-31,,sí\n"
        }
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
