import Foundation
import ProviderAPI
import Sandbox
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `idbatch-bench create-checks --concurrency N --latency MS --seconds S [--url URL]`
///
/// Creates Truora checks (every one with a distinct ID) through TruoraClient for S seconds with N
/// in flight, against the in-process sandbox with MS added latency, or against a sandbox at URL
/// (then the CPU measured is the client's alone). Prints requests/s against the ideal N/latency,
/// latency percentiles, CPU per request, and what the sandbox counted.
func createChecksBenchmark(_ arguments: [String]) async throws {
    var options: [String: String] = [:]
    var index = 0
    while index + 1 < arguments.count {
        options[arguments[index].replacingOccurrences(of: "--", with: "")] = arguments[index + 1]
        index += 2
    }
    let concurrency = Int(options["concurrency"] ?? "16") ?? 16
    let latency = Int(options["latency"] ?? "0") ?? 0
    let seconds = Double(options["seconds"] ?? "5") ?? 5

    var running: RunningSandbox?
    let url: String
    if let given = options["url"] {
        url = given
    } else {
        var configuration = SandboxConfiguration()
        configuration.latency = .init(milliseconds: latency)
        configuration.rateLimitPerKey = nil
        running = try await Sandbox(configuration: configuration).start()
        url = running!.baseURL
    }
    let transport = AsyncHTTPTransport(connectionsPerHost: concurrency, settings: .direct)
    let client = TruoraClient(configuration: TruoraConfiguration(apiKey: Sandbox.truoraKey(), baseURL: url,
                                                                 retry: RetryPolicy(maxAttempts: 1, timeout: .seconds(30))),
                              transport: transport)
    let counter = Counter()

    // Warm the connection pool so connection set-up is not in the figures.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<concurrency { group.addTask { _ = try await client.listChecks() } }
        try await group.waitForAll()
    }

    let cpuBefore = cpuSeconds()
    let started = ContinuousClock.now
    let deadline = started + .milliseconds(Int(seconds * 1000))
    let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
        for _ in 0..<concurrency {
            group.addTask {
                var durations: [Double] = []
                var errors = 0
                while ContinuousClock.now < deadline {
                    let n = counter.value.add(1, ordering: .relaxed).newValue
                    // 10-digit cédulas ending in 0-5 (clean outcomes), all distinct.
                    let id = String(1_000_000_000 + n * 10 + n % 6)
                    let begin = ContinuousClock.now
                    do {
                        _ = try await client.createCheck(TruoraCheckRequest(country: "CO", type: "person",
                                                                            inputs: [("national_id", id)], userAuthorized: true))
                        durations.append((ContinuousClock.now - begin).seconds * 1000)
                    } catch {
                        errors += 1
                    }
                }
                return (durations, errors)
            }
        }
        var all: [Double] = []
        var errors = 0
        for try await (durations, failed) in group {
            all += durations
            errors += failed
        }
        return (all.sorted(), errors)
    }
    let elapsed = (ContinuousClock.now - started).seconds
    let cpu = cpuSeconds() - cpuBefore
    let (durations, errors) = results
    let rate = Double(durations.count) / elapsed
    let stats = try await transport.send(WireRequest(method: "GET", url: url + "/_sandbox/stats"), timeout: .seconds(5)).text
    let created = stats.firstMatch(of: /"checks_created":(\d+)/).map { Int($0.1)! } ?? -1
    let duplicates = stats.firstMatch(of: /"duplicates":(\d+)/).map { Int($0.1)! } ?? -1
    await transport.shutdown()
    await running?.stop()

    func percentile(_ p: Double) -> Double {
        durations.isEmpty ? 0 : durations[min(durations.count - 1, Int(Double(durations.count) * p))]
    }
    var line = "create-check concurrency=\(concurrency) latency=\(latency)ms sandbox=\(options["url"] == nil ? "in-process" : "separate"): "
    line += String(format: "%.1f req/s", rate)
    if latency > 0 {
        let ideal = Double(concurrency) * 1000 / Double(latency)
        line += String(format: " (ideal %.0f, %.1f%%)", ideal, rate / ideal * 100)
    }
    line += String(format: ", p50 %.2f ms, p99 %.2f ms, CPU %.0f µs/request (%@), %d errors, sandbox: %d checks created, %d duplicates",
                   percentile(0.5), percentile(0.99), cpu / Double(max(durations.count, 1)) * 1e6,
                   options["url"] == nil ? "client and sandbox" : "client only", errors, created, duplicates)
    print(line)
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// User plus system CPU seconds of this process so far.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
