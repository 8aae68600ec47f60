import Foundation

/// The paths of the Trulioo calls, relative to the base URL. The defaults are the seed document's
/// `customer/v2` contract; a table for the real `/wfs/interpreter-v2` host can replace them.
public struct TruliooRoutes: Sendable, Equatable {
    public var token = "/customer/v2/auth/customer"
    public var initialise = "/customer/v2/init"
    /// `{userStateId}` is replaced.
    public var flow = "/customer/v2/flow/{userStateId}"
    public var flowFile = "/customer/v2/flow/{userStateId}/file"
    public var flowBack = "/customer/v2/flow/{userStateId}/back"
    public var handoff = "/customer/v2/handoff"
    public var workflows = "/customer/v2/workflows"
    public var profiles = "/customer/v2/profiles"
    /// `{clientId}`, `{fileId}` are replaced.
    public var profile = "/customer/v2/profiles/{clientId}"
    public var profileFile = "/customer/v2/profiles/{clientId}/file/{fileId}"
    public var link = "/customer/v2/endclients/link"
    public var bulkDelete = "/customer/v2/endclients/bulkdelete"
    public var bulkStatus = "/customer/v2/endclients/bulkstatus"
    public var signedURL = "/customer/v2/signedurl"
    public var events = "/customer/v2/events"

    public init() {}

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var path = template
        for (name, value) in values { path = path.replacingOccurrences(of: "{\(name)}", with: escapeComponent(value)) }
        return path
    }
}

/// The Workflow Studio routes Trulioo documents, relative to the base URL (`docs/providers.md`).
public struct WorkflowStudioRoutes: Sendable, Equatable {
    /// `GET`: without `x-hf-session` starts a session, with it answers the current step.
    public var flow = "/wfs/interpreter-v2/flow/{flowId}"
    /// `POST` `{elementId: value}` with `x-hf-session`.
    public var submit = "/wfs/interpreter-v2/submit/{flowId}"
    /// `GET ?endClientId=SESSION`: a one-time link to the hosted flow.
    public var signedURL = "/wfs/interpreter-v2/signed-url/{flowId}"
    /// `GET`: the export record of one end client (its session).
    public var exportClient = "/wfs/export/v2/query/client/{clientId}"

    public init() {}
}

public struct TruliooConfiguration: Sendable {
    public var clientID: String
    /// Never logged.
    public var clientSecret: String
    public var baseURL: String
    /// Where tokens come from: `TRULIOO_AUTH_URL`; else Trulioo's auth host for Workflow Studio on
    /// the production base URL, and the base URL plus the token route otherwise (a sandbox).
    public var tokenURL: String?
    public var scope: String?
    /// Which route table rows go through.
    public var api: TruliooAPI
    public var routes: TruliooRoutes
    public var workflowStudio: WorkflowStudioRoutes
    public var retry: RetryPolicy
    /// A token is renewed this long before it expires.
    public var refreshMargin: Duration

    public static let productionBaseURL = "https://api.trulioo.com"
    /// developer.trulioo.com/reference/authentication-recipe.
    public static let productionTokenURL = "https://auth-api.trulioo.com/connect/token"

    public init(
        clientID: String, clientSecret: String, baseURL: String = productionBaseURL, tokenURL: String? = nil,
        scope: String? = "workflow.studio.api", api: TruliooAPI = .workflowStudio,
        routes: TruliooRoutes = TruliooRoutes(), workflowStudio: WorkflowStudioRoutes = WorkflowStudioRoutes(),
        retry: RetryPolicy = RetryPolicy(), refreshMargin: Duration = .seconds(60)
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.baseURL = baseURL.trimmingTrailingSlash
        self.tokenURL = tokenURL
        self.scope = scope
        self.api = api
        self.routes = routes
        self.workflowStudio = workflowStudio
        self.retry = retry
        self.refreshMargin = refreshMargin
    }

    /// The URL tokens are asked for.
    public var resolvedTokenURL: String {
        if let tokenURL { return tokenURL }
        switch api {
        case .workflowStudio:
            return baseURL == Self.productionBaseURL ? Self.productionTokenURL : baseURL + "/connect/token"
        case .platformV2:
            return baseURL + routes.token
        }
    }
}

/// Holds the OAuth token until shortly before it expires; concurrent callers share one fetch.
actor TokenCache {
    private var token: String?
    private var expires = ContinuousClock.Instant.now
    private var pending: Task<(String, Duration), any Error>?
    private(set) var fetches = 0

    func token(margin: Duration, fetch: @escaping @Sendable () async throws -> (String, Duration)) async throws
        -> String
    {
        if let token, ContinuousClock.now < expires - margin { return token }
        if let pending { return try await pending.value.0 }
        let task = Task { try await fetch() }
        pending = task
        defer { pending = nil }
        let (value, lifetime) = try await task.value
        fetches += 1
        token = value
        expires = ContinuousClock.now + lifetime
        return value
    }

    /// Forgets `rejected` (a 401 answered it); a newer token fetched meanwhile is kept.
    func invalidate(_ rejected: String) {
        if token == rejected { token = nil }
    }
}

/// The Trulioo Platform API: OAuth client-credentials token (cached, refreshed once on a 401),
/// JSON bodies.
public struct TruliooClient: Sendable {
    public let configuration: TruliooConfiguration
    public var executor: RequestExecutor
    let tokens = TokenCache()

    public init(configuration: TruliooConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        executor = RequestExecutor(transport: transport, policy: configuration.retry, provider: "trulioo") { response in
            if let body = try? JSONCoding.decoder().decode(TruliooErrorBody.self, from: Data(response.body)) {
                if let error = body.error { return (.text(error), Self.oauthMessage(error)) }
                if body.code != nil || body.message != nil { return (body.code, body.message ?? "no message") }
            }
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            // Plain-text answers such as `Jwt is expired`; never echo long bodies.
            return (nil, text.isEmpty ? "empty answer" : String(text.prefix(120)))
        }
    }

    static func oauthMessage(_ error: String) -> String {
        switch error {
        case "invalid_client": "the client id or secret was refused (check TRULIOO_CLIENT_ID and TRULIOO_CLIENT_SECRET)"
        case "unsupported_grant_type": "the token endpoint refused the client-credentials grant"
        case "invalid_scope": "the token endpoint refused the scope"
        default: error
        }
    }

    /// Token fetches so far (tests prove the cache and the single refresh).
    public var tokenFetches: Int { get async { await tokens.fetches } }

    // MARK: Token

    /// Fetches a new token (the cache calls this; callers use the cached one).
    public func fetchToken() async throws(ProviderError) -> TruliooAccessToken {
        var form = FormBody([
            ("grant_type", "client_credentials"), ("client_id", configuration.clientID),
            ("client_secret", configuration.clientSecret),
        ])
        form.append("scope", configuration.scope)
        let url = configuration.resolvedTokenURL
        let request = WireRequest(
            method: "POST", url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: Array(form.encoded.utf8), idempotent: true)
        let response: WireResponse
        do {
            response = try await executor.send(request, operation: "token")
        } catch {
            // The token endpoint answers a bad id or secret with 400 invalid_client.
            if error.code == .text("invalid_client") || error.status == 401 {
                var refused = error
                refused.kind = .credentials
                throw refused
            }
            throw error
        }
        return try executor.decode(TruliooAccessToken.self, response, operation: "token", retrySafe: true)
    }

    func bearer() async throws(ProviderError) -> String {
        let margin = configuration.refreshMargin
        do {
            return try await tokens.token(margin: margin) { [self] in
                let token = try await fetchToken()
                return (token.accessToken, .seconds(max(0, token.expiresIn)))
            }
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(
                provider: "trulioo", operation: "token", kind: .unreachable, message: "cancelled",
                retrySafe: true)
        }
    }

    // MARK: Workflow Studio

    /// `GET /wfs/interpreter-v2/flow/{flowId}` without a session: Trulioo starts one and answers its
    /// id in the `x-hf-session` header and the flow's first step in the body. Sending it again
    /// starts another empty session, which costs nothing and holds no data.
    public func startSession(flowID: String) async throws(ProviderError) -> TruliooSession {
        let response = try await authorized(
            "GET", fill(configuration.workflowStudio.flow, ["flowId": flowID]), body: nil, contentType: nil,
            operation: "start session", idempotent: true)
        guard let session = response.header("x-hf-session")?.trimmingCharacters(in: .whitespaces), !session.isEmpty
        else {
            throw executor.unexpected(response, operation: "start session", field: "x-hf-session (header)",
                                      retrySafe: true)
        }
        let step = try executor.decode(TruliooStep.self, response, operation: "start session", retrySafe: true)
        return TruliooSession(id: session, step: step)
    }

    /// The session's current step (`GET flow/{flowId}` with `x-hf-session`): how a session is
    /// resumed, and how a submit whose answer was lost is resolved.
    public func currentStep(flowID: String, session: String) async throws(ProviderError) -> TruliooStep {
        let response = try await authorized(
            "GET", fill(configuration.workflowStudio.flow, ["flowId": flowID]), body: nil, contentType: nil,
            operation: "get step", idempotent: true, headers: [("x-hf-session", session)])
        return try executor.decode(TruliooStep.self, response, operation: "get step", retrySafe: true)
    }

    /// Submits one step's values (`POST submit/{flowId}`, element id → value) and answers the next
    /// step. With `x-hf-retry-on-pending: true` Trulioo waits up to 30 s for a service node before
    /// answering `{"type": "pending"}`. Not idempotent: a lost answer, and even a submit the
    /// transport says never left, is resolved with ``currentStep(flowID:session:)``, never by
    /// submitting again blindly.
    public func submit(flowID: String, session: String, values: [String: JSONValue], retryOnPending: Bool = true)
        async throws(ProviderError) -> TruliooStep
    {
        let response = try await authorized(
            "POST", fill(configuration.workflowStudio.submit, ["flowId": flowID]), body: JSONCoding.encode(values),
            contentType: "application/json", operation: "submit step", idempotent: false,
            headers: [("x-hf-session", session), ("x-hf-retry-on-pending", retryOnPending ? "true" : "false")],
            timeout: retryOnPending ? max(configuration.retry.timeout, .seconds(45)) : nil, resendUnsent: false)
        return try executor.decode(TruliooStep.self, response, operation: "submit step", retrySafe: false)
    }

    /// A one-time link (at most 256 characters) to the hosted flow for `session`
    /// (`GET signed-url/{flowId}?endClientId=`). Trulioo does not print the answer's field name, so
    /// a JSON string, a plain-text URL, or an object with `url`, `signedUrl`, `signedURL` or `link`
    /// are all taken.
    public func signedURL(flowID: String, session: String) async throws(ProviderError) -> String {
        let path = fill(configuration.workflowStudio.signedURL, ["flowId": flowID])
            + queryString([("endClientId", session)])
        let response = try await authorized(
            "GET", path, body: nil, contentType: nil, operation: "signed url", idempotent: false,
            accept: "application/json, text/plain")
        if let url = Self.signedURL(in: response.body) { return url }
        throw executor.unexpected(response, operation: "signed url", field: "url", retrySafe: false)
    }

    /// The URL in a signed-URL answer, however it is written.
    public static func signedURL(in body: [UInt8]) -> String? {
        func isURL(_ text: String) -> Bool { text.hasPrefix("https://") || text.hasPrefix("http://") }
        if let value = try? JSONCoding.decoder().decode(JSONValue.self, from: Data(body)) {
            if let text = value.string, isURL(text) { return text }
            for key in ["url", "signedUrl", "signedURL", "signed_url", "link", "data"] {
                if let text = value[key]?.string, isURL(text) { return text }
                if let text = value[key]?["url"]?.string, isURL(text) { return text }
            }
            return nil
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return isURL(text) && !text.contains(where: \.isWhitespace) ? text : nil
    }

    /// The export record of a session (`GET /wfs/export/v2/query/client/{id}`): status and completion.
    public func exportClient(_ session: String) async throws(ProviderError) -> TruliooClientRecord {
        let response = try await authorized(
            "GET", fill(configuration.workflowStudio.exportClient, ["clientId": session]), body: nil,
            contentType: nil, operation: "export client", idempotent: true)
        return try executor.decode(TruliooClientRecord.self, response, operation: "export client", retrySafe: true)
    }

    private func fill(_ template: String, _ values: [String: String]) -> String {
        TruliooRoutes.fill(template, values)
    }

    // MARK: Flows

    /// `POST init`: a user state per end client, prefilled by role. An `idempotencyKey` (a keyed
    /// hash of the row, say) is sent as `Idempotency-Key`: a server that honours it (the sandbox
    /// does; Trulioo documents none) answers a repeat with the first user state.
    public func initialise(_ request: TruliooInitRequest, idempotencyKey: String? = nil) async throws(ProviderError)
        -> TruliooInitResponse
    {
        try await json(
            "POST", configuration.routes.initialise, body: request, operation: "init",
            idempotent: request.userStateId != nil, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
    }

    public func currentStep(userStateId: String) async throws(ProviderError) -> TruliooFlowStep {
        try await json(
            "GET", flowPath(configuration.routes.flow, userStateId), body: Optional<JSONValue>.none,
            operation: "get flow", idempotent: true)
    }

    /// Submits element id → value for the current step.
    public func submit(userStateId: String, values: [String: JSONValue]) async throws(ProviderError) -> TruliooFlowStep
    {
        try await json(
            "POST", flowPath(configuration.routes.flow, userStateId), body: values, operation: "submit flow",
            idempotent: false)
    }

    public func back(userStateId: String) async throws(ProviderError) -> TruliooFlowStep {
        try await json(
            "POST", flowPath(configuration.routes.flowBack, userStateId), body: Optional<JSONValue>.none,
            operation: "flow back", idempotent: false)
    }

    /// Multipart upload of one file for the current step.
    public func submitFile(
        userStateId: String, fileName: String, contentType: String, bytes: [UInt8],
        elementId: String? = nil
    ) async throws(ProviderError) -> TruliooFlowStep {
        let boundary = "idbatch-\(UInt64.random(in: 0...UInt64.max))"
        var body = [UInt8]()
        func part(_ headers: String, _ content: [UInt8]) {
            body += Array("--\(boundary)\r\n\(headers)\r\n\r\n".utf8) + content + Array("\r\n".utf8)
        }
        if let elementId { part("Content-Disposition: form-data; name=\"elementId\"", Array(elementId.utf8)) }
        let safeName = fileName.replacingOccurrences(of: "\"", with: "")
        part(
            "Content-Disposition: form-data; name=\"file\"; filename=\"\(safeName)\"\r\nContent-Type: \(contentType)",
            bytes)
        body += Array("--\(boundary)--\r\n".utf8)
        let response = try await authorized(
            "POST", flowPath(configuration.routes.flowFile, userStateId), body: body,
            contentType: "multipart/form-data; boundary=\(boundary)",
            operation: "submit file", idempotent: false)
        return try executor.decode(TruliooFlowStep.self, response, operation: "submit file", retrySafe: false)
    }

    public func handoff(userStateId: String) async throws(ProviderError) -> TruliooHandoff {
        try await json(
            "POST", configuration.routes.handoff, body: ["userStateId": JSONValue.string(userStateId)],
            operation: "handoff", idempotent: false)
    }

    // MARK: Workflows and end clients

    public func workflows() async throws(ProviderError) -> [TruliooWorkflow] {
        try await json(
            "GET", configuration.routes.workflows, body: Optional<JSONValue>.none, operation: "workflows",
            idempotent: true)
    }

    public func profiles(limit: Int? = nil, page: Int? = nil) async throws(ProviderError) -> TruliooProfilesPage {
        let query = queryString([("limit", limit.map(String.init)), ("page", page.map(String.init))])
        var page: TruliooProfilesPage = try await json(
            "GET", configuration.routes.profiles + query, body: Optional<JSONValue>.none,
            operation: "profiles", idempotent: true)
        // A bare array (the seed's form) does not say whether more follow: a full page may.
        if page.bare, let limit { page.last = page.profiles.count < limit }
        return page
    }

    public func profile(clientId: String) async throws(ProviderError) -> TruliooProfile {
        try await json(
            "GET", TruliooRoutes.fill(configuration.routes.profile, ["clientId": clientId]),
            body: Optional<JSONValue>.none, operation: "profile", idempotent: true)
    }

    /// A stored file's bytes and content type.
    public func profileFile(clientId: String, fileId: String) async throws(ProviderError) -> (
        bytes: [UInt8], contentType: String?
    ) {
        let response = try await authorized(
            "GET",
            TruliooRoutes.fill(
                configuration.routes.profileFile,
                ["clientId": clientId, "fileId": fileId]),
            body: nil, contentType: nil, operation: "profile file", idempotent: true)
        return (response.body, response.header("content-type"))
    }

    public func link(_ link: TruliooLink) async throws(ProviderError) {
        _ = try await authorized(
            "POST", configuration.routes.link, body: JSONCoding.encode(link),
            contentType: "application/json", operation: "link end clients", idempotent: false)
    }

    public func unlink(_ link: TruliooLink) async throws(ProviderError) {
        _ = try await authorized(
            "DELETE", configuration.routes.link, body: JSONCoding.encode(link),
            contentType: "application/json", operation: "unlink end clients", idempotent: true)
    }

    /// At most 2000 ids per call.
    public func bulkDelete(clientIds: [String]) async throws(ProviderError) -> TruliooBulkDeleteResult {
        try await json(
            "POST", configuration.routes.bulkDelete, body: TruliooBulkDeleteRequest(clientIds: clientIds),
            operation: "bulk delete", idempotent: true)
    }

    /// At most 2000 ids per call; illegal transitions come back in `failed` (4111).
    public func bulkStatus(_ request: TruliooBulkStatusRequest) async throws(ProviderError) -> TruliooBulkStatusResult {
        try await json(
            "POST", configuration.routes.bulkStatus, body: request, operation: "bulk status", idempotent: true)
    }

    public func signedURL(_ request: TruliooSignedURLRequest) async throws(ProviderError) -> TruliooSignedURL {
        try await json(
            "POST", configuration.routes.signedURL, body: request, operation: "signed url", idempotent: false)
    }

    /// Injects an event envelope (accepted with 202).
    public func sendEvent(_ event: JSONValue) async throws(ProviderError) {
        _ = try await authorized(
            "POST", configuration.routes.events, body: JSONCoding.encode(event),
            contentType: "application/json", operation: "send event", idempotent: false)
    }

    // MARK: Plumbing

    private func flowPath(_ template: String, _ userStateId: String) -> String {
        TruliooRoutes.fill(template, ["userStateId": userStateId])
    }

    private func json<Body: Encodable, T: Decodable>(
        _ method: String, _ path: String, body: Body?, operation: String,
        idempotent: Bool, headers: [(String, String)] = []
    ) async throws(ProviderError) -> T {
        let bytes = body.map { JSONCoding.encode($0) }
        let response = try await authorized(
            method, path, body: bytes, contentType: bytes == nil ? nil : "application/json",
            operation: operation, idempotent: idempotent, headers: headers)
        return try executor.decode(T.self, response, operation: operation, retrySafe: idempotent)
    }

    /// Sends with the cached bearer token; a 401 drops the token, fetches a new one and resends
    /// once (a 401 was refused before any effect, so resending is safe).
    private func authorized(
        _ method: String, _ path: String, body: [UInt8]?, contentType: String?, operation: String,
        idempotent: Bool, headers extra: [(String, String)] = [], timeout: Duration? = nil,
        accept: String = "application/json", resendUnsent: Bool = true
    ) async throws(ProviderError) -> WireResponse {
        var refreshed = false
        while true {
            let token = try await bearer()
            var headers = [("Authorization", "Bearer \(token)"), ("Accept", accept)]
            if let contentType { headers.append(("Content-Type", contentType)) }
            headers += extra
            let request = WireRequest(
                method: method, url: configuration.baseURL + path, headers: headers, body: body,
                idempotent: idempotent)
            do {
                return try await executor.send(request, operation: operation, timeout: timeout,
                                               resendUnsent: resendUnsent)
            } catch {
                guard error.status == 401, !refreshed else { throw error }
                refreshed = true
                await tokens.invalidate(token)
            }
        }
    }
}
