import Foundation

/// Where a ``TruoraClient`` sends its calls and with which key.
public struct TruoraConfiguration: Sendable {
    /// The `Truora-API-Key` (a JWT). Never logged.
    public var apiKey: String
    public var baseURL: String
    /// Batches live on another host (`api.account.truora.com`).
    public var batchBaseURL: String
    public var retry: RetryPolicy

    public static let productionBaseURL = "https://api.checks.truora.com"
    public static let productionBatchBaseURL = "https://api.account.truora.com"

    public init(
        apiKey: String, baseURL: String = productionBaseURL, batchBaseURL: String? = nil,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.apiKey = apiKey
        self.baseURL = baseURL.trimmingTrailingSlash
        self.batchBaseURL =
            (batchBaseURL ?? (baseURL == Self.productionBaseURL ? Self.productionBatchBaseURL : baseURL))
            .trimmingTrailingSlash
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
            idempotent: false, batch: true)
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
            operation: "start batch", idempotent: false, batch: true)
    }

    /// `PUT /v1/batches/{id}`: stops a batch that is not started or in progress.
    public func stopBatch(_ batchID: String) async throws(ProviderError) -> TruoraBatch {
        try await sendDecoding(
            "PUT", "/v1/batches/\(escapeComponent(batchID))", form: FormBody([("status", "stopped")]),
            operation: "stop batch", idempotent: true, batch: true)
    }

    public func getBatch(_ batchID: String) async throws(ProviderError) -> TruoraBatch {
        try await get("/v1/batches/\(escapeComponent(batchID))", operation: "get batch", batch: true)
    }

    public func requestBatchReport(_ batchID: String, format: String = "xlsx") async throws(ProviderError)
        -> TruoraBatchReport
    {
        try await sendDecoding(
            "POST", "/v1/batches/\(escapeComponent(batchID))/report", form: FormBody([("format", format)]),
            operation: "request batch report", idempotent: true, batch: true)
    }

    /// 404 until a report was requested.
    public func getBatchReport(_ batchID: String) async throws(ProviderError) -> TruoraBatchReport {
        try await get("/v1/batches/\(escapeComponent(batchID))/report", operation: "get batch report", batch: true)
    }

    /// Downloads the report file from its (signed) link.
    public func downloadBatchReport(link: String) async throws(ProviderError) -> [UInt8] {
        try await executor.send(WireRequest(method: "GET", url: link), operation: "download batch report").body
    }

    /// The `start_key` in a `next` path such as `/v1/checks?start_key=CHK…`; nil on the last page.
    public static func startKey(fromNext next: String?) -> String? {
        guard let next, let question = next.firstIndex(of: "?") else { return nil }
        return FormBody.parse(next[next.index(after: question)...])["start_key"].flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: Plumbing

    private func get<T: Decodable>(
        _ path: String, query: [(String, String?)] = [], operation: String,
        batch: Bool = false
    ) async throws(ProviderError) -> T {
        let response = try await send(
            "GET", path + queryString(query), operation: operation, idempotent: true, batch: batch)
        return try executor.decode(T.self, response, operation: operation, retrySafe: true)
    }

    private func sendDecoding<T: Decodable>(
        _ method: String, _ path: String, form: FormBody?, operation: String,
        idempotent: Bool, batch: Bool = false
    ) async throws(ProviderError) -> T {
        let response = try await send(
            method, path, form: form, operation: operation, idempotent: idempotent, batch: batch)
        return try executor.decode(T.self, response, operation: operation, retrySafe: idempotent)
    }

    private func send(
        _ method: String, _ path: String, form: FormBody? = nil, headers: [(String, String)] = [],
        operation: String, idempotent: Bool, batch: Bool = false
    ) async throws(ProviderError) -> WireResponse {
        var allHeaders = [("Truora-API-Key", configuration.apiKey), ("Accept", "application/json")]
        var body: [UInt8]?
        if let form {
            allHeaders.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.encoded.utf8)
        }
        allHeaders += headers
        let base = batch ? configuration.batchBaseURL : configuration.baseURL
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
