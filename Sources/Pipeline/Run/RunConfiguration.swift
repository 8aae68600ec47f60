import CheckInputs
import ProviderAPI
import Spreadsheet

/// Everything a run needs, built by the command line from flags over the job file over defaults.
public struct RunConfiguration: Sendable {
    public var settings: CheckSettings
    public var readOptions: ReadOptions
    /// Where reports, error files and summaries go.
    public var outDirectory: String = "."
    /// The report's format; nil writes the input's.
    public var reportFormat: SpreadsheetFormat?
    /// Provider calls in flight at once.
    public var concurrency: Int = 8
    /// Most new rows sent per second; nil sends as fast as answers come.
    public var rate: Double?
    /// How long to keep looking for results once every row is sent; rows still running then are
    /// `pending` and `collect` finishes them.
    public var wait: Duration = .seconds(300)
    /// Map, validate and report, but call no provider.
    public var dryRun: Bool = false
    /// Trulioo: a signed URL per row for the hosted flow.
    public var signedURL: Bool = false
    /// Trulioo: the Workflow Studio flow every row starts; truora-di and truora-whatsapp: the Truora
    /// flow (`IPF…`) each link or message opens.
    public var flowID: String?
    /// Trulioo and truora-di: where the flow sends the person at the end.
    public var redirectURL: String?
    /// truora-whatsapp: the approved outbound message (`OTB…`) each row gets.
    public var outboundID: String?
    /// Trulioo: the route table rows go through (Workflow Studio's, by default).
    public var truliooAPI: TruliooAPI = .workflowStudio
    /// Trulioo Workflow Studio: how the flow's elements are filled from a row.
    public var truliooMapping = TruliooFlowMapping()
    /// Truora: PDFs and continuous checks for every finished check.
    public var followUps = FollowUpPlan()
    /// Truora: look at the health of the country's databases before sending, and wait this long
    /// for those down to come back (zero: warn at once).
    public var healthCheck = true
    public var waitHealthy: Duration = .zero
    /// truora-batch: most rows in one batch upload (one batch per country and type otherwise).
    public var batchSize: Int = 1_000
    /// Rows in a row whose calls fail with the provider down (after retries) before the run stops
    /// sending and exits 69.
    public var circuitBreakerThreshold: Int = 10
    /// Waits between looks at a running check: the first, and the longest.
    public var pollBase: Duration = .seconds(1)
    public var pollCap: Duration = .seconds(30)
    /// The language of the reports and error files; nil takes the country's.
    public var language: Language?

    public init(settings: CheckSettings, readOptions: ReadOptions = ReadOptions()) {
        self.settings = settings
        self.readOptions = readOptions
    }

    /// A job file's run: its settings, report format, batch size and Trulioo flow.
    public init(job: JobFile, readOptions: ReadOptions = ReadOptions()) {
        self.init(settings: job.settings, readOptions: readOptions)
        switch job.reportFormat ?? .same {
        case .xlsx: reportFormat = .xlsx
        case .csv: reportFormat = .csv
        case .same: reportFormat = nil
        }
        if let size = job.batchSize { batchSize = size }
        signedURL = job.trulioo?.signedURL == true
        truliooAPI = job.trulioo?.api.flatMap(TruliooAPI.init(rawValue:)) ?? .workflowStudio
        truliooMapping = TruliooFlowMapping(fields: job.trulioo?.fields ?? [:])
        switch job.settings.provider {
        case .truoraDI:
            flowID = job.digitalIdentity?.flowID
            redirectURL = job.digitalIdentity?.redirectURL
        case .truoraWhatsApp:
            flowID = job.whatsApp?.flowID
            outboundID = job.whatsApp?.outboundID
        default:
            redirectURL = job.trulioo?.redirectURL
            flowID = job.trulioo?.flowID
        }
        language = job.language
    }

    /// What a truora-di or truora-whatsapp run lacks before it may call anyone (the flow, the
    /// redirect URL, the outbound message), as the flags and job-file keys that give it; empty when
    /// nothing is missing.
    public var missingForProcesses: [String] {
        var missing: [String] = []
        switch mode {
        case .truoraDI:
            if flowID?.isEmpty ?? true { missing.append("--flow-id (digital_identity: flow_id)") }
            if redirectURL?.isEmpty ?? true { missing.append("--redirect-url (digital_identity: redirect_url)") }
        case .truoraWhatsApp:
            if outboundID?.isEmpty ?? true { missing.append("--outbound-id (whatsapp: outbound_id)") }
            if flowID?.isEmpty ?? true { missing.append("--flow-id (whatsapp: flow_id)") }
        default: break
        }
        return missing
    }

    /// Why this run may not start, naming what is missing; nil when it may (a dry run calls no one).
    public var setupProblem: String? {
        let missing = missingForProcesses
        guard !dryRun, !missing.isEmpty else { return nil }
        return "a \(mode.rawValue) run needs " + missing.joined(separator: " and ") + "; nothing was sent"
    }

    public var mode: Provider { settings.provider }
}

/// The provider clients a run may call; only the mode's own is needed.
public struct RunProviders: Sendable {
    public var truora: TruoraClient?
    public var trulioo: TruliooClient?

    public init(truora: TruoraClient? = nil, trulioo: TruliooClient? = nil) {
        self.truora = truora
        self.trulioo = trulioo
    }
}
