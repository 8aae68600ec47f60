import Foundation

/// Where a ``TruoraClient`` sends its calls and with which key.
public struct TruoraConfiguration: Sendable {
    /// The `Truora-API-Key` (a JWT). Never logged.
    public var apiKey: String
    public var baseURL: String
    /// Batches and Digital Identity's web keys live on the account host (`api.account.truora.com`).
    public var batchBaseURL: String
    /// Process results and WhatsApp live on `api.connect.truora.com`.
    public var connectBaseURL: String
    /// Where a web key opens its flow: the link is `identityURL/?token=KEY`.
    public var identityURL: String
    /// Digital Identity's API (`api.identity.truora.com`): process results and the account's process
    /// list (dev.truora.com/guides/get_result, /guides/download_di_data).
    public var identityAPIBaseURL: String
    public var retry: RetryPolicy

    public static let productionBaseURL = "https://api.checks.truora.com"
    public static let productionBatchBaseURL = "https://api.account.truora.com"
    public static let productionConnectBaseURL = "https://api.connect.truora.com"
    public static let productionIdentityURL = "https://identity.truora.com"
    public static let productionIdentityAPIBaseURL = "https://api.identity.truora.com"

    /// The other hosts default to production's when `baseURL` is production's, and to `baseURL`
    /// otherwise (a sandbox serves them all; it opens flows at `BASE/identity`).
    public init(
        apiKey: String, baseURL: String = productionBaseURL, batchBaseURL: String? = nil,
        connectBaseURL: String? = nil, identityURL: String? = nil, identityAPIBaseURL: String? = nil,
        retry: RetryPolicy = RetryPolicy()
    ) {
        let production = baseURL == Self.productionBaseURL
        self.apiKey = apiKey
        self.baseURL = baseURL.trimmingTrailingSlash
        self.batchBaseURL = (batchBaseURL ?? (production ? Self.productionBatchBaseURL : baseURL)).trimmingTrailingSlash
        self.connectBaseURL =
            (connectBaseURL ?? (production ? Self.productionConnectBaseURL : baseURL)).trimmingTrailingSlash
        self.identityURL =
            (identityURL ?? (production ? Self.productionIdentityURL : baseURL.trimmingTrailingSlash + "/identity"))
            .trimmingTrailingSlash
        self.identityAPIBaseURL =
            (identityAPIBaseURL ?? (production ? Self.productionIdentityAPIBaseURL : baseURL)).trimmingTrailingSlash
        self.retry = retry
    }
}

/// A check to create: country, type, inputs in the order given, consent and de-duplication.
public struct TruoraCheckRequest: Sendable, Equatable {
    public var country: String
    public var type: String
    public var inputs: [(name: String, value: String)]
    /// Sent only when known; never defaulted to true.
    public var userAuthorized: Bool?
    /// false (Truora's default) returns a recent check with the same inputs instead of a new one.
    public var forceCreation: Bool?
    /// `Truora-Priority: low | medium | high`.
    public var priority: String?

    public init(
        country: String, type: String, inputs: [(name: String, value: String)], userAuthorized: Bool? = nil,
        forceCreation: Bool? = nil, priority: String? = nil
    ) {
        self.country = country
        self.type = type
        self.inputs = inputs
        self.userAuthorized = userAuthorized
        self.forceCreation = forceCreation
        self.priority = priority
    }

    public var form: FormBody {
        var form = FormBody()
        form.append("country", country)
        form.append("type", type)
        for (name, value) in inputs where name != "country" && name != "type" && name != "user_authorized" {
            form.append(name, value)
        }
        form.append("user_authorized", userAuthorized)
        form.append("force_creation", forceCreation)
        return form
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.form == rhs.form && lhs.priority == rhs.priority }
}

/// The Truora Checks API: form-encoded requests with `Truora-API-Key`, JSON answers.
public struct TruoraClient: Sendable {
    public let configuration: TruoraConfiguration
    public var executor: RequestExecutor

    public init(configuration: TruoraConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        executor = RequestExecutor(transport: transport, policy: configuration.retry, provider: "truora") { response in
            if let body = try? JSONCoding.decoder().decode(TruoraErrorBody.self, from: Data(response.body)),
                body.code != nil || body.message != nil
            {
                return (body.code, body.message ?? "no message")
            }
            return (nil, response.body.isEmpty ? "empty answer" : "answer is not Truora's error format")
        }
    }

    // MARK: Checks

    /// `POST /v1/checks`. `created` is false when Truora returned an existing check (200) instead
    /// of creating one (201). An ambiguous failure means the check may exist: look it up (list or
    /// create again without `force_creation`) before forcing a new one.
    public func createCheck(_ request: TruoraCheckRequest) async throws(ProviderError) -> (
        output: TruoraCheckOutput, created: Bool
    ) {
        let response = try await postCheck(request)
        let output = try executor.decode(TruoraCheckOutput.self, response, operation: "create check", retrySafe: false)
        return (output, response.status == 201)
    }

    /// `POST /v1/checks`, keeping only the id, status and scores: what a bulk run records. Skipping
    /// the per-database arrays roughly halves the client's CPU per check.
    public func createCheckBrief(_ request: TruoraCheckRequest) async throws(ProviderError) -> (
        brief: TruoraCheckBrief, created: Bool
    ) {
        let response = try await postCheck(request)
        let brief = try executor.decode(TruoraCheckBrief.self, response, operation: "create check", retrySafe: false)
        return (brief, response.status == 201)
    }

    /// `POST /v1/checks`: never resent after an answer that did not come (not idempotent).
    private func postCheck(_ request: TruoraCheckRequest) async throws(ProviderError) -> WireResponse {
        var headers: [(String, String)] = []
        if let priority = request.priority { headers.append(("Truora-Priority", priority)) }
        return try await send(
            "POST", "/v1/checks", form: request.form, headers: headers, operation: "create check", idempotent: false)
    }

    /// `GET /v1/checks/{id}`, keeping only the id, status and scores.
    public func checkBrief(_ checkID: String) async throws(ProviderError) -> TruoraCheckBrief {
        try await get("/v1/checks/\(escapeComponent(checkID))", operation: "get check")
    }

    public func listChecks(startKey: String? = nil, reportID: String? = nil) async throws(ProviderError)
        -> TruoraChecksPage
    {
        try await get(
            "/v1/checks", query: [("start_key", startKey), ("report_id", reportID)], operation: "list checks")
    }

    public func getCheck(_ checkID: String) async throws(ProviderError) -> TruoraCheckOutput {
        try await get("/v1/checks/\(escapeComponent(checkID))", operation: "get check")
    }

    public func checkDetails(_ checkID: String, startKey: String? = nil, lang: String? = nil)
        async throws(ProviderError) -> TruoraDetailsPage
    {
        try await get(
            "/v1/checks/\(escapeComponent(checkID))/details", query: [("start_key", startKey), ("lang", lang)],
            operation: "check details")
    }

    public func summarize(_ checkID: String) async throws(ProviderError) -> TruoraCheckSummary {
        try await get("/v1/checks/\(escapeComponent(checkID))/summarize", operation: "summarize check")
    }

    public func attachments(_ checkID: String) async throws(ProviderError) -> TruoraAttachments {
        try await get("/v1/checks/\(escapeComponent(checkID))/attachments", operation: "check attachments")
    }

    public func deleteCheck(_ checkID: String) async throws(ProviderError) -> TruoraCheckOutput {
        let response = try await send(
            "DELETE", "/v1/checks/\(escapeComponent(checkID))", operation: "delete check",
            idempotent: true)
        return try executor.decode(TruoraCheckOutput.self, response, operation: "delete check", retrySafe: true)
    }

    /// `GET /v1/health`: database status for a local day.
    public func health(country: String, unixTimestampSeconds: Int, timezoneOffsetSeconds: Int)
        async throws(ProviderError) -> [TruoraDatabaseHealth]
    {
        try await get(
            "/v1/health",
            query: [
                ("country", country), ("unixTimestampSeconds", String(unixTimestampSeconds)),
                ("unixtimezoneOffsetSeconds", String(timezoneOffsetSeconds)),
            ],
            operation: "health")
    }

    // MARK: Custom types and settings

    /// `POST /v1/config`; weights by dataset name (`criminal_record`), summing to 1.
    public func createCustomType(country: String, type: String, weights: [String: Double]) async throws(ProviderError)
        -> TruoraConfig
    {
        try await sendDecoding(
            "POST", "/v1/config", form: Self.customTypeForm(country, type, weights),
            operation: "create custom type", idempotent: false)
    }

    public func updateCustomType(country: String, type: String, weights: [String: Double]) async throws(ProviderError)
        -> TruoraConfig
    {
        try await sendDecoding(
            "PUT", "/v1/config", form: Self.customTypeForm(country, type, weights),
            operation: "update custom type", idempotent: true)
    }

    public func listCustomTypes(startKey: String? = nil) async throws(ProviderError) -> TruoraConfig {
        try await get("/v1/config", query: [("start_key", startKey)], operation: "list custom types")
    }

    public func deleteCustomType(country: String, type: String) async throws(ProviderError) -> TruoraConfig {
        try await sendDecoding(
            "DELETE", "/v1/config" + queryString([("country", country), ("type", type)]), form: nil,
            operation: "delete custom type", idempotent: true)
    }

    static func customTypeForm(_ country: String, _ type: String, _ weights: [String: Double]) -> FormBody {
        var form = FormBody([("country", country), ("type", type)])
        for (dataSet, weight) in weights.sorted(by: { $0.key < $1.key }) {
            form.append("dataset_\(dataSet)", LooseDouble(weight).text)
        }
        return form
    }

    /// `POST /v1/settings`.
    public func updateSettings(
        maxDuration: String? = nil, namesMatchingType: String? = nil,
        retries: Bool? = nil
    ) async throws(ProviderError) -> TruoraSettings {
        var form = FormBody()
        form.append("max_duration", maxDuration)
        form.append("names_matching_type", namesMatchingType)
        form.append("retries", retries)
        return try await sendDecoding(
            "POST", "/v1/settings", form: form, operation: "update settings", idempotent: true)
    }

    // MARK: Continuous checks

    public func createContinuousCheck(checkID: String, frequency: String, endDate: String) async throws(ProviderError)
        -> TruoraContinuousCheck
    {
        try await sendDecoding(
            "POST", "/v1/continuous-checks",
            form: FormBody([("check_id", checkID), ("frequency", frequency), ("end_date", endDate)]),
            operation: "create continuous check", idempotent: false)
    }

    public func updateContinuousCheck(
        _ id: String, status: String? = nil, frequency: String? = nil,
        version: String? = nil
    ) async throws(ProviderError) -> TruoraContinuousCheck {
        var form = FormBody()
        form.append("status", status)
        form.append("frequency", frequency)
        form.append("version", version)
        return try await sendDecoding(
            "PUT", "/v1/continuous-checks/\(escapeComponent(id))", form: form,
            operation: "update continuous check", idempotent: true)
    }

    public func listContinuousChecks(startKey: String? = nil) async throws(ProviderError) -> TruoraContinuousChecksPage
    {
        try await get("/v1/continuous-checks", query: [("start_key", startKey)], operation: "list continuous checks")
    }

    public func getContinuousCheck(_ id: String) async throws(ProviderError) -> TruoraContinuousCheck {
        try await get("/v1/continuous-checks/\(escapeComponent(id))", operation: "get continuous check")
    }

    public func continuousCheckHistory(_ id: String, startKey: String? = nil) async throws(ProviderError)
        -> TruoraContinuousHistory
    {
        try await get(
            "/v1/continuous-checks/\(escapeComponent(id))/history", query: [("start_key", startKey)],
            operation: "continuous check history")
    }

    // MARK: PDF

    public func createPDF(_ checkID: String) async throws(ProviderError) -> TruoraPDFLink {
        try await sendDecoding(
            "POST", "/v1/checks/\(escapeComponent(checkID))/pdf", form: nil,
            operation: "create pdf", idempotent: true)
    }

    /// The PDF bytes; 404 until the PDF is ready.
    public func downloadPDF(_ checkID: String, lang: String? = nil) async throws(ProviderError) -> [UInt8] {
        try await send(
            "GET", "/v1/checks/\(escapeComponent(checkID))/pdf" + queryString([("lang", lang)]),
            operation: "download pdf", idempotent: true
        ).body
    }

    // MARK: Batches

    /// `POST /v1/batches`; `columnsMapping` gives each input's 0-based column in the xlsx.
    public func createBatch(
        type: String, country: String, columnsMapping: [String: Int] = [:],
        frequency: String? = nil, endDate: String? = nil
    ) async throws(ProviderError) -> TruoraBatch {
        var form = FormBody([("type", type), ("service", "checks"), ("country", country)])
        for (input, index) in columnsMapping.sorted(by: { $0.value < $1.value }) {
            form.append("columns_mapping.\(input)", String(index))
        }
        form.append("frequency", frequency)
        form.append("end_date", endDate)
        return try await sendDecoding(
            "POST", "/v1/batches", form: form, operation: "create batch",
            idempotent: false, host: .account)
    }

    /// PUTs the xlsx to the batch's upload link (no API key: the link is signed). Single use.
    public func uploadBatchFile(link: String, xlsx: [UInt8]) async throws(ProviderError) {
        let request = WireRequest(
            method: "PUT", url: link,
            headers: [("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")],
            body: xlsx, idempotent: false)
        _ = try await executor.send(request, operation: "upload batch file")
    }

    public func startBatch(_ batchID: String) async throws(ProviderError) -> TruoraBatch {
        try await sendDecoding(
            "POST", "/v1/batches/\(escapeComponent(batchID))/start", form: nil,
            operation: "start batch", idempotent: false, host: .account)
    }

    /// `PUT /v1/batches/{id}`: stops a batch that is not started or in progress.
    public func stopBatch(_ batchID: String) async throws(ProviderError) -> TruoraBatch {
        try await sendDecoding(
            "PUT", "/v1/batches/\(escapeComponent(batchID))", form: FormBody([("status", "stopped")]),
            operation: "stop batch", idempotent: true, host: .account)
    }

    public func getBatch(_ batchID: String) async throws(ProviderError) -> TruoraBatch {
        try await get("/v1/batches/\(escapeComponent(batchID))", operation: "get batch", host: .account)
    }

    public func requestBatchReport(_ batchID: String, format: String = "xlsx") async throws(ProviderError)
        -> TruoraBatchReport
    {
        try await sendDecoding(
            "POST", "/v1/batches/\(escapeComponent(batchID))/report", form: FormBody([("format", format)]),
            operation: "request batch report", idempotent: true, host: .account)
    }

    /// 404 until a report was requested.
    public func getBatchReport(_ batchID: String) async throws(ProviderError) -> TruoraBatchReport {
        try await get("/v1/batches/\(escapeComponent(batchID))/report", operation: "get batch report", host: .account)
    }

    /// Downloads the report file from its (signed) link.
    public func downloadBatchReport(link: String) async throws(ProviderError) -> [UInt8] {
        try await executor.send(WireRequest(method: "GET", url: link), operation: "download batch report").body
    }

    // MARK: Digital Identity

    /// `POST /v1/api-keys` (account host): a web key for one person's validation flow. Not
    /// idempotent: an answer that never came may have made a key (and a process).
    public func createWebKey(_ request: TruoraWebKeyRequest) async throws(ProviderError) -> TruoraWebKey {
        try await sendDecoding(
            "POST", "/v1/api-keys", form: request.form, operation: "create web key", idempotent: false, host: .account)
    }

    /// The link a web key opens.
    public func identityLink(_ key: TruoraWebKey) -> String {
        configuration.identityURL + "/?token=" + FormBody.escape(key.apiKey)
    }

    /// `GET /v1/processes/{id}/result` on the identity API host (dev.truora.com/guides/get_result).
    public func processResult(_ processID: String) async throws(ProviderError) -> TruoraProcessResult {
        try await get("/v1/processes/\(escapeComponent(processID))/result", operation: "get process result",
                      host: .identity)
    }

    /// One page of the account's processes (`GET /v1/processes` on the identity API host,
    /// dev.truora.com/guides/download_di_data), asked for `flowID`'s; the guide shows neither the
    /// query nor the answer, so the page is read tolerantly and the caller filters by flow itself.
    public func listProcesses(flowID: String?, startKey: String? = nil) async throws(ProviderError)
        -> TruoraProcessPage
    {
        try await get("/v1/processes", query: [("flow_id", flowID), ("start_key", startKey)],
                      operation: "list processes", host: .identity)
    }

    // MARK: WhatsApp

    /// Send Outbound Message: `POST /v1/whatsapp/outbounds/send` (connect host), the outbound's id
    /// in the form body as public clients of the real service send it. Not idempotent: a second
    /// send is a second message. Its answer is not public: any 2xx is a sent message.
    public func sendOutbound(_ message: TruoraOutboundSend) async throws(ProviderError) -> TruoraOutboundSent {
        let response = try await send(
            "POST", "/v1/whatsapp/outbounds/send", form: message.form, operation: "send outbound message",
            idempotent: false, host: .connect)
        return TruoraOutboundSent(answer: response.body)
    }

    /// Create Outbound Messages: `POST /v1/whatsapp/outbounds`.
    public func createOutbound(_ message: TruoraOutboundMessage) async throws(ProviderError) -> TruoraOutbound {
        try await sendDecoding("POST", "/v1/whatsapp/outbounds", form: message.form,
                               operation: "create outbound message", idempotent: false, host: .connect)
    }

    /// Update Outbound Message: `PUT /v1/whatsapp/outbounds/{id}` (sent for approval again).
    public func updateOutbound(_ outboundID: String, _ message: TruoraOutboundMessage) async throws(ProviderError)
        -> TruoraOutbound
    {
        try await sendDecoding("PUT", "/v1/whatsapp/outbounds/\(escapeComponent(outboundID))", form: message.form,
                               operation: "update outbound message", idempotent: true, host: .connect)
    }

    /// `GET /v1/whatsapp/outbounds/{id}`: its approval status.
    public func outbound(_ outboundID: String) async throws(ProviderError) -> TruoraOutbound {
        try await get("/v1/whatsapp/outbounds/\(escapeComponent(outboundID))", operation: "get outbound message",
                      host: .connect)
    }

    /// Create Inbound Flows: `POST /v1/whatsapp/inbounds`.
    public func createInbound(_ inbound: TruoraInbound) async throws(ProviderError) -> TruoraInbound {
        try await sendDecoding("POST", "/v1/whatsapp/inbounds", form: inbound.form,
                               operation: "create inbound flow", idempotent: false, host: .connect)
    }

    /// Update Inbound Flow: `PUT /v1/whatsapp/inbounds` (a link made before must be made again).
    public func updateInbound(_ inbound: TruoraInbound) async throws(ProviderError) -> TruoraInbound {
        try await sendDecoding("PUT", "/v1/whatsapp/inbounds", form: inbound.form,
                               operation: "update inbound flow", idempotent: true, host: .connect)
    }

    /// Cancel Campaign: `POST /v1/whatsapp/campaigns/{id}/cancel`.
    public func cancelCampaign(_ campaignID: String) async throws(ProviderError) -> TruoraCampaign {
        try await sendDecoding("POST", "/v1/whatsapp/campaigns/\(escapeComponent(campaignID))/cancel", form: nil,
                               operation: "cancel campaign", idempotent: true, host: .connect)
    }

    /// Put WABA Line config: `PUT /v1/whatsapp/lines/{line}/config`.
    public func configureLine(_ wabaLine: String, defaultFlowID: String?) async throws(ProviderError)
        -> TruoraLineConfig
    {
        var form = FormBody()
        form.append("default_flow_id", defaultFlowID)
        return try await sendDecoding("PUT", "/v1/whatsapp/lines/\(escapeComponent(wabaLine))/config", form: form,
                                      operation: "configure line", idempotent: true, host: .connect)
    }

    /// The `start_key` in a `next` path such as `/v1/checks?start_key=CHK…`; nil on the last page.
    public static func startKey(fromNext next: String?) -> String? {
        guard let next, let question = next.firstIndex(of: "?") else { return nil }
        return FormBody.parse(next[next.index(after: question)...])["start_key"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: Plumbing

    /// Which of Truora's hosts a call goes to.
    enum Host { case checks, account, connect, identity }

    private func get<T: Decodable>(
        _ path: String, query: [(String, String?)] = [], operation: String,
        host: Host = .checks
    ) async throws(ProviderError) -> T {
        let response = try await send(
            "GET", path + queryString(query), operation: operation, idempotent: true, host: host)
        return try executor.decode(T.self, response, operation: operation, retrySafe: true)
    }

    private func sendDecoding<T: Decodable>(
        _ method: String, _ path: String, form: FormBody?, operation: String,
        idempotent: Bool, host: Host = .checks
    ) async throws(ProviderError) -> T {
        let response = try await send(
            method, path, form: form, operation: operation, idempotent: idempotent, host: host)
        return try executor.decode(T.self, response, operation: operation, retrySafe: idempotent)
    }

    private func send(
        _ method: String, _ path: String, form: FormBody? = nil, headers: [(String, String)] = [],
        operation: String, idempotent: Bool, host: Host = .checks
    ) async throws(ProviderError) -> WireResponse {
        var allHeaders = [("Truora-API-Key", configuration.apiKey), ("Accept", "application/json")]
        var body: [UInt8]?
        if let form {
            allHeaders.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.encoded.utf8)
        }
        allHeaders += headers
        let base: String
        switch host {
        case .checks: base = configuration.baseURL
        case .account: base = configuration.batchBaseURL
        case .connect: base = configuration.connectBaseURL
        case .identity: base = configuration.identityAPIBaseURL
        }
        return try await executor.send(
            WireRequest(
                method: method, url: base + path, headers: allHeaders, body: body,
                idempotent: idempotent),
            operation: operation)
    }
}


extension String {
    var trimmingTrailingSlash: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
