import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
import ProviderAPI
import Sandbox

/// Where runs keep their ledger and which providers they talk to: the real ones, with credentials
/// from the environment, or the sandbox started in this process.
struct ProviderOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Folder for the ledger (default: $STATE_DIRECTORY, else $XDG_STATE_HOME/idbatch, else ~/.local/state/idbatch).",
        valueName: "DIR"))
    var state: String?

    @Flag(help: "Start the sandbox in this process and send everything to it: no credentials, no cost.")
    var sandbox = false

    @Option(help: ArgumentHelp("Provider calls in flight at once.", valueName: "N"))
    var concurrency = 8

    // For tests and benchmarks: attempts per request and the first backoff wait.
    @Option(help: .hidden) var retryAttempts: Int = RetryPolicy().maxAttempts
    @Option(help: .hidden) var retryBaseMs: Int = 1_000

    @Option(help: .hidden) var sandboxSpeed: Double = 60
    @Option(help: .hidden) var sandboxFaults: String?
    @Option(help: .hidden) var sandboxLatency: String?

    func validate() throws {
        guard (1...512).contains(concurrency) else { throw ValidationError("--concurrency must be 1 to 512") }
        guard sandboxSpeed > 0 else { throw ValidationError("--sandbox-speed must be above 0") }
        if let sandboxFaults {
            do { _ = try FaultPlan(parsing: sandboxFaults) } catch { throw ValidationError(error.message) }
        }
        if let sandboxLatency, SandboxConfiguration.Latency(parsing: sandboxLatency) == nil {
            throw ValidationError("--sandbox-latency takes milliseconds, optionally with jitter: 50 or 50~20")
        }
    }

    /// Opens the ledger; exits 73 when the state folder cannot be used.
    func ledger() throws -> Ledger {
        do {
            return try Ledger(directory: state ?? Ledger.defaultDirectory())
        } catch {
            throw Console.fail(error)
        }
    }

    /// The clients for `modes`, and what to do when the run is over. Without `--sandbox` the
    /// credentials come from the environment: a missing one exits 77 before any call, naming it.
    /// With `requireAll` false (collect), a provider without credentials is left out with a warning.
    func connect(_ modes: Set<Provider>, requireAll: Bool = true, truliooAPI: TruliooAPI = .workflowStudio)
        async throws -> Connection
    {
        // The in-process sandbox is on loopback, where a company proxy cannot reach it; real
        // providers are reached through the proxies and CAs the environment names.
        let transport = AsyncHTTPTransport(
            connectionsPerHost: concurrency,
            settings: sandbox ? .direct : NetworkSettings(environment: ProcessInfo.processInfo.environment))
        var connection = Connection(transport: transport)
        let retry = RetryPolicy(base: .milliseconds(max(1, retryBaseMs)), maxAttempts: retryAttempts)

        if sandbox {
            var configuration = SandboxConfiguration()
            configuration.speed = sandboxSpeed
            // The in-process sandbox answers only what the providers document, unless the run asks
            // for the seed's Trulioo routes, which only the lenient sandbox serves.
            configuration.strict = !(modes.contains(.trulioo) && truliooAPI == .platformV2)
            if let sandboxFaults { configuration.faults = try FaultPlan(parsing: sandboxFaults) }
            if let sandboxLatency, let latency = SandboxConfiguration.Latency(parsing: sandboxLatency) {
                configuration.latency = latency
            }
            let running: RunningSandbox
            do {
                running = try await Sandbox(configuration: configuration).start()
            } catch {
                Console.note("error: the sandbox cannot start on a loopback port")
                throw ExitCode(ExitStatus.unavailable)
            }
            connection.sandbox = running
            connection.providers.truora = TruoraClient(
                configuration: TruoraConfiguration(apiKey: Sandbox.truoraKey(), baseURL: running.baseURL, retry: retry),
                transport: transport)
            connection.providers.trulioo = TruliooClient(
                configuration: TruliooConfiguration(
                    clientID: configuration.truliooClientID, clientSecret: configuration.truliooClientSecret,
                    baseURL: running.baseURL, api: truliooAPI, retry: retry),
                transport: transport)
            connection.defaultFlowID = Sandbox.truliooFlowID
            return keepingAnswers(connection)
        }
        let environment = ProviderAPI.Environment()
        do {
            if modes.contains(where: \.usesTruora) {
                do {
                    connection.providers.truora = TruoraClient(configuration: try environment.truora(retry: retry),
                                                               transport: transport)
                } catch where !requireAll {
                    Console.warning("Truora rows are not looked at: \(error.reason)")
                }
            }
            if modes.contains(.trulioo) {
                do {
                    connection.providers.trulioo = TruliooClient(
                        configuration: try environment.trulioo(api: truliooAPI, retry: retry), transport: transport)
                } catch where !requireAll {
                    Console.warning("Trulioo rows are not looked at: \(error.reason)")
                }
            }
        } catch {
            await transport.shutdown()
            Console.note("error: credentials missing: \(error.reason)")
            throw ExitCode(ExitStatus.credentials)
        }
        return keepingAnswers(connection)
    }

    /// The connection with its clients keeping, masked, the answers they could not use (for a
    /// support ticket) in the state folder.
    private func keepingAnswers(_ connection: Connection) -> Connection {
        var connection = connection
        let keeper = AnswerKeeper(stateDirectory: state ?? Ledger.defaultDirectory())
        connection.providers.truora?.executor.keepAnswer = keeper.sink
        connection.providers.trulioo?.executor.keepAnswer = keeper.sink
        return connection
    }

    /// The clients of a run, the sandbox behind them if any, and their shutdown.
    struct Connection {
        let transport: AsyncHTTPTransport
        var providers = RunProviders()
        var sandbox: RunningSandbox?
        /// The flow to start when none is given (the sandbox's).
        var defaultFlowID: String?

        func close() async {
            await transport.shutdown()
            await sandbox?.stop()
        }

        /// Runs the pipeline's `body`, then clears the progress line and closes the connection
        /// however it ended; a pipeline error exits with its code.
        func finishing<T>(_ view: RunProgressView, _ body: () async throws(PipelineError) -> T) async throws -> T {
            let result: T
            do {
                result = try await body()
            } catch {
                view.finish()
                await close()
                throw Console.fail(error)
            }
            view.finish()
            await close()
            return result
        }
    }
}
