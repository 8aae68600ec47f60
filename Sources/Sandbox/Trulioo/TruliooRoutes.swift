import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI

/// The Trulioo Platform API at the seed document's `customer/v2` paths, plus `/connect/token`.
struct TruliooRoutes {
    let state: TruliooState
    let configuration: SandboxConfiguration

    func add(to router: Router<SandboxContext>) {
        router.post("/customer/v2/auth/customer") { request, context in try await token(request, context) }
        router.post("/connect/token") { request, context in try await token(request, context) }
        let api = router.group("/customer/v2")
        api.post("/init") { request, context in
            try await authorized(request) {
                try await initialise(request, context)
            }
        }
        api.get("/flow/{userStateId}") { request, context in
            try await authorized(request) {
                guard let user = await state.state(try context.parameters.require("userStateId")) else {
                    return clientNotFound
                }
                return Reply.json(await state.step(user))
            }
        }
        api.post("/flow/{userStateId}") { request, context in
            try await authorized(request) {
                try await submit(request, context)
            }
        }
        api.post("/flow/{userStateId}/back") { request, context in
            try await authorized(request) {
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
        }
        api.post("/flow/{userStateId}/file") { request, context in
            try await authorized(request) {
                try await file(request, context)
            }
        }
        api.post("/handoff") { request, context in
            try await authorized(request) {
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
        }
        api.get("/workflows") { request, _ in try await authorized(request) { Reply.json([SandboxWorkflow.definition]) }
        }
        api.get("/profiles") { request, _ in
            try await authorized(request) {
                let q = request.query
                let limit = min(max(q["limit"].flatMap(Int.init) ?? 50, 1), 1000)
                let page = max(q["page"].flatMap(Int.init) ?? 0, 0)
                let (users, last) = await state.profiles(limit: limit, page: page)
                var profiles: [TruliooProfile] = []
                for user in users { profiles.append(await state.profile(user)) }
                return Reply.json(TruliooProfilesPage(profiles: profiles, last: last))
            }
        }
        api.get("/profiles/{clientId}") { request, context in
            try await authorized(request) {
                guard let user = await state.state(try context.parameters.require("clientId")) else {
                    return clientNotFound
                }
                return Reply.json(await state.profile(user))
            }
        }
        api.get("/profiles/{clientId}/file/{fileId}") { request, context in
            try await authorized(request) {
                guard let user = await state.state(try context.parameters.require("clientId")) else {
                    return clientNotFound
                }
                guard let file = user.files[try context.parameters.require("fileId")] else {
                    return Reply.truliooError(404, "File not found")
                }
                return Reply.bytes(file.bytes, contentType: file.contentType)
            }
        }
        api.post("/endclients/link") { request, context in
            try await authorized(request) {
                try await link(request, context, create: true)
            }
        }
        api.delete("/endclients/link") { request, context in
            try await authorized(request) {
                try await link(request, context, create: false)
            }
        }
        api.post("/endclients/bulkdelete") { request, context in
            try await authorized(request) {
                guard
                    let body = try? JSONDecoder().decode(
                        TruliooBulkDeleteRequest.self, from: Data(try await request.bytes(context)))
                else { return Reply.truliooError(4007, "Submitted data is malformed: expected {\"clientIds\": [...]}") }
                guard body.clientIds.count <= 2000 else {
                    return Reply.truliooError(
                        4008, "Failed validation for submitted data: at most 2000 clientIds per call")
                }
                let (deleted, missing) = await state.delete(body.clientIds)
                return Reply.json(TruliooBulkDeleteResult(deleted: deleted, notFound: missing))
            }
        }
        api.post("/endclients/bulkstatus") { request, context in
            try await authorized(request) {
                guard
                    let body = try? JSONDecoder().decode(
                        TruliooBulkStatusRequest.self, from: Data(try await request.bytes(context)))
                else {
                    return Reply.truliooError(
                        4007, "Submitted data is malformed: expected {\"clientIds\": [...], \"status\": ...}")
                }
                guard body.clientIds.count <= 2000 else {
                    return Reply.truliooError(
                        4008, "Failed validation for submitted data: at most 2000 clientIds per call")
                }
                let statuses: Set<String> = [
                    "NOT_STARTED", "IN_PROGRESS", "ABANDONED", "ACCEPTED", "DECLINED", "PENDING_REVIEW",
                ]
                guard statuses.contains(body.status) else {
                    return Reply.truliooError(
                        4007,
                        "Submitted data is malformed: status must be one of "
                            + statuses.sorted().joined(separator: ", "))
                }
                return Reply.json(await state.setStatus(body.clientIds, to: body.status))
            }
        }
        api.post("/signedurl") { request, context in
            try await authorized(request) {
                try await signedURL(request, context)
            }
        }
        api.post("/events") { request, context in
            try await authorized(request) {
                guard
                    case .object? = try? JSONDecoder().decode(
                        JSONValue.self, from: Data(try await request.bytes(context)))
                else {
                    return Reply.truliooError(4007, "Submitted data is malformed: an event is a JSON object")
                }
                state.stats.event()
                return Response(status: .accepted)
            }
        }
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

    private func authorized(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return Reply.truliooUnauthorized()
        }
        guard await state.tokenValid(String(header.dropFirst(7))) else {
            return Reply.truliooUnauthorized("Jwt is expired")
        }
        return try await body()
    }

    // MARK: Handlers

    private func token(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let form = try await request.form(context)
        let headers: HTTPFields = [.cacheControl: "no-store"]
        guard form["grant_type"] == "client_credentials" else {
            return Reply.json(
                TruliooErrorBody(oauthError: "unsupported_grant_type"), status: .badRequest, headers: headers)
        }
        // Basic authentication carries the credentials too.
        var id = form["client_id"], secret = form["client_secret"]
        if let basic = request.headers[.authorization], basic.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            id = String(decoded[..<colon])
            secret = String(decoded[decoded.index(after: colon)...])
        }
        guard id == configuration.truliooClientID, secret == configuration.truliooClientSecret else {
            return Reply.json(TruliooErrorBody(oauthError: "invalid_client"), status: .badRequest, headers: headers)
        }
        let token = await state.issueToken(lifetime: Double(configuration.tokenLifetime))
        return Reply.json(
            TruliooAccessToken(
                accessToken: token, expiresIn: configuration.tokenLifetime,
                scope: form["scope"] ?? "workflow.studio.api"), headers: headers)
    }

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

    private func link(_ request: Request, _ context: SandboxContext, create: Bool) async throws -> Response {
        guard let link = try? JSONDecoder().decode(TruliooLink.self, from: Data(try await request.bytes(context)))
        else {
            return Reply.truliooError(4007, "Submitted data is malformed: expected {\"from\", \"to\", \"type\"}")
        }
        guard ["RELATES_TO", "DUPLICATE_OF", "OWNS", "OWNED_BY"].contains(link.type) else {
            return Reply.truliooError(
                4007, "Submitted data is malformed: type must be RELATES_TO, DUPLICATE_OF, OWNS or OWNED_BY")
        }
        switch await state.link(link, create: create) {
        case .done: return Response(status: create ? .created : .noContent)
        case .missingClient: return clientNotFound
        case .exists:
            return Reply.json(["code": JSONValue.number(409), "message": "the link already exists"], status: .conflict)
        case .absent: return Reply.json(["code": JSONValue.number(404), "message": "no such link"], status: .notFound)
        }
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

/// Checks Trulioo values (element id → value) with the project's own format rules.
enum TruliooInputCheck {
    static func validate(_ values: [String: String]) -> Response? {
        var record: [(name: String, value: String)] = []
        var elementByRole: [String: String] = [:]
        for (id, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let element = SandboxWorkflow.element(id: id) else { continue }
            record.append((element.role, value))
            elementByRole[element.role] = id
        }
        var settings = CheckSettings(provider: .trulioo)
        settings.dateOrder = .dayFirst
        guard let outcome = try? RowValidator.validate(record: record, settings: settings) else { return nil }
        guard let issue = outcome.errors.first(where: { $0.code != RowIssue.Code.emptyRow.rawValue }) else {
            return nil
        }
        return Reply.truliooError(
            4008, "Failed validation for submitted data: \(issue.text(.en))",
            details: ["elementId": .string(elementByRole[issue.column] ?? issue.column)])
    }
}

/// Just enough multipart/form-data to take a file and a few fields.
enum Multipart {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        var body: [UInt8]
    }

    static func parse(_ body: [UInt8], contentType: String) -> [Part]? {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let range = contentType.range(of: "boundary=")
        else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<i + delimiter.count]) == delimiter {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var chunk = Array(body[start + delimiter.count..<end])
            if chunk.starts(with: [13, 10]) { chunk.removeFirst(2) }
            if chunk.suffix(2) == [13, 10] { chunk.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: chunk) else { continue }
            let headerText = String(decoding: chunk[..<split], as: UTF8.self)
            var part = Part(name: "", body: Array(chunk[(split + 4)...]))
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = parameter("name", in: line) ?? ""
                    part.fileName = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                        .lowercased()
                }
            }
            parts.append(part)
        }
        return parts
    }

    private static func parameter(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: " \(name)=\"") ?? line.range(of: ";\(name)=\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<i + needle.count]) == needle { return i }
        return nil
    }
}
