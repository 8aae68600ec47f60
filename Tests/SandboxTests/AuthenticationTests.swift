import Foundation
import ProviderAPI
import Sandbox
import Testing

@Suite("The sandbox's authentication and route groups")
struct AuthenticationTests {
    /// One route of each Truora controller; each must refuse a request without a key.
    static let truoraRoutes: [(String, String)] = [
        ("POST", "/v1/checks"), ("GET", "/v1/checks"), ("GET", "/v1/checks/CHK1/details"), ("GET", "/v1/config"),
        ("GET", "/v1/health?country=CO"), ("POST", "/v1/continuous-checks"), ("POST", "/v1/batches"),
        ("GET", "/v1/batches/BTC1/report"),
    ]

    @Test("every Truora route answers 401 without a key, with an expired one, and names the problem")
    func truoraKeys() async throws {
        try await SandboxHTTP.with { http in
            for (method, path) in Self.truoraRoutes {
                let missing = try await http.truora(method, path, key: nil)
                #expect(missing.status == 401, "\(method) \(path)")
                #expect(try JSON.object(missing)["message"]?.string?.contains("header is missing") == true)
                let expired = try await http.truora(method, path, key: Sandbox.truoraKey(expires: Date(timeIntervalSinceNow: -60)))
                #expect(expired.status == 401)
                #expect(try JSON.object(expired)["message"]?.string?.contains("expired") == true)
                let garbled = try await http.truora(method, path, key: "not-a-jwt")
                #expect(garbled.status == 401)
            }
            // A good key reaches the handler, which then judges the request itself.
            #expect(try await http.truora("GET", "/v1/checks").status == 200)
            #expect(try await http.truora("GET", "/v1/checks/CHKmissing").status == 404)
        }
    }

    @Test("the key's version reaches the handler: version 1 requires consent, version 0 does not")
    func keyVersion() async throws {
        try await SandboxHTTP.with { http in
            let form = [("country", "CO"), ("type", "person"), ("national_id", "1032456780")]
            let v0 = try await http.truora("POST", "/v1/checks", key: Sandbox.truoraKey(version: 0), form: form)
            #expect(v0.status == 201)
            let v1 = try await http.truora("POST", "/v1/checks", key: Sandbox.truoraKey(version: 1),
                                           form: [("country", "CO"), ("type", "person"), ("national_id", "1032456781")])
            #expect(v1.status == 400)
        }
    }

    @Test("signed links and the token endpoint take no key; Trulioo routes need a bearer token")
    func openRoutes() async throws {
        try await SandboxHTTP.with({ $0.tokenLifetime = 31_536_000 }) { http in
            // A signed link the sandbox never issued is refused by the link's own rules (S3's XML), not 401.
            let upload = try await http.send("PUT", "/uploads/unknown", body: [1, 2, 3])
            #expect(upload.status == 403)
            #expect(String(decoding: upload.body, as: UTF8.self).contains("<Code>AccessDenied</Code>"))
            #expect(try await http.send("GET", "/files/CHKmissing/1.pdf").status == 404)

            #expect(try await http.send("GET", "/customer/v2/workflows").status == 401)
            #expect(try await http.send("GET", "/customer/v2/profiles",
                                        headers: [("Authorization", "Bearer forged")]).status == 401)
            let token = try await http.truliooToken()
            #expect(!token.isEmpty)
            let workflows = try await http.send("GET", "/customer/v2/workflows",
                                                headers: [("Authorization", "Bearer \(token)")])
            #expect(workflows.status == 200)
        }
    }
}
