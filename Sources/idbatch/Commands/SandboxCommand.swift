import ArgumentParser
import Foundation
import Pipeline
import ProviderAPI
import Sandbox

/// `idbatch sandbox`: both providers, emulated on one loopback port, until Ctrl-C or SIGTERM.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local emulator of Truora and Trulioo (no credentials, no cost) until Ctrl-C.",
        discussion: """
            Serves Truora's checks and batches (/v1/...) and Trulioo's Workflow Studio API (/customer/v2/...) \
            on one port, validating inputs as idbatch does. Outcomes follow the last digit of the ID: 0-5 clean, \
            6 a name-only (homonym) hit, 7 error, 8 delayed then clean, 9 a criminal record (Truora) or declined \
            (Trulioo). It prints the environment to export so any idbatch command uses it.

            Faults: a comma-separated list of KIND:RATE[:OPTION=VALUE...][@METHOD PATH-PREFIX], where KIND is \
            500, 502, 503, 504, 429, 401, reset, hang, truncate or slow; RATE is a percentage (5%), once or \
            first=N; options are retry-after=SECONDS|date (429, 503) and delay=MS (slow). Example: \
            --faults '503:5%,429:2%:retry-after=1,reset:1%@POST /v1/checks'.

            Admin: GET /_sandbox/stats (requests by route and status, checks created, duplicates, faults), \
            POST /_sandbox/reset, POST /_sandbox/faults with a SPEC as the body.
            """
    )

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8088

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Faults to inject (see above).")
    var faults: String?

    @Option(
        help: ArgumentHelp(
            "Latency added to every answer, in milliseconds, with optional jitter.", valueName: "MS[~JITTER]"))
    var latency: String?

    @Option(help: "Sandbox seconds per real second: at 10 a check that takes a minute is done in six seconds.")
    var speed: Double = 10

    @Option(name: .customLong("rate-limit"), help: "Requests per second allowed per API key or token, then 429.")
    var rateLimit: Double?

    @Flag(help: "Refuse what the real services refuse: paths they do not serve (403 Missing Authentication Token) and the seed's /customer/v2 Trulioo routes.")
    var strict = false

    @Option(help: "Seed for the fault dice, so a run with percentage faults repeats.")
    var seed: UInt64 = 0x1DBA7C4

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard speed > 0 else { throw ValidationError("--speed must be above 0") }
        if let rateLimit, rateLimit <= 0 { throw ValidationError("--rate-limit must be above 0") }
        if let latency, SandboxConfiguration.Latency(parsing: latency) == nil {
            throw ValidationError("--latency takes milliseconds, optionally with jitter: 50 or 50~20")
        }
        if let faults {
            do { _ = try FaultPlan(parsing: faults) } catch { throw ValidationError(error.message) }
        }
    }

    func run() async throws {
        var configuration = SandboxConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.speed = speed
        configuration.rateLimitPerKey = rateLimit
        configuration.seed = seed
        configuration.strict = strict
        if let latency { configuration.latency = SandboxConfiguration.Latency(parsing: latency)! }
        if let faults { configuration.faults = try FaultPlan(parsing: faults) }

        let sandbox = try Sandbox(configuration: configuration)
        let running: RunningSandbox
        do {
            running = try await sandbox.start()
        } catch {
            FileHandleOutput.stderr("idbatch sandbox: cannot listen on \(host):\(port) (is it in use? try --port 0)\n")
            throw ExitCode(ExitStatus.unavailable)
        }
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        Interruption.takeOver { continuation.yield($0) }
        let url = running.baseURL
        FileHandleOutput.stdout(
            """
            idbatch sandbox: Truora and Trulioo on \(url) (speed \(LooseDouble(speed).text)x, \
            latency \(configuration.latency) ms, faults: \(configuration.faults.isEmpty ? "none" : configuration.faults.description))
            export TRUORA_BASE_URL=\(url)
            export TRUORA_ACCOUNT_BASE_URL=\(url)
            export TRUORA_CONNECT_BASE_URL=\(url)
            export TRUORA_IDENTITY_API_BASE_URL=\(url)
            export TRUORA_IDENTITY_URL=\(url)/identity
            export TRULIOO_BASE_URL=\(url)
            export TRULIOO_AUTH_URL=\(url)/connect/token
            export TRUORA_API_KEY=\(Sandbox.truoraKey())
            export TRULIOO_CLIENT_ID=\(configuration.truliooClientID)
            export TRULIOO_CLIENT_SECRET=\(configuration.truliooClientSecret)
            stats: curl \(url)/_sandbox/stats    stop: Ctrl-C

            """)
        var iterator = signals.makeAsyncIterator()
        _ = await iterator.next()
        await running.stop()
        let stats = sandbox.statistics
        let requests = stats.requests.values.flatMap(\.values).reduce(0, +)
        FileHandleOutput.stdout(
            "idbatch sandbox: stopped after \(requests) requests; \(stats.checksCreated) checks created, "
                + "\(stats.duplicates) duplicates, \(stats.truliooUserStatesCreated) Trulioo user states\n")
    }
}
