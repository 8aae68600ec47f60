import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI

/// Trulioo Workflow Studio as Trulioo documents it (developer.trulioo.com/reference/workflow-studio-api,
/// /reference/submit, /reference/signed_url; the interpreter-v2 and export Redoc pages; see
/// `docs/providers.md`): `GET /wfs/interpreter-v2/flow/{flowId}` starts a session (its id in the
/// `x-hf-session` answer header) or, with that header, answers the current step;
/// `POST /wfs/interpreter-v2/submit/{flowId}` takes `{elementId: value}`; the signed link; and
/// the export API's record of a session. Every answer is built here from the documents' shapes,
/// never from the client's models.
struct WorkflowStudioController {
    let state: TruliooState
    let configuration: SandboxConfiguration

    static let session = HTTPField.Name("x-hf-session")!
    static let retryOnPending = HTTPField.Name("x-hf-retry-on-pending")!

    func register(on api: RouterGroup<SandboxContext>, export: RouterGroup<SandboxContext>) {
        api.get("/flow/{flowId}") { request, context in
            let flowID = try context.parameters.require("flowId")
            guard SandboxWorkflow.flowIDs.contains(flowID) else { return flowNotFound }
            guard let id = request.headers[Self.session] else {
                let user = await state.startSession(flowID: flowID)
                return step(user)
            }
            guard let user = await state.state(id) else { return clientNotFound }
            guard user.flowID == flowID else { return Reply.truliooError(4101, "Client has no flow with given ID") }
            return step(user)
        }
        api.post("/submit/{flowId}") { request, context in try await submit(request, context) }
        api.get("/signed-url/{flowId}") { request, context in try await signedURL(request, context) }
        api.post("/signed-url/{flowId}") { request, context in try await signedURL(request, context) }
        export.get("/query/client/{clientId}") { _, context in
            guard let user = await state.state(try context.parameters.require("clientId")) else {
                return clientNotFound
            }
            return Reply.json(await exportRecord(user))
        }
    }

    private var clientNotFound: Response { Reply.truliooError(4100, "Client not found") }
    private var flowNotFound: Response { Reply.truliooError(4000, "Flow not found") }

    /// The session's current step as the interpreter writes it, with the session header.
    private func step(_ user: UserState) -> Response {
        let headers: HTTPFields = [Self.session: user.id]
        if user.pendingUntil != nil { return Reply.json(["type": "pending"] as JSONValue, headers: headers) }
        switch SandboxWorkflow.node(flowID: user.flowID, step: user.step) {
        case .form(let form):
            let elements: [JSONValue] = form.elements.map { .object($0.json) }
            let first = user.step == 0
            return Reply.json(
                [
                    "id": .string(form.id), "title": .string(form.title), "subtitle": "",
                    "canGoBack": .bool(!first), "elements": .array(elements),
                ] as JSONValue, headers: headers)
        case .docV:
            return Reply.json(
                [
                    "canGoBack": true, "id": .string(SandboxWorkflow.docVNodeID),
                    "shortCode": .string(Identifiers.token(16)), "type": "trulioo_doc_v",
                ] as JSONValue, headers: headers)
        case .service, .end:
            var end: [String: JSONValue] = [
                "id": .string(SandboxWorkflow.endNodeID), "redirectUrl": "",
                "text": "Thank you. Your verification is complete.",
            ]
            if let type = configuration.truliooEndStepType { end["type"] = .string(type) }
            return Reply.json(JSONValue.object(end), headers: headers)
        }
    }

    private func submit(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let flowID = try context.parameters.require("flowId")
        guard SandboxWorkflow.flowIDs.contains(flowID) else { return flowNotFound }
        let bytes = try await request.bytes(context)
        var user: UserState
        if let id = request.headers[Self.session] {
            guard let found = await state.state(id) else { return clientNotFound }
            guard found.flowID == flowID else { return Reply.truliooError(4101, "Client has no flow with given ID") }
            user = found
        } else {
            // Documented: the session may be left out to submit the first form node directly.
            user = await state.startSession(flowID: flowID)
        }
        if user.finished { return Reply.truliooError(4013, "Flow already finished") }
        if user.pendingUntil != nil { return step(user) }
        guard case .form(let form) = SandboxWorkflow.node(flowID: flowID, step: user.step) else {
            return Reply.truliooError(4014, "Invalid submit data: this step is not a form")
        }
        guard let body = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes)) else {
            return Reply.truliooError(4007, "Submitted data is malformed: expected {elementId: value}")
        }
        var values = user.values
        for (id, value) in body {
            guard form.elements.contains(where: { $0.id == id }), let text = value.string, value.object == nil else {
                return Reply.truliooError(
                    4007, "Submitted data is malformed: element '\(id)' is not on this step",
                    details: ["elementId": .string(id)])
            }
            values[id] = text
        }
        for element in form.elements where element.required && (values[element.id] ?? "").isEmpty {
            return Reply.truliooError(
                4006, "Missing data for required element", details: ["elementId": .string(element.id)])
        }
        if let problem = TruliooInputCheck.validate(values.filter { id, _ in form.elements.contains { $0.id == id } }) {
            return problem
        }
        user.values = values
        if user.status == "NOT_STARTED" { user.status = "IN_PROGRESS" }
        user.step += 1
        await state.save(user)
        if case .form = SandboxWorkflow.node(flowID: flowID, step: user.step) {
        } else {
            // The forms are done: the person's data, all of it, counts once (a second session with the
            // same data would be a duplicate).
            let key = SandboxWorkflow.elements.compactMap { element in
                values[element.id].map { "\(element.id)=\($0)" }
            }.sorted().joined(separator: "|")
            await state.countSubmitted(user, inputKey: key)
        }
        if case .service = SandboxWorkflow.node(flowID: flowID, step: user.step) {
            await state.runService(user.id, slowFor: configuration.truliooSlowService)
        }
        guard var updated = await state.state(user.id) else { return clientNotFound }
        // Documented: with x-hf-retry-on-pending the interpreter waits up to 30 s for a service node.
        if request.headers[Self.retryOnPending]?.lowercased() == "true", let until = updated.pendingUntil {
            let wait = min(30, max(0, until - (await state.now)))
            try? await Task.sleep(for: .seconds(wait / max(configuration.speed, 0.000_001)))
            updated = await state.state(user.id) ?? updated
        }
        return step(updated)
    }

    private func signedURL(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let flowID = try context.parameters.require("flowId")
        guard SandboxWorkflow.flowIDs.contains(flowID) else { return flowNotFound }
        var id = request.query["endClientId"]
        if let existing = id {
            guard await state.state(existing) != nil else { return clientNotFound }
        } else {
            // Documented: without an end client id a new user state is created.
            id = await state.startSession(flowID: flowID).id
        }
        let (token, _) = await state.signedURL(for: id!, lifetime: 86_400)
        let url = "\(request.origin)/s/\(token)"
        guard url.count <= 256 else { return Reply.truliooError(500, "signed URL longer than 256 characters") }
        return Reply.json(["signedUrl": .string(url)] as JSONValue)
    }

    /// The export API's client record: `id`, `created`/`lastModified` in epoch milliseconds,
    /// `status`, and per flow `completed`, `fieldData` and `serviceData`.
    private func exportRecord(_ user: UserState) async -> JSONValue {
        var fieldData: [String: JSONValue] = [:]
        for element in SandboxWorkflow.elements {
            guard let value = user.values[element.id] else { continue }
            var field: [String: JSONValue] = [
                "id": .string(element.id), "name": .string(element.name), "value": [.string(value)],
            ]
            if !element.role.isEmpty { field["role"] = .string(element.role) }
            fieldData[element.id] = .object(field)
        }
        var flow: [String: JSONValue] = [
            "id": .string(user.flowID), "completed": .bool(user.finished), "fieldData": .object(fieldData),
            "fileData": [:], "enhancedFileData": [:],
        ]
        if let ran = user.serviceRan {
            flow["serviceData"] = [
                [
                    "timestamp": .number((await state.timestamp(ran).date.timeIntervalSince1970).rounded()),
                    "serviceStatus": user.pendingUntil == nil ? "COMPLETED" : "PENDING",
                    "nodeId": .string(SandboxWorkflow.serviceNodeID), "nodeTitle": "Person Match",
                    "match": .bool(user.outcome == "ACCEPTED"),
                ]
            ]
        }
        let created = await state.timestamp(user.created).date.timeIntervalSince1970 * 1000
        let modified = await state.timestamp(user.updated).date.timeIntervalSince1970 * 1000
        return [
            "id": .string(user.id), "ownerIds": [], "created": .number(created.rounded()),
            "lastModified": .number(modified.rounded()), "profileType": "PERSON", "status": .string(user.status),
            "statusManuallyChanged": .bool(user.statusManuallyChanged),
            "flowData": .object([user.flowID: .object(flow)]), "notes": [], "tasks": [],
        ]
    }
}
