import Foundation
import Hummingbird
import Logging
import NIOCore
import ProviderAPI

/// A local emulator of both providers on one port: Truora at `/v1/...` (checks, batches, Digital
/// Identity's web keys, processes and their results, WhatsApp), Trulioo's Workflow Studio at
/// `/wfs/...` and `/connect/token` (and the seed's `/customer/v2/...` unless strict), signed links
/// at `/uploads`, `/reports`, `/files`, `/s` and `/identity` (the page a verification link opens), and
/// the admin routes `GET /_sandbox/stats`, `POST /_sandbox/reset`, `POST /_sandbox/faults`.
public final class Sandbox: Sendable {
    public let configuration: SandboxConfiguration
    let stats = Stats()
    let faults: FaultEngine
    let truora: TruoraState
    let trulioo: TruliooState
    let identity: IdentityState
    /// Where uploaded batch files and generated reports pass through.
    let directory: String

    public init(configuration: SandboxConfiguration = SandboxConfiguration()) throws {
        self.configuration = configuration
        let clock = SandboxClock(speed: max(configuration.speed, 0.000_001))
        faults = FaultEngine(plan: configuration.faults, seed: configuration.seed)
        truora = TruoraState(clock: clock, stats: stats, pageSize: configuration.pageSize,
                             pdfDelay: configuration.pdfDelay)
        trulioo = TruliooState(clock: clock, stats: stats)
        identity = IdentityState(clock: clock, stats: stats, processDuration: configuration.processDuration,
                                 approvalDelay: configuration.outboundApprovalDelay)
        // Private to this process (0700): uploaded batch files are personal data.
        directory = NSTemporaryDirectory() + "/idbatch-sandbox-\(UUID().uuidString)"
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: false,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw SandboxError(500, "could not create a temporary folder for batch files")
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What `/_sandbox/stats` answers.
    public struct StatsSnapshot: Sendable {
        let snapshot: Stats.Snapshot
        /// Checks created in all.
        public var checksCreated: Int { snapshot.checksCreated }
        /// Checks created for an input that already had one.
        public var duplicates: Int { snapshot.duplicates }
        /// Answers by `METHOD /route` and status.
        public var requests: [String: [String: Int]] { snapshot.requests }
        public var faults: [String: Int] { snapshot.faults }
        /// The most checks created for any one input.
        public var mostChecksForOneInput: Int { snapshot.checksByInput.values.max() ?? 0 }
        public var truliooUserStatesCreated: Int { snapshot.trulioo.userStatesCreated }
        public var truliooTokensIssued: Int { snapshot.trulioo.tokensIssued }
        public var webKeysCreated: Int { snapshot.identity.webKeysCreated }
        public var messagesSent: Int { snapshot.identity.messagesSent }
        /// The most processes (links and messages) started for any one account.
        public var mostProcessesForOneAccount: Int { snapshot.identity.processesByAccount.values.max() ?? 0 }
        public var mostUserStatesForOneInput: Int { snapshot.trulioo.userStatesByInput.values.max() ?? 0 }

        public func count(_ route: String, status: Int? = nil) -> Int {
            guard let byStatus = snapshot.requests[route] else { return 0 }
            if let status { return byStatus[String(status)] ?? 0 }
            return byStatus.values.reduce(0, +)
        }
    }

    public var statistics: StatsSnapshot { StatsSnapshot(snapshot: stats.snapshot) }

    /// Replaces the fault plan (and its counters).
    public func setFaults(_ plan: FaultPlan) { faults.replace(with: plan) }

    /// Forgets every check, batch, user state, token and counter.
    public func reset() async {
        await truora.reset()
        await trulioo.reset()
        await identity.reset()
        stats.reset()
        faults.replace(with: faults.plan)
    }

    /// A Truora key the sandbox accepts: JWT-shaped, with `api_key_version` (0 accepts checks
    /// without `user_authorized`, 1 requires it).
    public static func truoraKey(version: Int = 0, expires: Date? = nil) -> String {
        TruoraKey.make(version: version, expires: expires)
    }

    /// The Workflow Studio flow the sandbox serves: two forms, an identity service, the end.
    public static let truliooFlowID = SandboxWorkflow.id
    /// A flow whose second step is a DocV capture only the person can do.
    public static let truliooDocumentFlowID = SandboxWorkflow.documentFlowID

    func router() -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        let limiter = configuration.rateLimitPerKey.map { RateLimiter(rate: $0) }
        router.add(
            middleware: FaultMiddleware(faults: faults, stats: stats, latency: configuration.latency, limiter: limiter))
        if configuration.strict { router.add(middleware: StrictPaths()) }
        // Each provider's API is a group behind its own authentication; signed links take none.
        let truoraAPI = router.group("/v1").add(middleware: TruoraAuthentication())
        ChecksController(state: truora, configuration: configuration).register(on: truoraAPI, signed: router)
        AccountController(state: truora, configuration: configuration).register(on: truoraAPI)
        BatchesController(state: truora, configuration: configuration, directory: directory)
            .register(on: truoraAPI, signed: router)
        DigitalIdentityController(state: identity, configuration: configuration).register(on: truoraAPI, signed: router)
        WhatsAppController(state: identity).register(on: truoraAPI)
        TruliooTokenController(state: trulioo, configuration: configuration).register(on: router)
        let interpreter = router.group("/wfs/interpreter-v2").add(middleware: TruliooAuthentication(state: trulioo))
        let export = router.group("/wfs/export/v2").add(middleware: TruliooAuthentication(state: trulioo))
        WorkflowStudioController(state: trulioo, configuration: configuration).register(on: interpreter, export: export)
        if !configuration.strict {
            // The seed's reconstruction: no real Trulioo host serves these paths.
            let truliooAPI = router.group("/customer/v2").add(middleware: TruliooAuthentication(state: trulioo))
            TruliooFlowController(state: trulioo, configuration: configuration).register(on: truliooAPI, signed: router)
            TruliooProfilesController(state: trulioo, configuration: configuration).register(on: truliooAPI)
        } else {
            // The hosted page a signed URL opens is served either way.
            TruliooFlowController(state: trulioo, configuration: configuration).registerHostedPage(on: router)
        }
        router.get("/_sandbox/stats") { _, _ in Reply.json(self.stats.snapshot) }
        router.post("/_sandbox/reset") { _, _ in
            await self.reset()
            return Response(status: .noContent)
        }
        router.post("/_sandbox/faults") { request, context in
            let spec = String(decoding: try await request.bytes(context), as: UTF8.self)
            do {
                self.setFaults(try FaultPlan(parsing: spec))
                return Reply.json(["faults": self.faults.plan.description])
            } catch {
                return Reply.json(
                    ["message": (error as? FaultPlan.Problem)?.message ?? "bad fault spec"], status: .badRequest)
            }
        }
        return router
    }

    private func application(port: Int, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol
    {
        var logger = Logger(label: "idbatch.sandbox")
        logger.logLevel = .critical
        return Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM; `onReady` gets the base URL once the port is open.
    public func runUntilSignalled(onReady: @escaping @Sendable (String) async -> Void) async throws {
        let host = configuration.host
        try await application(port: configuration.port) { port in await onReady("http://\(host):\(port)") }.runService()
    }

    /// Starts in this process (port 0 picks a free port) and returns once it accepts connections.
    public func start() async throws -> RunningSandbox {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = application(port: configuration.port) { port in continuation.yield(port) }
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await task.value
            throw SandboxError(500, "the sandbox stopped before it was ready")
        }
        return RunningSandbox(sandbox: self, baseURL: "http://\(configuration.host):\(port)", task: task)
    }
}

/// A sandbox running in this process; ``stop()`` ends it.
public final class RunningSandbox: Sendable {
    public let sandbox: Sandbox
    /// `http://127.0.0.1:PORT`: the base URL of both providers.
    public let baseURL: String
    private let task: Task<Void, any Error>

    init(sandbox: Sandbox, baseURL: String, task: Task<Void, any Error>) {
        self.sandbox = sandbox
        self.baseURL = baseURL
        self.task = task
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension SandboxError: CustomStringConvertible {
    public var description: String { message }
}
