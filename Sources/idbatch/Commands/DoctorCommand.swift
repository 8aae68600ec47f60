import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
import ProviderAPI
import Sandbox

/// `idbatch doctor`: before a first real run, with real credentials, makes only calls that cost
/// nothing and says whether a run could start: the credentials and hosts used, the proxy and CAs,
/// each call's answer, and the Trulioo flow's elements against what the file or job fills.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check credentials, hosts, network and the Trulioo flow with calls that cost nothing.",
        discussion: """
            Run it before the first real run. Truora: GET /v1/health (the job's country, else CO) and \
            GET /v1/config, neither of which creates a check. Trulioo: a token, and with a flow (--flow-id or \
            the job file's trulioo: flow_id) one session start, which leaves one empty session in the \
            account (no data is submitted) and shows the flow's first step: each element, whether it is \
            required, and the input and column or constant that fills it (give INPUT to match a real \
            file's header). Prints which credentials and hosts it used (never a secret), the proxy and CA \
            bundles in use, and what is missing. Without --provider or --job it checks each provider whose \
            credentials are set. Exit 0 when a run could start; otherwise the code of the first problem: \
            64 a flow element nothing fills, 69 a provider or proxy that cannot be reached, 77 credentials \
            missing or refused, 78 a bad job file.
            """
    )

    @Argument(help: "A CSV or xlsx file whose header the Trulioo flow's elements are matched against.")
    var input: String?

    @Option(help: ArgumentHelp("The job file a run will use.", valueName: "FILE"))
    var job: String?

    @Option(help: "truora-checks, truora-batch, trulioo, truora-di or truora-whatsapp (default: the job file's, else each provider with credentials).")
    var provider: Provider?

    @Option(help: ArgumentHelp("trulioo: the Workflow Studio flow to read (default: the job file's).", valueName: "ID"))
    var flowID: String?

    @Option(help: ArgumentHelp("Country of the rows (default: the job file's); Truora's health is read for it.", valueName: "CC"))
    var country: String?

    @Flag(help: "Print the findings as one JSON object on stdout.")
    var json = false

    @Flag(help: "Check against a sandbox started in this process (no credentials; nothing real).")
    var sandbox = false

    @OptionGroup var inputOptions: InputOptions

    func run() async throws {
        var jobFile = JobFile(settings: CheckSettings())
        if let job {
            do {
                jobFile = try JobFile.load(path: job)
            } catch {
                FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
                throw ExitCode(ExitStatus.configuration)
            }
        }
        if let provider { jobFile.settings.provider = provider }
        if let country {
            guard let code = ValueText.country(country) else {
                FileHandleOutput.stderr("idbatch: error: --country takes a two-letter code such as CO\n")
                throw ExitCode(ExitStatus.usage)
            }
            jobFile.settings.country = code
        }
        let environment = ProviderAPI.Environment()
        var report = DoctorReport()
        let network = sandbox ? NetworkSettings.direct : NetworkSettings(environment: environment.variables)
        report.network = sandbox ? ["sandbox in this process: loopback, no proxy"] : network.summary
        if !network.problems.isEmpty { report.fail(ExitStatus.unavailable) }
        let transport = AsyncHTTPTransport(connectionsPerHost: 2, settings: network)
        var running: RunningSandbox?
        defer { Task { [running] in await running?.stop() } }
        var truoraConfiguration: Result<TruoraConfiguration, ProviderAPI.Environment.Missing>
        var truliooConfiguration: Result<TruliooConfiguration, ProviderAPI.Environment.Missing>
        let api = jobFile.trulioo?.api.flatMap(TruliooAPI.init(rawValue:)) ?? .workflowStudio
        let retry = RetryPolicy(maxAttempts: 2, timeout: .seconds(45))
        var flow = flowID ?? jobFile.trulioo?.flowID
        if sandbox {
            var configuration = SandboxConfiguration()
            configuration.strict = api == .workflowStudio
            let started = try await Sandbox(configuration: configuration).start()
            running = started
            truoraConfiguration = .success(TruoraConfiguration(
                apiKey: Sandbox.truoraKey(), baseURL: started.baseURL, retry: retry))
            truliooConfiguration = .success(TruliooConfiguration(
                clientID: configuration.truliooClientID, clientSecret: configuration.truliooClientSecret,
                baseURL: started.baseURL, api: api, retry: retry))
            flow = flow ?? Sandbox.truliooFlowID
        } else {
            truoraConfiguration = Result { () throws(ProviderAPI.Environment.Missing) in try environment.truora(retry: retry) }
            truliooConfiguration = Result { () throws(ProviderAPI.Environment.Missing) in
                try environment.trulioo(api: api, retry: retry)
            }
        }
        // Which providers: the one asked for, else each whose credentials are set (both if neither is).
        let asked = provider != nil || job != nil
        var wantTruora = asked ? jobFile.settings.provider.usesTruora : (try? truoraConfiguration.get()) != nil
        var wantTrulioo = asked ? jobFile.settings.provider == .trulioo : (try? truliooConfiguration.get()) != nil
        if !wantTruora && !wantTrulioo {
            wantTruora = true
            wantTrulioo = true
        }
        if wantTruora { report.providers.append(await truora(truoraConfiguration, transport, jobFile, &report)) }
        if wantTrulioo {
            report.providers.append(await trulioo(truliooConfiguration, transport, jobFile, flow: flow, &report))
        }
        await transport.shutdown()
        await running?.stop()
        running = nil
        if json {
            FileHandleOutput.stdout(report.json())
        } else {
            for line in report.lines() { Console.note(line) }
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    private func truora(_ found: Result<TruoraConfiguration, ProviderAPI.Environment.Missing>,
                        _ transport: AsyncHTTPTransport, _ job: JobFile, _ report: inout DoctorReport) async
        -> DoctorReport.Provider
    {
        var section = DoctorReport.Provider(name: "truora")
        let configuration: TruoraConfiguration
        switch found {
        case .failure(let missing):
            section.missing.append(missing.reason)
            report.fail(ExitStatus.credentials)
            return section
        case .success(let value): configuration = value
        }
        section.credentials = [DoctorReport.describeKey(configuration.apiKey)]
        section.hosts = [
            "checks": configuration.baseURL, "account (batches, web keys)": configuration.batchBaseURL,
            "connect (WhatsApp)": configuration.connectBaseURL, "identity API (processes)": configuration.identityAPIBaseURL,
            "links people open": configuration.identityURL,
        ]
        let client = TruoraClient(configuration: configuration, transport: transport)
        let country = job.settings.country.flatMap { $0 == "ALL" ? nil : $0 } ?? "CO"
        let now = Int(Date().timeIntervalSince1970)
        do {
            let databases = try await client.health(country: country, unixTimestampSeconds: now, timezoneOffsetSeconds: 0)
            section.calls.append(.init(call: "GET /v1/health?country=\(country)", ok: true,
                                       detail: "\(databases.count) database(s) reported"))
        } catch {
            section.calls.append(.init(error, call: "GET /v1/health?country=\(country)"))
            report.fail(DoctorReport.exitCode(error))
        }
        do {
            let config = try await client.listCustomTypes()
            let types = config.scoreConfigs.values.reduce(0) { $0 + $1.count }
            section.calls.append(.init(call: "GET /v1/config", ok: true, detail: "\(types) custom type(s)"))
        } catch {
            section.calls.append(.init(error, call: "GET /v1/config"))
            report.fail(DoctorReport.exitCode(error))
        }
        return section
    }

    private func trulioo(_ found: Result<TruliooConfiguration, ProviderAPI.Environment.Missing>,
                         _ transport: AsyncHTTPTransport, _ job: JobFile, flow: String?,
                         _ report: inout DoctorReport) async -> DoctorReport.Provider
    {
        var section = DoctorReport.Provider(name: "trulioo")
        let configuration: TruliooConfiguration
        switch found {
        case .failure(let missing):
            section.missing.append(missing.reason)
            report.fail(ExitStatus.credentials)
            return section
        case .success(let value): configuration = value
        }
        section.credentials = ["TRULIOO_CLIENT_ID set (\(configuration.clientID.prefix(4))…)", "TRULIOO_CLIENT_SECRET set"]
        section.hosts = ["API (\(configuration.api.rawValue))": configuration.baseURL,
                         "token": configuration.resolvedTokenURL]
        let client = TruliooClient(configuration: configuration, transport: transport)
        do {
            let token = try await client.fetchToken()
            section.calls.append(.init(call: "POST token", ok: true,
                                       detail: "a \(token.tokenType) token for \(token.expiresIn) s"))
        } catch {
            section.calls.append(.init(error, call: "POST token"))
            // A token refused for any reason but an unreachable host is a credentials problem (scope too).
            report.fail(error.kind == .unreachable || (error.status ?? 0) >= 500 ? ExitStatus.unavailable
                        : ExitStatus.credentials)
            return section
        }
        guard configuration.api == .workflowStudio else {
            section.notes.append("platform-v2 routes: no flow is read (the seed's reconstruction)")
            return section
        }
        guard let flow else {
            section.missing.append("a flow to read: --flow-id ID, or trulioo: flow_id: in the job file")
            return section
        }
        let session: TruliooSession
        do {
            session = try await client.startSession(flowID: flow)
            section.calls.append(.init(call: "GET /wfs/interpreter-v2/flow/\(flow)", ok: true,
                                       detail: "created one empty session (\(session.id)) in the account; nothing was submitted"))
        } catch {
            section.calls.append(.init(error, call: "GET /wfs/interpreter-v2/flow/\(flow)"))
            report.fail(error.status == 404 ? ExitStatus.usage : DoctorReport.exitCode(error))
            return section
        }
        // Which column or constant fills each element: the file's header when given, else the job's bindings.
        let mapping = TruliooFlowMapping(fields: job.trulioo?.fields ?? [:])
        var columns: [String: String] = [:]
        var settings = job.settings
        settings.provider = .trulioo
        var constants = Set(settings.constants.keys)
        if let country = settings.country, country != "ALL" { constants.insert("address_country") }
        var fileRead = false
        if let input {
            do {
                let file = try FileValidation(path: input, settings: settings, readOptions: inputOptions.readOptions)
                for match in file.mapping.matches {
                    let name = String(match.input.split(separator: ".").first ?? Substring(match.input))
                    if columns[name] == nil { columns[name] = match.column }
                }
                fileRead = true
            } catch {
                section.missing.append("\(input) cannot be read: \(PipelineError.from(error).message)")
                report.fail(PipelineError.from(error).exitCode)
            }
        } else {
            for binding in settings.bindings where binding.target != ColumnBinding.ignore {
                columns[String(binding.target.split(separator: ".").first ?? "")] = binding.column.text
            }
        }
        let table = mapping.table(session.step, columns: columns, constants: constants)
        section.flow = table
        section.flowFromFile = fileRead
        for line in table where line.required && (line.input == nil || (fileRead && line.source == nil)) {
            section.missing.append("the flow's required element '\(line.element)': "
                + (line.input == nil ? "no input matches it (trulioo: fields: {INPUT: \(line.element)} in the job file)"
                   : "no column of \(input ?? "the file") holds \(line.input!) (--map COLUMN=\(line.input!))"))
            report.fail(ExitStatus.usage)
        }
        return section
    }
}

/// What doctor found, for the console and `--json`.
struct DoctorReport: Encodable {
    struct Call: Encodable {
        var call: String
        var ok: Bool
        var status: Int?
        var detail: String

        init(call: String, ok: Bool, status: Int? = nil, detail: String) {
            self.call = call
            self.ok = ok
            self.status = status
            self.detail = detail
        }

        init(_ error: ProviderError, call: String) {
            self.init(call: call, ok: false, status: error.status, detail: error.description)
        }
    }

    struct Provider: Encodable {
        var name: String
        var credentials: [String] = []
        var hosts: [String: String] = [:]
        var calls: [Call] = []
        var flow: [TruliooFlowMapping.Line]?
        var flowFromFile = false
        var notes: [String] = []
        var missing: [String] = []

        enum CodingKeys: String, CodingKey {
            case name, credentials, hosts, calls, flow, notes, missing
            case flowFromFile = "flow_matched_against_file"
        }
    }

    var network: [String] = []
    var providers: [Provider] = []
    /// The first problem's exit code; 0 when a run could start.
    var exitCode: Int32 = 0

    enum CodingKeys: String, CodingKey {
        case network, providers
        case ready, exitCode = "exit_code"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(network, forKey: .network)
        try c.encode(providers, forKey: .providers)
        try c.encode(exitCode == 0, forKey: .ready)
        try c.encode(exitCode, forKey: .exitCode)
    }

    mutating func fail(_ code: Int32) {
        if exitCode == 0 { exitCode = code }
    }

    static func exitCode(_ error: ProviderError) -> Int32 {
        switch error.stableCode {
        case "credentials_refused": ExitStatus.credentials
        case "provider_unreachable", "provider_error", "outcome_unknown", "provider_rate_limited": ExitStatus.unavailable
        default: ExitStatus.usage
        }
    }

    /// What a Truora key says of itself, never the key: its type and expiry from its claims.
    static func describeKey(_ key: String) -> String {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
            let claims = try? JSONDecoder().decode(JSONValue.self, from: Data(payload))
        else { return "TRUORA_API_KEY set (not a JWT: Truora's keys are)" }
        var text = "TRUORA_API_KEY set (a JWT"
        if let type = claims["key_type"]?.string { text += ", key_type \(type)" }
        if case .number(let exp)? = claims["exp"] {
            let date = Date(timeIntervalSince1970: exp)
            text += date < Date() ? ", EXPIRED \(ISO8601DateFormatter().string(from: date))"
                : ", expires \(ISO8601DateFormatter().string(from: date))"
        }
        return text + ")"
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }

    func lines() -> [String] {
        var lines = ["network: " + (network.isEmpty ? "direct" : network.joined(separator: "; "))]
        for provider in providers {
            lines.append("\(provider.name):")
            for credential in provider.credentials { lines.append("  credentials: \(credential)") }
            for (name, url) in provider.hosts.sorted(by: { $0.key < $1.key }) { lines.append("  host \(name): \(url)") }
            for call in provider.calls {
                lines.append("  \(call.ok ? "ok  " : "FAIL") \(call.call): \(call.detail)")
            }
            if let flow = provider.flow {
                lines.append("  the flow's first step" + (provider.flowFromFile ? ", against the file's header:" : ":"))
                lines += RunCommand.flowTableLines(flow, file: provider.flowFromFile).map { "    " + $0 }
            }
            for note in provider.notes { lines.append("  note: \(note)") }
            for missing in provider.missing { lines.append("  missing: \(missing)") }
        }
        lines.append(exitCode == 0 ? "ready: a run could start" : "not ready (exit \(exitCode)): see above")
        return lines
    }
}

extension TruliooFlowMapping.Line: Encodable {
    enum CodingKeys: String, CodingKey { case element, elementID = "element_id", required, input, how, source }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(element, forKey: .element)
        try c.encode(elementID, forKey: .elementID)
        try c.encode(required, forKey: .required)
        try c.encodeIfPresent(input, forKey: .input)
        try c.encodeIfPresent(how?.rawValue, forKey: .how)
        try c.encodeIfPresent(source, forKey: .source)
    }
}
