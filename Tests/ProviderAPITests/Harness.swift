import Foundation
import ProviderAPI
import Sandbox

/// A sandbox on a free loopback port with both clients pointed at it.
struct Harness {
    let running: RunningSandbox
    let transport: AsyncHTTPTransport
    let truora: TruoraClient
    let trulioo: TruliooClient
    let waits: WaitLog

    var sandbox: Sandbox { running.sandbox }
    var baseURL: String { running.baseURL }

    /// Retries quick enough for tests; the waits are recorded, not slept, unless `realSleep`.
    static func policy(attempts: Int = 5, timeout: Duration = .seconds(5)) -> RetryPolicy {
        RetryPolicy(
            base: .milliseconds(10), cap: .milliseconds(80), maxAttempts: attempts, maxRetryAfter: .seconds(30),
            timeout: timeout)
    }

    static func with(
        _ configure: (inout SandboxConfiguration) -> Void = { _ in },
        retry: RetryPolicy = policy(), truoraKey: String = Sandbox.truoraKey(),
        truliooSecret: String = "sandbox", realSleep: Bool = false,
        _ body: (Harness) async throws -> Void
    ) async throws {
        var configuration = SandboxConfiguration()
        configuration.speed = 600
        configure(&configuration)
        let running = try await Sandbox(configuration: configuration).start()
        let transport = AsyncHTTPTransport(connectionsPerHost: 8, settings: .direct)
        let waits = WaitLog()
        var truora = TruoraClient(
            configuration: TruoraConfiguration(apiKey: truoraKey, baseURL: running.baseURL, retry: retry),
            transport: transport)
        var trulioo = TruliooClient(
            configuration: TruliooConfiguration(
                clientID: "sandbox", clientSecret: truliooSecret,
                baseURL: running.baseURL, retry: retry),
            transport: transport)
        if !realSleep {
            let sleep: @Sendable (Duration) async throws -> Void = { duration in waits.append(duration) }
            truora.executor.sleep = sleep
            trulioo.executor.sleep = sleep
        }
        let harness = Harness(running: running, transport: transport, truora: truora, trulioo: trulioo, waits: waits)
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

    /// Polls until `condition` holds (`within`, 5 s by default, at most).
    func eventually(within: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Raw GET of a sandbox path (admin routes, links).
    func get(_ path: String) async throws -> WireResponse {
        try await transport.send(
            WireRequest(method: "GET", url: path.hasPrefix("http") ? path : baseURL + path),
            timeout: .seconds(5))
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws
        -> WireResponse
    {
        try await transport.send(
            WireRequest(
                method: method, url: path.hasPrefix("http") ? path : baseURL + path,
                headers: headers, body: body), timeout: .seconds(5))
    }
}

/// The waits a client asked for. `@unchecked Sendable`: every access holds the lock.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Duration] = []

    func append(_ duration: Duration) {
        lock.lock()
        items.append(duration)
        lock.unlock()
    }

    var all: [Duration] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}

/// A CO person check request with a Colombian cédula ending in `last`.
func coPerson(_ last: Int, prefix: String = "103245678", force: Bool? = nil) -> TruoraCheckRequest {
    TruoraCheckRequest(
        country: "CO", type: "person", inputs: [("national_id", "\(prefix)\(last)")],
        userAuthorized: true, forceCreation: force)
}
