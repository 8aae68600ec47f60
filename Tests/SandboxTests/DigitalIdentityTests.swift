import Foundation
import ProviderAPI
@testable import Sandbox
import Testing

/// The process a web key answer's JWT names in its `additional_data` claim (a string of JSON).
func keyProcess(_ answer: [String: JSONValue]) -> String? {
    answer["api_key"]?.string.flatMap { TruoraWebKey.keyClaims($0)?["process_id"]?.string }
}

@Suite("Digital Identity in the sandbox: web keys, the page a link opens, process results")
struct DigitalIdentityTests {
    static let flow = "IPFa1b2c3d4"

    func key(_ http: SandboxHTTP, account: String? = nil, phone: String? = nil, extra: [(String, String)] = [])
        async throws -> WireResponse
    {
        var form = [("key_type", "web"), ("grant", "digital-identity"), ("country", "CO"), ("flow_id", Self.flow),
                    ("redirect_url", "https://example.com/done")]
        if let account { form.append(("account_id", account)) }
        if let phone { form.append(("phones", phone)) }
        return try await http.truora("POST", "/v1/api-keys", form: form + extra)
    }

    @Test("a web key answers {api_key, message} only; its JWT names the process; the link's page opens; the result is pending, then success")
    func lifecycle() async throws {
        // A process that cannot end during the test (ten sandbox years) is pending...
        try await SandboxHTTP.with({ $0.processDuration = 315_360_000 }) { http in
            let answer = try JSON.object(try await key(http, account: "cliente-001", phone: "+573001234560"))
            #expect(Set(answer.keys) == ["api_key", "message"])
            let token = try #require(answer["api_key"]?.string)
            let process = try #require(keyProcess(answer))
            #expect(TruoraWebKey.keyClaims(token)?["flow_id"]?.string == Self.flow)
            #expect(process.hasPrefix("IDP"))
            // The account's processes, listed on the identity API: this one, with its account.
            let list = try JSON.object(try await http.truora("GET", "/v1/processes?flow_id=\(Self.flow)"))
            let entry = try #require(list["processes"]?.array?.first)
            #expect(entry["process_id"]?.string == process && entry["account_id"]?.string == "cliente-001")
            #expect(try await http.send("GET", "/identity/?token=\(token)").status == 200)
            #expect(try await http.send("GET", "/identity/?token=forged").status == 401)
            let pending = try JSON.object(try await http.truora("GET", "/v1/processes/\(process)/result"))
            #expect(pending["status"]?.string == "pending" && pending["account_id"]?.string == "cliente-001")
            #expect(try await http.truora("GET", "/v1/processes/IDPmissing/result").status == 404)
        }
        // ...and one that ends after a sandbox second is soon over.
        try await SandboxHTTP.with({ $0.processDuration = 1 }) { http in
            let answer = try JSON.object(try await key(http, account: "cliente-001", phone: "+573001234560"))
            let process = try #require(keyProcess(answer))
            var done: [String: JSONValue] = [:]
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                try await Task.sleep(for: .milliseconds(20))
                done = try JSON.object(try await http.truora("GET", "/v1/processes/\(process)/result"))
            } while done["status"]?.string == "pending" && ContinuousClock.now < deadline
            #expect(done["status"]?.string == "success")
            #expect(done["declined_reason"] == nil || done["declined_reason"] == .null)
        }
    }

    @Test("every declined_reason the seed lists is reachable by account id; phone digits 7, 8 and 9 too")
    func outcomes() async throws {
        try await SandboxHTTP.with({ $0.processDuration = 1 }) { http in
            var processes: [(String, String)] = []
            for reason in TruoraProcessResult.declinedReasons {
                let answer = try JSON.object(try await key(http, account: "test-\(reason)"))
                processes.append((reason, try #require(keyProcess(answer))))
            }
            var byDigit: [String: String] = [:]
            for digit in ["7", "8", "9", "0"] {
                let answer = try JSON.object(try await key(http, phone: "+57300123456\(digit)"))
                byDigit[digit] = keyProcess(answer)
            }
            try await Task.sleep(for: .milliseconds(50))
            for (reason, id) in processes {
                let result = try JSON.object(try await http.truora("GET", "/v1/processes/\(id)/result"))
                #expect(result["status"]?.string == "failure", "\(reason)")
                #expect(result["declined_reason"]?.string == reason)
            }
            func result(_ digit: String) async throws -> [String: JSONValue] {
                try JSON.object(try await http.truora("GET", "/v1/processes/\(byDigit[digit]!)/result"))
            }
            #expect(try await result("7")["declined_reason"]?.string == "not_used")
            let overridden = try await result("8")
            #expect(overridden["status"]?.string == "failure" && overridden["override_status"]?.string == "success")
            #expect(overridden["override_status_history"]?.array?.count == 1)
            #expect(try await result("9")["declined_reason"]?.string == "validation_not_finished")
            #expect(try await result("0")["status"]?.string == "success")
        }
    }

    @Test("what a web key needs is checked and named: flow, country, redirect, account, document type")
    func refusals() async throws {
        try await SandboxHTTP.with { http in
            func message(_ form: [(String, String)]) async throws -> (Int, String) {
                let answer = try await http.truora("POST", "/v1/api-keys", form: form)
                return (answer.status, try JSON.object(answer)["message"]?.string ?? "")
            }
            let base = [("key_type", "web"), ("grant", "digital-identity"), ("country", "CO"),
                        ("flow_id", Self.flow), ("redirect_url", "https://example.com/done")]
            func without(_ name: String) -> [(String, String)] { base.filter { $0.0 != name } }
            #expect(try await message(without("flow_id")).1.contains("flow_id"))
            #expect(try await message(without("redirect_url")).1.contains("redirect_url"))
            #expect(try await message(without("country") + [("country", "US")]).1.contains("country"))
            #expect(try await message(base + [("account_id", "con espacio")]).1.contains("account_id"))
            #expect(try await message(base + [("document_type", "cedula")]).1.contains("document_type"))
            #expect(try await message([("key_type", "other")]).0 == 400)
            let backend = try await http.truora("POST", "/v1/api-keys", form: [("key_type", "backend"), ("key_name", "ops")])
            #expect(backend.status == 201)
            #expect(try await message(base).0 == 201)
        }
    }
}

@Suite("WhatsApp in the sandbox: outbound messages, sends, inbound flows, campaigns, lines")
struct WhatsAppTests {
    static let send = [("user_authorized", "true"), ("country_code", "+57"), ("phone_number", "3001234560"),
                       ("flow_id", "IPFa1b2c3")]

    /// `POST /v1/whatsapp/outbounds/send` with the outbound in the form, as clients of the real service send.
    static func sendPath(_ http: SandboxHTTP, _ outbound: String, _ form: [(String, String)]) async throws
        -> WireResponse
    {
        try await http.truora("POST", "/v1/whatsapp/outbounds/send", form: [("outbound_id", outbound)] + form)
    }

    @Test("an outbound the sandbox has not seen is approved: a send starts a process, found by its account")
    func unseenOutbound() async throws {
        try await SandboxHTTP.with({ $0.processDuration = 36_000 }) { http in
            let answer = try await Self.sendPath(http, "OTBfromdashboard",
                                                 Self.send + [("var.name", "Ana"), ("account_id", "cliente-wa")])
            #expect(answer.status == 200)
            #expect(try JSON.object(answer)["process_id"] == nil)
            let list = try JSON.object(try await http.truora("GET", "/v1/processes"))
            let entry = try #require(list["processes"]?.array?.first { $0["account_id"]?.string == "cliente-wa" })
            let process = try #require(entry["process_id"]?.string)
            // The campaign is the dashboard's; the sandbox's own record of it stands in here.
            let campaign = await http.running.sandbox.identity.campaign(for: "OTBfromdashboard")
            let cancel = try JSON.object(try await http.truora("POST", "/v1/whatsapp/campaigns/\(campaign)/cancel"))
            #expect(cancel["status"]?.string == "canceled" && cancel["canceled_processes"] == .number(1))
            let result = try JSON.object(try await http.truora("GET", "/v1/processes/\(process)/result"))
            #expect(result["status"]?.string == "failure" && result["declined_reason"]?.string == "not_used")
            #expect(try await http.truora("POST", "/v1/whatsapp/campaigns/CMPmissing/cancel").status == 404)
        }
    }

    @Test("sends are refused without consent, with a bad phone, code, flow or outbound id")
    func sendRefusals() async throws {
        try await SandboxHTTP.with { http in
            func sendStatus(_ outbound: String, replacing name: String, with value: String) async throws -> Int {
                let form = Self.send.filter { $0.0 != name } + [(name, value)]
                return try await Self.sendPath(http, outbound, form).status
            }
            let refused1 = try await sendStatus("OTBx1", replacing: "user_authorized", with: "false")
            #expect(refused1 == 400)
            let refused2 = try await sendStatus("OTBx1", replacing: "phone_number", with: "+573001234560")
            #expect(refused2 == 400)
            let refused3 = try await sendStatus("OTBx1", replacing: "country_code", with: "57")
            #expect(refused3 == 400)
            let refused4 = try await sendStatus("OTBx1", replacing: "flow_id", with: "flow")
            #expect(refused4 == 400)
            let refused5 = try await sendStatus("not-an-outbound", replacing: "flow_id", with: "IPFa1")
            #expect(refused5 == 400)
        }
    }

    static let outboundForm = [
        ("outbound_name", "bienvenida"), ("category", "TRANSACTIONAL"), ("language_code", "es"),
        ("template_type", "TEXT"), ("content", "Hola {{.name}}, ¿empezamos?"), ("is_notification", "false"),
        ("waba_phone_number", "573170000000"), ("continue_process_message", "Sí"), ("cancel_process_message", "No"),
    ]

    @Test("a created outbound is pending until approved and cannot be sent; an update goes back to pending")
    func pendingOutbound() async throws {
        // Approval takes ten sandbox years: never during the test.
        try await SandboxHTTP.with({ $0.outboundApprovalDelay = 315_360_000 }) { http in
            let form = Self.outboundForm
            let noExample = try await http.truora("POST", "/v1/whatsapp/outbounds", form: form)
            #expect(noExample.status == 400)
            #expect(try JSON.object(noExample)["message"]?.string?.contains("var.name") == true)
            let created = try JSON.object(try await http.truora("POST", "/v1/whatsapp/outbounds",
                                                                 form: form + [("var.name", "Ana")]))
            let id = try #require(created["outbound_id"]?.string)
            #expect(created["status"]?.string == "PENDING")
            let early = try await Self.sendPath(http, id, Self.send + [("var.name", "Ana")])
            #expect(early.status == 400)
            #expect(try JSON.object(early)["message"]?.string?.contains("PENDING") == true)
            let updated = try await http.truora("PUT", "/v1/whatsapp/outbounds/\(id)", form: form + [("var.name", "Eva")])
            #expect(try JSON.object(updated)["status"]?.string == "PENDING")
            #expect(try await http.truora("PUT", "/v1/whatsapp/outbounds/OTBmissing", form: form + [("var.name", "Eva")]).status == 404)
        }
    }

    @Test("an approved outbound is sent only with every variable of its text")
    func approvedOutbound() async throws {
        try await SandboxHTTP.with({ $0.outboundApprovalDelay = 0 }) { http in
            let created = try JSON.object(try await http.truora("POST", "/v1/whatsapp/outbounds",
                                                                 form: Self.outboundForm + [("var.name", "Ana")]))
            let id = try #require(created["outbound_id"]?.string)
            #expect(try JSON.object(try await http.truora("GET", "/v1/whatsapp/outbounds/\(id)"))["status"]?.string == "APPROVED")
            let missingVariable = try await Self.sendPath(http, id, Self.send)
            #expect(missingVariable.status == 400)
            #expect(try JSON.object(missingVariable)["message"]?.string?.contains("var.name") == true)
            let sent = try await Self.sendPath(http, id, Self.send + [("var.name", "Ana")])
            #expect(sent.status == 200)
        }
    }

    @Test("inbound flows: one per message and line, with the wa.me link; line config takes a flow id")
    func inboundAndLines() async throws {
        try await SandboxHTTP.with { http in
            let form = [("flow_id", "IPFa1b2"), ("inbound_message", "Hola Truora"), ("waba_phone_number", "57317770000")]
            let created = try await http.truora("POST", "/v1/whatsapp/inbounds", form: form)
            #expect(created.status == 201)
            #expect(try JSON.object(created)["whatsapp_link"]?.string
                    == "https://api.whatsapp.com/send/?phone=57317770000&text=Hola%20Truora")
            #expect(try await http.truora("POST", "/v1/whatsapp/inbounds", form: form).status == 409)
            #expect(try await http.truora("PUT", "/v1/whatsapp/inbounds", form: form).status == 200)
            let line = try await http.truora("PUT", "/v1/whatsapp/lines/57317770000/config", form: [("default_flow_id", "IPFa1b2")])
            #expect(try JSON.object(line)["default_flow_id"]?.string == "IPFa1b2")
            #expect(try await http.truora("PUT", "/v1/whatsapp/lines/57317770000/config", form: [("default_flow_id", "x")]).status == 400)
            #expect(try await http.truora("PUT", "/v1/whatsapp/lines/57317770000/config", key: nil, form: []).status == 401)
        }
    }
}
