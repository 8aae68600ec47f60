import Foundation
import Pipeline
import ProviderAPI
import Testing
import TestSupport

/// A whole run behind a company proxy: every provider call goes through its tunnel, or, with
/// `NO_PROXY` covering the provider, none does.
@Suite("Runs through a proxy")
struct ProxyRunTests {
    @Test("a run through a CONNECT proxy: every request the sandbox answered passed the proxy")
    func throughProxy() async throws {
        try await ConnectProxy.with { proxy in
            let network = NetworkSettings(environment: ["HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url])
            try await PipelineHarness.with(network: network) { harness in
                let input = try harness.peopleCSV("people.csv", count: 12)
                let ledger = try Ledger(directory: harness.state)
                let result = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
                #expect(result.summary.ok == 12)
                #expect(harness.sandbox.statistics.checksCreated == 12)
                let answered = harness.sandbox.statistics.requests.values.flatMap(\.values).reduce(0, +)
                #expect(answered > 12)
                #expect(proxy.tunnelledRequests == answered)
                let port = try #require(URL(string: harness.running.baseURL)?.port)
                #expect(!proxy.connects.isEmpty && proxy.connects.allSatisfy { $0.hasSuffix(":\(port)") })
            }
        }
    }

    @Test("NO_PROXY covering the provider's host: the proxy sees no request")
    func bypassed() async throws {
        try await ConnectProxy.with { proxy in
            let network = NetworkSettings(environment: [
                "HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1",
            ])
            try await PipelineHarness.with(network: network) { harness in
                let input = try harness.peopleCSV("people.csv", count: 6)
                let ledger = try Ledger(directory: harness.state)
                let result = try await harness.engine(harness.configuration(), ledger: ledger).run(input: input)
                #expect(result.summary.ok == 6)
                #expect(proxy.connects.isEmpty && proxy.tunnelledRequests == 0)
            }
        }
    }
}
