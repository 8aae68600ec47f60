import Foundation
import Sandbox
import Testing

@Suite("idbatch doctor, the built binary against the strict sandbox")
struct DoctorCommandTests {
    static let flow = Sandbox.truliooFlowID

    @Test("both providers: credentials and hosts named, free calls only, the flow's elements; exit 0")
    func ready() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let run = try await CommandRunner.running(["doctor", "--flow-id", Self.flow], environment: sandbox.environment)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("ok   GET /v1/health?country=CO") && run.stderr.contains("ok   GET /v1/config"))
        #expect(run.stderr.contains("created one empty session") && run.stderr.contains("nothing was submitted"))
        #expect(run.stderr.contains("First name") && run.stderr.contains("first_name by role"))
        #expect(run.stderr.contains("network: proxy: none") || run.stderr.contains("network: "))
        #expect(run.stderr.contains("ready: a run could start"))
        // Never the key or the secret.
        #expect(!run.stderr.contains(Sandbox.truoraKey()) && !run.stderr.contains("TRULIOO_CLIENT_SECRET=sandbox"))
        #expect(sandbox.stats.checksCreated == 0)
        #expect(sandbox.stats.count("POST /wfs/interpreter-v2/submit/{flowId}") == 0)
        #expect(sandbox.stats.count("GET /wfs/interpreter-v2/flow/{flowId}") == 1)
    }

    @Test("--json: one object with ready, exit_code, network and each provider's calls")
    func json() async throws {
        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let run = try await CommandRunner.running(["doctor", "--provider", "trulioo", "--flow-id", Self.flow, "--json"],
                                                  environment: sandbox.environment)
        #expect(run.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["ready"] as? Bool == true && object["exit_code"] as? Int == 0)
        let providers = try #require(object["providers"] as? [[String: Any]])
        #expect(providers.map { $0["name"] as? String } == ["trulioo"])
        let flow = try #require(providers[0]["flow"] as? [[String: Any]])
        #expect(flow.count == 4 && flow[0]["input"] as? String == "address_country")
    }

    @Test("missing credentials are named (77); a required element no column fills is 64; refused credentials 77")
    func problems() async throws {
        let none = try await CommandRunner.running(["doctor"])
        #expect(none.exitCode == 77)
        #expect(none.stderr.contains("TRUORA_API_KEY") && none.stderr.contains("TRULIOO_CLIENT_ID"))

        let sandbox = try await ExternalSandbox.start()
        defer { Task { await sandbox.stop() } }
        let folder = try CommandRunner.scratchDirectory()
        let input = folder + "/nombres.csv"
        try "Nombres,Fecha de nacimiento\nAna,1980-01-02\n".write(toFile: input, atomically: true, encoding: .utf8)
        let unfilled = try await CommandRunner.running(
            ["doctor", input, "--provider", "trulioo", "--flow-id", Self.flow], environment: sandbox.environment)
        #expect(unfilled.exitCode == 64, "\(unfilled.stderr)")
        #expect(unfilled.stderr.contains("missing: the flow's required element 'Last name'"))

        var wrong = sandbox.environment
        wrong["TRULIOO_CLIENT_SECRET"] = "not-it"
        let refused = try await CommandRunner.running(["doctor", "--provider", "trulioo", "--flow-id", Self.flow],
                                                      environment: wrong)
        #expect(refused.exitCode == 77 && refused.stderr.contains("FAIL POST token"))
        #expect(!refused.stderr.contains("not-it"))
    }
}
