import Foundation
import ProviderAPI
import Sandbox
import Testing

/// The Workflow Studio client against the strict sandbox, which answers only the routes and shapes
/// Trulioo documents (`docs/providers.md`).
@Suite("Trulioo Workflow Studio against the strict sandbox")
struct WorkflowStudioTests {
    static let flow = Sandbox.truliooFlowID

    static func strict(_ configuration: inout SandboxConfiguration) {
        configuration.strict = true
        configuration.tokenLifetime = 360_000
    }

    @Test("a session starts with its id in x-hf-session, forms go by element id, the end step and the export record")
    func sessionToEnd() async throws {
        try await Harness.with(Self.strict) { h in
            let session = try await h.trulioo.startSession(flowID: Self.flow)
            #expect(UUID(uuidString: session.id) != nil)
            #expect(session.step.kind == .form && session.step.title == "Your details")
            #expect(session.step.elements.map(\.role) == ["address_country", "first_name", "last_name", "dob"])
            #expect(session.step.elements.allSatisfy { $0.required })
            let ids = Dictionary(uniqueKeysWithValues: session.step.elements.map { ($0.role ?? "", $0.id) })
            // A required element left out: 400, code 4006, and the step stays.
            let missing = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submit(flowID: Self.flow, session: session.id, values: [ids["first_name"]!: "Jane"])
            }
            #expect(missing?.status == 400 && missing?.code == .number(4006))
            #expect(try await h.trulioo.currentStep(flowID: Self.flow, session: session.id).title == "Your details")
            var step = try await h.trulioo.submit(
                flowID: Self.flow, session: session.id,
                values: [ids["address_country"]!: "CO", ids["first_name"]!: "Jane", ids["last_name"]!: "Doe",
                         ids["dob"]!: "1990-04-12"])
            #expect(step.kind == .form && step.title == "Identity and contact")
            // An element with a GlobalGateway name and no role, as Trulioo's example shows one.
            #expect(step.elements.contains { $0.normalizedName == "MiddleName" && $0.role == nil })
            let national = try #require(step.elements.first { $0.role == "national_id_nr" })
            step = try await h.trulioo.submit(flowID: Self.flow, session: session.id,
                                              values: [national.id: "1032456780"])
            #expect(step.kind == .end)
            let record = try await h.trulioo.exportClient(session.id)
            #expect(record.id == session.id && record.status == "ACCEPTED")
            #expect(record.isCompleted(flowID: Self.flow))
            let finished = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submit(flowID: Self.flow, session: session.id, values: [:])
            }
            #expect(finished?.code == .number(4013))
            let link = try await h.trulioo.signedURL(flowID: Self.flow, session: session.id)
            #expect(link.hasPrefix(h.baseURL + "/s/") && link.count <= 256)
            #expect(h.sandbox.statistics.count("GET /wfs/interpreter-v2/signed-url/{flowId}") == 1)
            #expect(await h.trulioo.tokenFetches == 1)
        }
    }

    @Test("a DocV step waits for the person; a slow service answers pending past Trulioo's 30 s, then ends")
    func docVAndPending() async throws {
        try await Harness.with({ Self.strict(&$0); $0.truliooSlowService = 3_000 }) { h in
            let document = try await h.trulioo.startSession(flowID: Sandbox.truliooDocumentFlowID)
            let ids = Dictionary(uniqueKeysWithValues: document.step.elements.map { ($0.role ?? "", $0.id) })
            let details: [String: JSONValue] = [ids["address_country"]!: "CO", ids["first_name"]!: "Ana",
                                                ids["last_name"]!: "Ruiz", ids["dob"]!: "1985-01-02"]
            let docV = try await h.trulioo.submit(flowID: Sandbox.truliooDocumentFlowID, session: document.id,
                                                  values: details)
            #expect(docV.kind == .person && docV.type == "trulioo_doc_v" && docV.shortCode?.isEmpty == false)
            #expect(docV.label == "trulioo_doc_v")

            let slow = try await h.trulioo.startSession(flowID: Self.flow)
            _ = try await h.trulioo.submit(flowID: Self.flow, session: slow.id, values: details)
            let form = try await h.trulioo.currentStep(flowID: Self.flow, session: slow.id)
            let national = try #require(form.elements.first { $0.role == "national_id_nr" })
            // National ID ending in 8: the service runs 3,000 sandbox seconds (5 s here); Trulioo waits 30, then says pending.
            let pending = try await h.trulioo.submit(flowID: Self.flow, session: slow.id, values: [national.id: "1032456788"])
            #expect(pending.kind == .pending)
            #expect(try await h.trulioo.exportClient(slow.id).status == "IN_PROGRESS")
            #expect(try await h.eventually(within: .seconds(30)) {
                try await h.trulioo.currentStep(flowID: Self.flow, session: slow.id).kind == .end
            })
        }
    }

    @Test("each token answer Trulioo documents is taken", arguments: SandboxConfiguration.TokenForm.allCases)
    func tokenForms(form: SandboxConfiguration.TokenForm) async throws {
        try await Harness.with({ Self.strict(&$0); $0.truliooTokenForm = form }) { h in
            let token = try await h.trulioo.fetchToken()
            #expect(!token.accessToken.isEmpty && token.expiresIn == 360_000)
            _ = try await h.trulioo.startSession(flowID: Self.flow)
            // The direct fetch, then the client's own for its cache.
            #expect(h.sandbox.statistics.count("POST /connect/token", status: 200) == 2)
        }
    }

    @Test("an end step without a type is still the end")
    func untypedEnd() async throws {
        try await Harness.with({ Self.strict(&$0); $0.truliooEndStepType = nil }) { h in
            let session = try await h.trulioo.startSession(flowID: Self.flow)
            let ids = Dictionary(uniqueKeysWithValues: session.step.elements.map { ($0.role ?? "", $0.id) })
            _ = try await h.trulioo.submit(
                flowID: Self.flow, session: session.id,
                values: [ids["address_country"]!: "CO", ids["first_name"]!: "Jane", ids["last_name"]!: "Doe",
                         ids["dob"]!: "1990-04-12"])
            let end = try await h.trulioo.submit(flowID: Self.flow, session: session.id, values: [:])
            #expect(end.type == nil && end.kind == .end && end.label == "end")
        }
    }

    @Test("the strict sandbox refuses the seed's reconstructed routes and any other path as Truora's gateway does")
    func strictPaths() async throws {
        try await Harness.with(Self.strict) { h in
            for (method, path) in [("POST", "/customer/v2/init"), ("GET", "/wfs/interpreter-v2/nothing"),
                                   ("POST", "/v1/whatsapp/outbounds/OTB123/send"), ("GET", "/v2/checks")] {
                let answer = try await h.request(method, path)
                #expect(answer.status == 403, "\(method) \(path)")
                #expect(answer.text.contains("Missing Authentication Token"))
            }
        }
    }

    @Test("token answers in every documented form, and signed-URL answers in every plausible one, are read")
    func tolerantDecoding() throws {
        let forms = [
            #"{"access_token":"a.b.c","expires_in":1800,"token_type":"Bearer","scope":"workflow.studio.api"}"#,
            #"{"Token":"a.b.c","TokenType":"bearer","ExpiresIn":3599,"scope":"workflow.studio.api"}"#,
            #"{"accessToken":"a.b.c","expires":0}"#,
        ]
        let lifetimes = try forms.map { try JSONDecoder().decode(TruliooAccessToken.self, from: Data($0.utf8)).expiresIn }
        #expect(lifetimes == [1800, 3599, 3600])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TruliooAccessToken.self, from: Data("{}".utf8)) }
        let url = "https://flows.trulioo.com/s/abc"
        for body in [#"{"signedUrl":"\#(url)"}"#, #"{"url":"\#(url)","expiresAt":"x"}"#, #""\#(url)""#, url,
                     #"{"data":{"url":"\#(url)"}}"#] {
            #expect(TruliooClient.signedURL(in: Array(body.utf8)) == url, "\(body)")
        }
        #expect(TruliooClient.signedURL(in: Array(#"{"message":"ok"}"#.utf8)) == nil)
    }
}

/// Passes requests to the real transport and rewrites the answers, as a provider that changed its
/// answers would.
struct RewritingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let rewrite: @Sendable (WireRequest, WireResponse) -> WireResponse

    func send(_ request: WireRequest, timeout: Duration) async throws(TransportFailure) -> WireResponse {
        rewrite(request, try await inner.send(request, timeout: timeout))
    }
}

/// Answers kept for a support ticket. `@unchecked Sendable`: every access holds the lock.
final class KeptAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(String, Int, String)] = []
    func append(_ item: (String, Int, String)) { lock.withLock { items.append(item) } }
    var all: [(String, Int, String)] { lock.withLock { items } }
}

@Suite("answers without what a run needs")
struct UnexpectedAnswerTests {
    @Test("a session answer without x-hf-session, a step without JSON shape: provider_answer_unexpected, kept")
    func missingSessionHeader() async throws {
        try await Harness.with(WorkflowStudioTests.strict) { h in
            let rewriting = RewritingTransport(inner: h.transport) { request, response in
                guard request.url.contains("/wfs/interpreter-v2/flow/") else { return response }
                var changed = response
                changed.headers.removeAll { $0.0 == "x-hf-session" }
                if request.headers.contains(where: { $0.0 == "x-hf-session" }) {
                    changed.status = 200
                    changed.body = Array(#"{"elements": "1032456780"}"#.utf8)
                }
                return changed
            }
            var client = TruliooClient(configuration: h.trulioo.configuration, transport: rewriting)
            let kept = KeptAnswers()
            client.executor.keepAnswer = { operation, status, body in
                kept.append((operation, status, String(decoding: body, as: UTF8.self)))
            }
            let error = await #expect(throws: ProviderError.self) {
                try await client.startSession(flowID: WorkflowStudioTests.flow)
            }
            #expect(error?.kind == .unexpectedAnswer && error?.stableCode == "provider_answer_unexpected")
            #expect(error?.message.contains("x-hf-session") == true)
            let shape = await #expect(throws: ProviderError.self) {
                try await client.currentStep(flowID: WorkflowStudioTests.flow, session: "s-1")
            }
            #expect(shape?.kind == .unexpectedAnswer && shape?.message.contains("elements") == true)
            #expect(kept.all.map(\.0) == ["start session", "get step"] && kept.all.allSatisfy { $0.1 == 200 })
        }
    }

    @Test("a kept answer keeps its shape and codes; names, IDs, dates and tokens are masked")
    func masking() {
        let text = #"{"api_key":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln","national_id":"123.456.789-09","#
            + #""first_name":"DIANA","status":"pending","type":"trulioo_doc_v","score":0.9,"ok":true,"#
            + #""process_id":"IDPf755a0c1b2","items":[{"dob":"1990-04-12"}]}"#
        let masked = Redact.answer(text)
        for secret in ["eyJhbGciOiJIUzI1NiJ9", "123.456.789-09", "DIANA", "IDPf755a0c1", "1990-04-12"] {
            #expect(!masked.contains(secret), "\(secret)")
        }
        #expect(masked.contains(#""status":"pending""#) && masked.contains(#""type":"trulioo_doc_v""#))
        #expect(masked.contains(#""score":0.9"#) && masked.contains("•••c1b2(13)"))
        // Not JSON: digit runs and tokens.
        let plain = Redact.answer("<html>id 1032456780 key eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln</html>")
        #expect(!plain.contains("1032456780") && plain.contains("•••6780") && plain.contains("•••(token)"))
    }
}
