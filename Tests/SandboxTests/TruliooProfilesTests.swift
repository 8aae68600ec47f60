import Foundation
import ProviderAPI
import Sandbox
import Testing

@Suite("Trulioo profiles as the seed documents them")
struct TruliooProfilesTests {
    private func initialise(_ http: SandboxHTTP, token: String, count: Int) async throws {
        for _ in 0..<count {
            let body = "{\"flowId\":\"\(Sandbox.truliooFlowID)\",\"data\":{}}"
            let answer = try await http.send(
                "POST", "/customer/v2/init",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: Array(body.utf8))
            #expect(answer.status == 200 || answer.status == 201)
        }
    }

    @Test("GET profiles answers a bare array by default, pages by limit and page")
    func bareArray() async throws {
        // A token that outlives a slow machine (the default hour is six seconds at 600x).
        try await SandboxHTTP.with({ $0.tokenLifetime = 31_536_000 }) { http in
            let token = try await http.truliooToken()
            try await initialise(http, token: token, count: 3)
            let auth = [("Authorization", "Bearer \(token)")]
            let all = try JSON.value(try await http.send("GET", "/customer/v2/profiles", headers: auth))
            #expect(all.array?.count == 3)
            let second = try JSON.value(try await http.send("GET", "/customer/v2/profiles?limit=2&page=1", headers: auth))
            #expect(second.array?.count == 1)
            #expect(second.array?.first?["clientId"]?.string?.isEmpty == false)
        }
    }

    @Test("with pagedProfiles the answer is {data, last}, and the client reads both forms")
    func paged() async throws {
        try await SandboxHTTP.with({ $0.pagedProfiles = true; $0.tokenLifetime = 31_536_000 }) { http in
            let token = try await http.truliooToken()
            try await initialise(http, token: token, count: 3)
            let auth = [("Authorization", "Bearer \(token)")]
            let first = try JSON.object(try await http.send("GET", "/customer/v2/profiles?limit=2&page=0", headers: auth))
            #expect(first["data"]?.array?.count == 2)
            #expect(first["last"] == .bool(false))
        }
        for paged in [false, true] {
            try await SandboxHTTP.with({ $0.pagedProfiles = paged }) { http in
                let client = TruliooClient(
                    configuration: TruliooConfiguration(clientID: "sandbox", clientSecret: "sandbox",
                                                        baseURL: http.baseURL),
                    transport: http.transport)
                for _ in 0..<3 { _ = try await client.initialise(TruliooInitRequest(flowId: Sandbox.truliooFlowID, data: [:])) }
                let first = try await client.profiles(limit: 2, page: 0)
                #expect(first.profiles.count == 2 && !first.last, "paged: \(paged)")
                let second = try await client.profiles(limit: 2, page: 1)
                #expect(second.profiles.count == 1 && second.last, "paged: \(paged)")
            }
        }
    }
}
