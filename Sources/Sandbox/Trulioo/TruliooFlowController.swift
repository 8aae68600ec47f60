import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI

/// Workflow Studio's flow: init, the steps, back, file uploads, handoff, workflows, signed URLs
/// and the hosted page they open (`/s/{token}`, no token needed).
struct TruliooFlowController {
    let state: TruliooState
    let configuration: SandboxConfiguration

    func register(on api: RouterGroup<SandboxContext>, signed router: Router<SandboxContext>) {
        api.post("/init") { request, context in
            try await initialise(request, context)
        }
        api.get("/flow/{userStateId}") { request, context in
            guard let user = await state.state(try context.parameters.require("userStateId")) else {
                return clientNotFound
            }
            return Reply.json(await state.step(user))
        }
        api.post("/flow/{userStateId}") { request, context in
            try await submit(request, context)
        }
        api.post("/flow/{userStateId}/back") { request, context in
            guard var user = await state.state(try context.parameters.require("userStateId")) else {
                return clientNotFound
            }
            guard !user.finished, user.pendingUntil == nil, user.step > 0 else {
                return Reply.truliooError(4103, "Illegal back action")
            }
            user.step -= 1
            await state.save(user)
            return Reply.json(await state.step(user))
        }
        api.post("/flow/{userStateId}/file") { request, context in
            try await file(request, context)
        }
        api.post("/handoff") { request, context in
            let body = try? JSONDecoder().decode(
                [String: String].self, from: Data(try await request.bytes(context)))
            guard let id = body?["userStateId"] else {
                return Reply.truliooError(
                    4006, "Missing data for required element",
                    details: ["field": "userStateId"])
            }
            guard await state.state(id) != nil else { return clientNotFound }
            return Reply.json(TruliooHandoff(shortCode: Identifiers.token(16), expiresInSeconds: 300))
        }
        api.get("/workflows") { _, _ in Reply.json([SandboxWorkflow.definition]) }
        api.post("/signedurl") { request, context in
            try await signedURL(request, context)
        }
        registerHostedPage(on: router)
    }

    /// `/s/{token}`: the page a signed URL opens, once.
    func registerHostedPage(on router: Router<SandboxContext>) {
        router.get("/s/{token}") { _, context in
            switch await state.useSignedURL(try context.parameters.require("token")) {
            case .ok(let id):
                let html = "<!doctype html><title>Verification</title><p>Hosted flow for session \(id)</p>"
                return Reply.bytes(Array(html.utf8), contentType: "text/html; charset=utf-8")
            case .used: return Reply.truliooUnauthorized("invalid token: this link has already been used")
            case .expired: return Reply.truliooUnauthorized("invalid token: this link has expired")
            case .unknown: return Reply.truliooUnauthorized("invalid token")
            }
        }
    }

    private var clientNotFound: Response { Reply.truliooError(4100, "Client not found") }

    private func initialise(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let idempotencyKey, let existing = await state.replay(idempotencyKey: idempotencyKey) {
            return Reply.json(TruliooInitResponse(userStateId: existing))
        }
        guard
            let body = try? JSONDecoder().decode(TruliooInitRequest.self, from: Data(try await request.bytes(context)))
        else {
            return Reply.truliooError(
                4007, "Submitted data is malformed: expected {\"flowId\", \"data\": {role: value}}")
        }
        guard body.flowId == SandboxWorkflow.id else { return Reply.truliooError(4000, "Flow not found") }
        var values: [String: String] = [:]
        for (role, value) in body.data {
            guard let element = SandboxWorkflow.element(role: role) else {
                return Reply.truliooError(
                    4007, "Submitted data is malformed: the flow has no element with role '\(role)'",
                    details: ["role": .string(role)])
            }
            values[element.id] = value
        }
        if let problem = TruliooInputCheck.validate(values) { return problem }
        let key = body.data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
        switch await state.initialise(
            existing: body.userStateId, externalId: body.externalId, language: body.language,
            values: values, inputKey: key, idempotencyKey: idempotencyKey)
        {
        case .success(let id): return Reply.json(TruliooInitResponse(userStateId: id))
        case .failure(let error): return Reply.truliooError(error.code ?? 4007, error.message)
        }
    }

    private func submit(_ request: Request, _ context: SandboxContext) async throws -> Response {
        guard var user = await state.state(try context.parameters.require("userStateId")) else { return clientNotFound }
        if user.finished { return Reply.truliooError(4013, "Flow already finished") }
        if user.pendingUntil != nil { return Reply.json(await state.step(user)) }
        guard
            let body = try? JSONDecoder().decode([String: JSONValue].self, from: Data(try await request.bytes(context)))
        else {
            return Reply.truliooError(4007, "Submitted data is malformed: expected {elementId: value}")
        }
        let form = SandboxWorkflow.forms[user.step]
        for (id, value) in body {
            guard form.elements.contains(where: { $0.id == id }), let text = value.string else {
                return Reply.truliooError(
                    4007, "Submitted data is malformed: element '\(id)' is not on this step",
                    details: ["elementId": .string(id)])
            }
            user.values[id] = text
        }
        for element in form.elements where element.required && (user.values[element.id] ?? "").isEmpty {
            return Reply.truliooError(
                4006, "Missing data for required element", details: ["elementId": .string(element.id)])
        }
        if let problem = TruliooInputCheck.validate(
            user.values.filter { id, _ in form.elements.contains { $0.id == id } })
        {
            return problem
        }
        if user.status == "NOT_STARTED" { user.status = "IN_PROGRESS" }
        user.step += 1
        await state.save(user)
        if user.step >= SandboxWorkflow.forms.count {
            await state.runService(user.id)
        }
        guard let updated = await state.state(user.id) else { return clientNotFound }
        return Reply.json(await state.step(updated))
    }

    private func file(_ request: Request, _ context: SandboxContext) async throws -> Response {
        guard var user = await state.state(try context.parameters.require("userStateId")) else { return clientNotFound }
        if user.finished { return Reply.truliooError(4013, "Flow already finished") }
        guard let contentType = request.headers[.contentType],
            let parts = Multipart.parse(
                try await request.bytes(context),
                contentType: contentType),
            let file = parts.first(where: { $0.name == "file" })
        else {
            return Reply.truliooError(4007, "Submitted data is malformed: send multipart/form-data with a 'file' part")
        }
        let allowed = ["image/png", "image/jpeg", "application/pdf"]
        guard allowed.contains(file.contentType ?? "") else {
            return Reply.truliooError(4008, "Failed validation for submitted data: a file must be PNG, JPEG or PDF")
        }
        guard !file.body.isEmpty, file.body.count <= 10 << 20 else {
            return Reply.truliooError(4008, "Failed validation for submitted data: a file must be at most 10 MB")
        }
        let elementId = parts.first { $0.name == "elementId" }.map { String(decoding: $0.body, as: UTF8.self) }
        user.files[Identifiers.uuid()] = UserState.StoredFile(
            name: file.fileName ?? "upload", contentType: file.contentType!,
            bytes: file.body, elementId: elementId)
        await state.save(user)
        return Reply.json(await state.step(user))
    }

    private func signedURL(_ request: Request, _ context: SandboxContext) async throws -> Response {
        guard
            let body = try? JSONDecoder().decode(
                TruliooSignedURLRequest.self, from: Data(try await request.bytes(context)))
        else {
            return Reply.truliooError(4007, "Submitted data is malformed: expected {\"flowId\"}")
        }
        guard body.flowId == SandboxWorkflow.id else { return Reply.truliooError(4000, "Flow not found") }
        var id = body.userStateId
        if let existing = id {
            guard await state.state(existing) != nil else { return clientNotFound }
        } else {
            switch await state.initialise(
                existing: nil, externalId: nil, language: nil, values: [:], inputKey: "signed-url",
                idempotencyKey: nil)
            {
            case .success(let created): id = created
            case .failure(let error): return Reply.truliooError(error.code ?? 4007, error.message)
            }
        }
        let lifetime = Double(min(max(body.expiresInSeconds ?? 86_400, 60), 7 * 86_400))
        let (token, expires) = await state.signedURL(for: id!, lifetime: lifetime)
        let url = "\(request.origin)/s/\(token)"
        guard url.count <= 256 else { return Reply.truliooError(500, "signed URL longer than 256 characters") }
        return Reply.json(TruliooSignedURL(url: url, expiresAt: await state.timestamp(expires), userStateId: id))
    }
}
