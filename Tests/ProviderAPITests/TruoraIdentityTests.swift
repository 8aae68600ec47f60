import Foundation
import ProviderAPI
@testable import Sandbox
import Testing

@Suite("Truora Digital Identity and WhatsApp through the client")
struct TruoraIdentityTests {
    @Test("a web key's link opens its page; the process result decodes, pending then final")
    func webKeys() async throws {
        let request = TruoraWebKeyRequest(
            flowID: "IPFabc123", country: "CO", redirectURL: "https://example.com/done", accountID: "cliente-7",
            documentType: "national-id", phones: ["+573001234567"], emails: ["ana@example.com"])
        // Ten sandbox years: pending throughout the test.
        try await Harness.with({ $0.processDuration = 315_360_000 }) { h in
            let key = try await h.truora.createWebKey(request)
            // The answer names no process; the key's own claims do.
            #expect(key.processID == nil && key.accountID == nil)
            let processID = try #require(key.process)
            let page = try await h.truora.listProcesses(flowID: "IPFabc123")
            #expect(page.processes.map(\.processID) == [processID] && page.processes.first?.accountID == "cliente-7")
            let link = h.truora.identityLink(key)
            #expect(link.hasPrefix(h.baseURL + "/identity/?token="))
            #expect(try await h.get(link).status == 200)
            let pending = try await h.truora.processResult(processID)
            #expect(pending.status == "pending" && !pending.isFinished)
            do {
                _ = try await h.truora.processResult("IDPmissing")
                Issue.record("a missing process was found")
            } catch {
                #expect((error as? ProviderError)?.status == 404)
            }
        }
        try await Harness.with({ $0.processDuration = 1 }) { h in
            let processID = try #require(try await h.truora.createWebKey(request).process)
            var done = try await h.truora.processResult(processID)
            let deadline = ContinuousClock.now + .seconds(10)
            while !done.isFinished, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                done = try await h.truora.processResult(processID)
            }
            // Phone digit 7: the person never used the link.
            #expect(done.status == "failure" && done.declinedReason == "not_used" && done.failureStatus == "expired")
            #expect(done.finalStatus == "failure" && done.accountID == "cliente-7")
        }
    }

    @Test("the process list is read in whatever plausible shape it comes: bare, under a key, with a next page")
    func processPages() throws {
        let entry = #"{"process_id":"IDP1","account_id":"a-1","flow_id":"IPF1","status":"success","creation_date":"2026-01-02T03:04:05Z"}"#
        let forms = ["[\(entry)]", #"{"processes":[\#(entry)],"next":"/v1/processes?start_key=IDP1"}"#,
                     #"{"data":[\#(entry)]}"#, #"{"count":1,"whatever":[\#(entry)],"start_key":"IDP1"}"#]
        for form in forms {
            let page = try JSONDecoder().decode(TruoraProcessPage.self, from: Data(form.utf8))
            #expect(page.processes == [TruoraProcessPage.Entry(
                processID: "IDP1", accountID: "a-1", flowID: "IPF1", status: "success",
                creationDate: Timestamp(parsing: "2026-01-02T03:04:05Z"))], "\(form)")
        }
        #expect(try JSONDecoder().decode(TruoraProcessPage.self, from: Data(forms[1].utf8)).nextStartKey == "IDP1")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(TruoraProcessPage.self, from: Data(#"{"message":"no"}"#.utf8))
        }
        // A send's answer: whatever id it carries is kept; an empty one is still a sent message.
        #expect(TruoraOutboundSent(answer: Array(#"{"message_id":"MSG1"}"#.utf8)).messageID == "MSG1")
        #expect(TruoraOutboundSent(answer: []).processID == nil)
        // A key whose claims hold additional_data as a string of JSON, or as an object.
        func jwt(_ claims: String) -> String { "e30." + Base64URL.encode(Array(claims.utf8)) + ".sig" }
        #expect(TruoraWebKey(apiKey: jwt(#"{"additional_data":"{\"process_id\":\"IDP9\"}"}"#)).process == "IDP9")
        #expect(TruoraWebKey(apiKey: jwt(#"{"additional_data":{"process_id":"IDP8"}}"#)).process == "IDP8")
        #expect(TruoraWebKey(apiKey: jwt(#"{"additional_data":"{}"}"#)).process == nil)
        #expect(TruoraWebKey(apiKey: "not-a-jwt", processID: "IDP7").process == "IDP7")
    }

    @Test("the hosts: production's by default, the base URL's for a sandbox, and each overridable")
    func hosts() {
        let production = TruoraConfiguration(apiKey: "k")
        #expect(production.identityAPIBaseURL == "https://api.identity.truora.com")
        #expect(production.batchBaseURL == "https://api.account.truora.com")
        #expect(production.connectBaseURL == "https://api.connect.truora.com")
        #expect(production.identityURL == "https://identity.truora.com")
        let local = TruoraConfiguration(apiKey: "k", baseURL: "http://127.0.0.1:9/")
        #expect(local.connectBaseURL == "http://127.0.0.1:9" && local.identityURL == "http://127.0.0.1:9/identity")
        let chosen = TruoraConfiguration(apiKey: "k", connectBaseURL: "https://connect.example", identityURL: "https://id.example/")
        #expect(chosen.connectBaseURL == "https://connect.example" && chosen.identityURL == "https://id.example")
    }

    @Test("WhatsApp: create, approve, update an outbound; send; inbound flows; cancel a campaign; line config")
    func whatsApp() async throws {
        try await Harness.with({ $0.outboundApprovalDelay = 0 }) { h in
            let message = TruoraOutboundMessage(
                name: "bienvenida", category: "TRANSACTIONAL", languageCode: "es", content: "Hola {{.name}}",
                isNotification: false, wabaPhoneNumber: "573170000000", continueProcessMessage: "Sí",
                cancelProcessMessage: "No", examples: [("name", "Ana")])
            let created = try await h.truora.createOutbound(message)
            #expect(try await h.truora.outbound(created.outboundID).status == "APPROVED")
            let updated = try await h.truora.updateOutbound(created.outboundID, message)
            #expect(updated.outboundID == created.outboundID)
            let sent = try await h.truora.sendOutbound(TruoraOutboundSend(
                outboundID: created.outboundID, flowID: "IPFabc123", phoneNumber: "3001234560", countryCode: "+57",
                userAuthorized: true, variables: [("name", "Ana")]))
            // Sent: the answer's shape is not public and names no process here.
            #expect(sent.processID == nil)
            let campaignID = await h.sandbox.identity.campaign(for: created.outboundID)
            let campaign = try await h.truora.cancelCampaign(campaignID)
            #expect(campaign.status == "canceled")
            let inbound = try await h.truora.createInbound(TruoraInbound(
                flowID: "IPFabc123", inboundMessage: "Hola Truora", wabaPhoneNumber: "573170000000"))
            #expect(inbound.whatsappLink?.contains("text=Hola%20Truora") == true)
            _ = try await h.truora.updateInbound(inbound)
            let line = try await h.truora.configureLine("573170000000", defaultFlowID: "IPFabc123")
            #expect(line.defaultFlowID == "IPFabc123")
            // A send whose answer is lost is ambiguous: never retried.
            h.sandbox.setFaults(try FaultPlan(parsing: "reset:once@POST /v1/whatsapp"))
            do {
                _ = try await h.truora.sendOutbound(TruoraOutboundSend(
                    outboundID: "OTBother", flowID: "IPFabc123", phoneNumber: "3001234561", countryCode: "+57",
                    userAuthorized: true))
                Issue.record("a lost answer was not reported")
            } catch {
                #expect((error as? ProviderError)?.kind == .ambiguous)
            }
            #expect(h.sandbox.statistics.messagesSent == 2)
        }
    }
}
