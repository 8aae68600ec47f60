import ProviderAPI

/// How the sandbox behaves. Everything a test or `idbatch sandbox` can set.
public struct SandboxConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    public var faults = FaultPlan()
    /// Added to every provider answer.
    public var latency = Latency()
    /// Sandbox seconds per real second: at 60 a check that takes two minutes is done in two seconds.
    public var speed: Double = 1
    /// Trulioo client credentials the token endpoint accepts.
    public var truliooClientID = "sandbox"
    public var truliooClientSecret = "sandbox"
    /// Trulioo token lifetime, sandbox seconds.
    public var tokenLifetime = 3600
    /// Requests per second allowed per API key or token, then 429 with `Retry-After: 1`; nil: no limit.
    public var rateLimitPerKey: Double?
    /// High-priority (`Truora-Priority: high`) checks a country may have running; more get 429.
    public var highPriorityLimit = 5
    /// Trulioo `GET profiles` answers `{"data": [...], "last": bool}` instead of the seed's bare array.
    public var pagedProfiles = false
    /// Items per page of every list.
    public var pageSize = 20
    /// Rows a batch file may hold. Truora documents 500 for its dashboard and no limit for the API;
    /// idbatch's batches hold 1,000 rows by default, so the sandbox takes that many.
    public var batchRowLimit = 1_000
    /// Databases `/v1/health` reports down (`major_outage`), by dataset, until a sandbox second.
    public struct Outage: Sendable, Equatable {
        public var dataSet: String
        public var until: Double
        public init(dataSet: String, until: Double = .infinity) {
            self.dataSet = dataSet
            self.until = until
        }
    }

    public var outages: [Outage] = []
    /// A check's PDF can be downloaded this many sandbox seconds after it was asked for.
    public var pdfDelay: Double = 2
    /// A Digital Identity or WhatsApp process ends this many sandbox seconds after it starts (at the
    /// default speed of `idbatch run --sandbox`, 60, ten minutes pass in ten seconds).
    public var processDuration: Double = 600
    /// An outbound message created through the API is approved this many sandbox seconds later.
    public var outboundApprovalDelay: Double = 60
    /// Upload links expire after this many sandbox seconds.
    public var uploadLinkLifetime: Double = 1800
    /// Seeds the fault dice, so a fault run can be repeated.
    public var seed: UInt64 = 0x1DBA7C4
    /// Refuse what the real services refuse: a path they do not serve answers
    /// `403 {"message":"Missing Authentication Token"}` (Truora's gateway), and the seed's
    /// `/customer/v2` reconstruction of Trulioo is not served at all.
    public var strict = false
    /// How the Trulioo token endpoint writes its answer; each form is one Trulioo documents.
    public enum TokenForm: String, Sendable, CaseIterable {
        /// `{"access_token", "expires_in", "token_type", "scope"}`: the OAuth form real clients read.
        case oauth
        /// `{"Token", "TokenType", "ExpiresIn", "scope"}`: the Workflow Studio authentication page.
        case pascal
        /// `{"accessToken", "expires"}`: the deprecated export credentials.
        case legacy
    }

    public var truliooTokenForm = TokenForm.oauth
    /// The literal `type` of Workflow Studio's end step, which Trulioo does not print; nil leaves it
    /// out, as the Go client's `{id, redirectUrl, text, type}` decoding allows.
    public var truliooEndStepType: String? = "end"
    /// Sandbox seconds the identity service of a slow Workflow Studio session runs (national ID
    /// ending in 8); past the 30 s a submit with `x-hf-retry-on-pending` waits, the answer is pending.
    public var truliooSlowService: Double = 90
    /// Whether a Digital Identity web key's JWT names its process in `additional_data`, as keys
    /// seen in public code do; the answer's body never does.
    public var webKeyNamesProcess = true

    public init() {}

    public struct Latency: Sendable, Equatable, CustomStringConvertible {
        public var milliseconds: Int
        public var jitter: Int

        public init(milliseconds: Int = 0, jitter: Int = 0) {
            self.milliseconds = max(0, milliseconds)
            self.jitter = max(0, jitter)
        }

        /// `50` or `50~20`.
        public init?(parsing text: String) {
            let parts = text.split(separator: "~", maxSplits: 1)
            guard let ms = Int(parts[0]), ms >= 0 else { return nil }
            var jitter = 0
            if parts.count == 2 {
                guard let j = Int(parts[1]), j >= 0 else { return nil }
                jitter = j
            }
            self.init(milliseconds: ms, jitter: jitter)
        }

        public var description: String { jitter > 0 ? "\(milliseconds)~\(jitter)" : "\(milliseconds)" }
    }
}

/// Sandbox time: real time since start times `speed`.
struct SandboxClock: Sendable {
    let start = ContinuousClock.now
    let speed: Double

    /// Sandbox seconds since start.
    var elapsed: Double { (ContinuousClock.now - start).seconds * speed }
}
