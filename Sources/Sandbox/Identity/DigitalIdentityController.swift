import CheckInputs
import Foundation
import Hummingbird
import ProviderAPI

/// Truora Digital Identity: `POST /v1/api-keys` (web keys that open a validation flow for one
/// person, and backend keys), `GET /v1/processes/{id}/result`, and the page a link opens
/// (`/identity/?token=`, no API key: the token is the key).
struct DigitalIdentityController {
    let state: IdentityState
    let configuration: SandboxConfiguration

    func register(on api: RouterGroup<SandboxContext>, signed router: Router<SandboxContext>) {
        api.post("/api-keys") { request, context in try await createKey(request.form(context)) }
        api.get("/processes/{id}/result") { _, context in
            guard let result = await state.result(try context.parameters.require("id")) else {
                return Reply.truoraError(404, "The process was not found")
            }
            return Reply.json(result)
        }
        // dev.truora.com/guides/download_di_data: "a list of process IDs". Neither the query nor the
        // answer is public; this answers the account's processes, newest last, optionally of one
        // flow, a page at a time with a `next` link as Truora's other lists have.
        api.get("/processes") { request, _ in
            let query = request.query
            let size = configuration.pageSize
            let (page, next) = await state.processes(flowID: query["flow_id"], after: query["start_key"], limit: size)
            var answer: [String: JSONValue] = ["processes": .array(page)]
            answer["next"] = next.map { .string("/v1/processes?start_key=" + $0) } ?? ""
            return Reply.json(JSONValue.object(answer))
        }
        router.get("/identity") { request, _ in await page(request.query["token"]) }
    }

    private func page(_ token: String?) async -> Response {
        guard let token, let process = await state.open(token: token) else {
            return Reply.truoraError(401, "Unauthorized: the link's token is not valid")
        }
        let html = "<!doctype html><title>Identity verification</title>"
            + "<p>Truora sandbox: validation flow \(process.flowID) for process \(process.id)</p>"
        return Reply.bytes(Array(html.utf8), contentType: "text/html; charset=utf-8")
    }

    private func createKey(_ form: FormBody) async -> Response {
        switch form["key_type"] {
        case "backend":
            guard let name = form["key_name"], !name.isEmpty else {
                return Reply.truoraError(400, "key_name is required for a backend key")
            }
            return Reply.json(["api_key": .string(TruoraKey.make(version: 1, expires: nil)),
                               "message": .string("API key \(name) created")] as JSONValue, status: .created)
        case "web":
            break
        default:
            return Reply.truoraError(400, "key_type must be backend or web")
        }
        guard let grant = form["grant"], ["digital-identity", "signals"].contains(grant) else {
            return Reply.truoraError(400, "grant must be digital-identity or signals for a web key")
        }
        guard grant == "digital-identity" else {
            return Reply.json(["api_key": .string(Identifiers.token(48)), "message": "API key created"] as JSONValue,
                              status: .created)
        }
        guard let flowID = form["flow_id"], Self.isFlowID(flowID) else {
            return Reply.truoraError(400, "flow_id must be a flow id such as IPF1a2b3c")
        }
        guard let country = form["country"]?.uppercased(), IdentityInput.countries.contains(country) else {
            return Reply.truoraError(400, "country must be one of " + IdentityInput.countries.sorted().joined(separator: ", "))
        }
        guard let redirect = form["redirect_url"], let url = URL(string: redirect),
            url.scheme == "https" || url.scheme == "http", url.host != nil
        else {
            return Reply.truoraError(400, "redirect_url must be an http or https URL")
        }
        if let type = form["document_type"], !IdentityInput.documentTypes.contains(type) {
            return Reply.truoraError(400, "document_type must be one of " + IdentityInput.documentTypes.joined(separator: ", "))
        }
        let account = form["account_id"] ?? "ACC" + Identifiers.hex(32)
        guard IdentityInput.isAccountID(account) else {
            return Reply.truoraError(400, "account_id must match [a-zA-Z0-9_.-]+")
        }
        let phones = form.fields.filter { $0.name == "phones" }.map(\.value)
        for phone in phones where ValueText.phone(phone) == nil {
            return Reply.truoraError(400, "phones must be phone numbers")
        }
        for email in form.fields.filter({ $0.name == "emails" }).map(\.value) where !ValueText.isEmail(email) {
            return Reply.truoraError(400, "emails must be email addresses")
        }
        let process = await state.startProcess(accountID: account, flowID: flowID, phone: phones.first)
        // As keys seen in public code: `additional_data` is a string holding JSON, with the process.
        var additional: [String: JSONValue] = [
            "country": .string(country), "flow_id": .string(flowID), "redirect_url": .string(redirect),
        ]
        if configuration.webKeyNamesProcess { additional["process_id"] = .string(process.id) }
        let now = Int(Date().timeIntervalSince1970)
        let claims: JSONValue = [
            "account_id": .string(form["account_id"] ?? ""),
            "additional_data": .string(String(decoding: JSONCoding.encode(JSONValue.object(additional)), as: UTF8.self)),
            "client_id": .string("TCI" + Identifiers.hex(32)), "exp": .number(Double(now + 7_200)),
            "grant": "digital-identity", "iat": .number(Double(now)), "key_type": "web",
            "key_name": .string("key_name_\(now)"),
        ]
        let token = TruoraKey.encodeBase64URL("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "."
            + Base64URL.encode(JSONCoding.encode(claims)) + "." + Identifiers.token(43)
        await state.rememberKey(token, process: process.id)
        state.stats.identity { $0.webKeysCreated += 1 }
        // dev.truora.com/guides/web_integration_token: the answer is the key and a message, nothing else.
        return Reply.json(["api_key": .string(token), "message": "API key created successfully"] as JSONValue,
                          status: .created)
    }

    /// `IPF` and letters or digits: what the sandbox accepts as a flow it has.
    static func isFlowID(_ id: String) -> Bool { Identifiers.wellFormed(id, prefix: "IPF") }
}
