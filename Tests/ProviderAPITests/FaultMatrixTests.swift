import Foundation
import ProviderAPI
import Sandbox
import Testing

/// The retry policy against the sandbox's injected faults: what is retried, how long it waits,
/// and what is reported as ambiguous instead of being sent twice.
@Suite("Fault matrix")
struct FaultMatrixTests {
    static func plan(_ spec: String) throws -> FaultPlan { try FaultPlan(parsing: spec) }

    @Test("429 with Retry-After in seconds, then 200: one retry after exactly that wait")
    func retryAfterSeconds() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("429:once:retry-after=2@POST /v1/checks") }) { h in
            let result = try await h.truora.createCheck(coPerson(0))
            #expect(result.created)
            #expect(h.waits.all == [.seconds(2)])
            #expect(h.sandbox.statistics.count("POST /v1/checks", status: 429) == 1)
            #expect(h.sandbox.statistics.checksCreated == 1)
        }
    }

    @Test("429 with Retry-After as an HTTP date is honoured")
    func retryAfterDate() async throws {
        // Twenty seconds ahead (waits are recorded, not slept): a date has one-second resolution and a
        // slow machine may take seconds between the answer and the client reading it.
        try await Harness.with({ $0.faults = try! Self.plan("429:once:retry-after=date+20") }) { h in
            _ = try await h.truora.listChecks()
            let wait = try #require(h.waits.all.first)
            #expect(wait > .seconds(10) && wait <= .seconds(21))
        }
    }

    @Test("a Retry-After beyond the cap is not slept on: the error carries it for the caller to defer")
    func retryAfterCapped() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("503:once:retry-after=3600") }) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.truora.listChecks() }
            #expect(error?.status == 503 && error?.retryAfter == .seconds(3600) && error?.retrySafe == true)
            #expect(h.waits.all.isEmpty)
        }
    }

    @Test("503 three times, then 200: full-jitter waits within the growing caps")
    func serviceUnavailableThrice() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("503:first=3@POST /v1/checks") }) { h in
            let created = try await h.truora.createCheck(coPerson(0)).created
            #expect(created)
            let waits = h.waits.all
            #expect(waits.count == 3)
            for (index, wait) in waits.enumerated() {
                #expect(wait <= .milliseconds(min(80, 10 << index)))
            }
            #expect(h.sandbox.statistics.faults["503"] == 3)
        }
    }

    @Test("502 and 504 are retried; 500 is not; running out of attempts says how many")
    func gatewayErrors() async throws {
        try await Harness.with(
            { $0.faults = try! Self.plan("502:once,504:once,500:first=1@POST /v1/checks") },
            retry: Harness.policy(attempts: 3)
        ) { h in
            _ = try await h.truora.listChecks()
            #expect(h.waits.all.count == 2)
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(coPerson(0)) }
            #expect(error?.status == 500 && error?.attempts == 1 && error?.retrySafe == false)
        }
        try await Harness.with({ $0.faults = try! Self.plan("503:100%") }, retry: Harness.policy(attempts: 4)) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.truora.listChecks() }
            #expect(error?.attempts == 4)
            #expect(error?.description.contains("after 4 attempts") == true)
        }
    }

    @Test("a reset after the check was created is ambiguous, not resent; looking again finds the one check")
    func resetAfterSend() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("reset:once@POST /v1/checks") }) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(coPerson(5)) }
            #expect(error?.kind == .ambiguous)
            #expect(error?.retrySafe == false)
            #expect(error?.attempts == 1)
            #expect(h.sandbox.statistics.checksCreated == 1)
            // Looking before resending: the same inputs without force_creation return the existing check.
            let again = try await h.truora.createCheck(coPerson(5))
            #expect(!again.created)
            #expect(h.sandbox.statistics.checksCreated == 1)
            #expect(h.sandbox.statistics.mostChecksForOneInput == 1)
            #expect(h.sandbox.statistics.faults["reset"] == 1)
        }
    }

    @Test("a reset on a GET is retried: reading twice is harmless")
    func resetOnRead() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("reset:once@GET /v1/checks") }) { h in
            _ = try await h.truora.listChecks()
            #expect(h.waits.all.count == 1)
        }
    }

    @Test("a hung answer hits the per-request timeout: a GET is retried, a POST is ambiguous")
    func hang() async throws {
        try await Harness.with(
            { $0.faults = try! Self.plan("hang:once") },
            // Long enough that an answer that is only slow (as under a sanitizer) is not taken for a hang.
            retry: Harness.policy(timeout: .seconds(2))
        ) { h in
            let started = ContinuousClock.now
            _ = try await h.truora.listChecks()
            #expect(ContinuousClock.now - started >= .seconds(2))
            h.sandbox.setFaults(try Self.plan("hang:once@POST /v1/checks"))
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(coPerson(0)) }
            #expect(error?.kind == .ambiguous)
            #expect(error?.message.contains("timeout") == true)
        }
    }

    @Test("a truncated body after a 201 is ambiguous and keeps the status it saw")
    func truncated() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("truncate:once@POST /v1/checks") }) { h in
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(coPerson(0)) }
            #expect(error?.kind == .ambiguous)
            #expect(error?.status == 201)
            #expect(h.sandbox.statistics.checksCreated == 1)
        }
    }

    @Test("a 401 once makes the Trulioo client fetch a new token and resend, once")
    func tokenRefresh() async throws {
        try await Harness.with { h in
            _ = try await h.trulioo.workflows()
            h.sandbox.setFaults(try Self.plan("401:once@GET /customer/v2/workflows"))
            _ = try await h.trulioo.workflows()
            #expect(await h.trulioo.tokenFetches == 2)
            h.sandbox.setFaults(try Self.plan("401:first=2@GET /customer/v2/workflows"))
            let error = await #expect(throws: ProviderError.self) { try await h.trulioo.workflows() }
            #expect(error?.kind == .credentials)
            #expect(await h.trulioo.tokenFetches == 3)
        }
    }

    @Test("a token about to expire is renewed before use; one the server expired is renewed on its 401")
    func tokenExpiry() async throws {
        try await Harness.with({
            $0.tokenLifetime = 30
            $0.speed = 1
        }) { h in
            _ = try await h.trulioo.workflows()
            _ = try await h.trulioo.workflows()
            #expect(await h.trulioo.tokenFetches == 2)  // 30 s is inside the 60 s margin
            #expect(h.sandbox.statistics.count("GET /customer/v2/workflows", status: 401) == 0)
        }
        // A token lasts 4 s here (240 sandbox seconds at speed 60), so a renewed one is still good
        // on a loaded machine.
        try await Harness.with({
            $0.tokenLifetime = 240
            $0.speed = 60
        }) { h in
            _ = try await h.trulioo.workflows()
            try await Task.sleep(for: .milliseconds(4_500))  // 270 sandbox seconds: the server expired it
            _ = try await h.trulioo.workflows()
            // Every 401 cost exactly one new token (a loaded machine may see one on the first call too).
            let refused = h.sandbox.statistics.count("GET /customer/v2/workflows", status: 401)
            #expect(refused >= 1)
            #expect(await h.trulioo.tokenFetches == refused + 1)
        }
    }

    @Test("nothing listening: retried as never sent, then unreachable and safe to retry")
    func refused() async throws {
        let transport = AsyncHTTPTransport(settings: .direct)
        defer { Task { await transport.shutdown() } }
        let waits = WaitLog()
        var client = TruoraClient(
            configuration: TruoraConfiguration(
                apiKey: Sandbox.truoraKey(), baseURL: "http://127.0.0.1:9",
                retry: Harness.policy(attempts: 3)),
            transport: transport)
        client.executor.sleep = { waits.append($0) }
        let error = await #expect(throws: ProviderError.self) { try await client.createCheck(coPerson(0)) }
        #expect(error?.kind == .unreachable)
        #expect(error?.retrySafe == true)
        #expect(error?.attempts == 3)
        #expect(waits.all.count == 2)
    }

    @Test("the per-key rate limit answers 429 with Retry-After 1")
    func rateLimit() async throws {
        try await Harness.with({ $0.rateLimitPerKey = 2 }, retry: .none) { h in
            // Eight at once, so they fall in one second however loaded the machine is.
            let errors = await withTaskGroup(of: ProviderError?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do throws(ProviderError) {
                            _ = try await h.truora.listChecks()
                            return nil
                        } catch {
                            return error
                        }
                    }
                }
                return await group.reduce(into: [ProviderError]()) { if let error = $1 { $0.append(error) } }
            }
            #expect(errors.allSatisfy { $0.status == 429 && $0.retryAfter == .seconds(1) })
            #expect(errors.count >= 3)
        }
    }

    @Test("latency with jitter delays every answer")
    func latency() async throws {
        try await Harness.with({ $0.latency = .init(milliseconds: 60, jitter: 10) }) { h in
            let started = ContinuousClock.now
            _ = try await h.truora.listChecks()
            #expect(ContinuousClock.now - started >= .milliseconds(50))
        }
    }

    @Test("stats and reset over HTTP")
    func admin() async throws {
        try await Harness.with({ $0.faults = try! Self.plan("503:once@GET /v1/checks") }) { h in
            _ = try await h.truora.createCheck(coPerson(0))
            _ = try await h.truora.listChecks()
            let stats = try JSONDecoder().decode(JSONValue.self, from: Data(try await h.get("/_sandbox/stats").body))
            #expect(stats["checks_created"] == 1)
            #expect(stats["duplicates"] == 0)
            #expect(stats["requests"]?["GET /v1/checks"]?["503"] == 1)
            #expect(stats["requests"]?["GET /v1/checks"]?["200"] == 1)
            #expect(stats["faults"]?["503"] == 1)
            // The stats never show an ID: inputs are keyed by a hash.
            #expect(!(try await h.get("/_sandbox/stats").text.contains("1032456780")))
            #expect(try await h.request("POST", "/_sandbox/reset").status == 204)
            #expect(h.sandbox.statistics.checksCreated == 0)
            #expect(try await h.truora.listChecks().checks.isEmpty)
            let set = try await h.request("POST", "/_sandbox/faults", body: Array("500:once".utf8))
            #expect(set.status == 200)
            #expect(try await h.request("POST", "/_sandbox/faults", body: Array("boom:1".utf8)).status == 400)
        }
    }
}
