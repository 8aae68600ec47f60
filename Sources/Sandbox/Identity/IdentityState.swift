import Foundation
import ProviderAPI

/// What the Digital Identity and WhatsApp side of the sandbox remembers: the processes that web
/// keys and outbound messages start, the outbound messages and inbound flows made through the API,
/// and campaigns.
///
/// A process is `pending` until `processDuration` sandbox seconds have passed, then ends as the
/// row's trigger says (``ProcessOutcome``), so every `declined_reason` can be reached on purpose.
actor IdentityState {
    let clock: SandboxClock
    let stats: Stats
    let processDuration: Double
    let approvalDelay: Double

    struct Process: Sendable {
        var id: String
        var accountID: String
        var flowID: String
        var created: Double
        var outcome: ProcessOutcome
        var campaignID: String?
        /// A campaign cancelled before the person answered closes the process as `not_used`.
        var canceledAt: Double?
    }

    struct Outbound: Sendable {
        var record: TruoraOutbound
        var created: Double
        /// Variables the content uses (`{{.name}}` → `name`).
        var variables: Set<String>
    }

    private var processes: [String: Process] = [:]
    /// Web key token → process id, for the page the link opens.
    private var keys: [String: String] = [:]
    private var outbounds: [String: Outbound] = [:]
    /// `waba_phone_number` + inbound message → inbound, so a message starts one flow per line.
    private var inbounds: [String: TruoraInbound] = [:]
    /// outbound id → its open campaign.
    private var campaignByOutbound: [String: String] = [:]
    private var canceledCampaigns: Set<String> = []
    private let origin = Timestamp.now()

    init(clock: SandboxClock, stats: Stats, processDuration: Double, approvalDelay: Double) {
        self.clock = clock
        self.stats = stats
        self.processDuration = processDuration
        self.approvalDelay = approvalDelay
    }

    var now: Double { clock.elapsed }

    func reset() {
        processes = [:]
        keys = [:]
        outbounds = [:]
        inbounds = [:]
        campaignByOutbound = [:]
        canceledCampaigns = []
    }

    // MARK: Processes

    /// A process for a web key or a sent message; `phone` and `accountID` decide how it ends.
    func startProcess(accountID: String, flowID: String, phone: String?, campaignID: String? = nil) -> Process {
        let process = Process(
            id: "IDP" + Identifiers.hex(32), accountID: accountID, flowID: flowID, created: now,
            outcome: ProcessOutcome.decide(accountID: accountID, phone: phone), campaignID: campaignID)
        processes[process.id] = process
        stats.identity { $0.processesByAccount[Stats.hash(accountID), default: 0] += 1 }
        return process
    }

    func rememberKey(_ token: String, process: String) { keys[token] = process }

    /// The process a link's token opens; nil for a token the sandbox never made.
    func open(token: String) -> Process? {
        keys[token].flatMap { processes[$0] }
    }

    func result(_ id: String) -> TruoraProcessResult? {
        guard let process = processes[id] else { return nil }
        let at = now
        var result = TruoraProcessResult(
            processID: process.id, accountID: process.accountID, flowID: process.flowID, status: "pending",
            creationDate: origin.adding(seconds: process.created), updateDate: origin.adding(seconds: process.created))
        if let canceled = process.canceledAt {
            result.status = "failure"
            result.declinedReason = "not_used"
            result.failureStatus = "expired"
            result.updateDate = origin.adding(seconds: canceled)
            return result
        }
        let finished = process.created + processDuration
        guard at >= finished else { return result }
        result.updateDate = origin.adding(seconds: finished)
        switch process.outcome {
        case .success:
            result.status = "success"
        case .failure(let reason, let failureStatus):
            result.status = "failure"
            result.declinedReason = reason
            result.failureStatus = failureStatus
        case .overridden(let reason):
            result.status = "failure"
            result.declinedReason = reason
            result.failureStatus = "declined"
            result.overrideStatus = "success"
            result.overrideStatusHistory = [
                ["previous_status": "failure", "new_status": "success", "updated_by": "sandbox-reviewer",
                 "reason": "documents checked by hand"]
            ]
        }
        return result
    }

    /// A page of the processes (of `flowID` when given), in the order they started, after the
    /// process `after`; the id to continue after when more follow.
    func processes(flowID: String?, after: String?, limit: Int) -> ([JSONValue], String?) {
        let all = processes.values.filter { flowID == nil || $0.flowID == flowID }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
        var start = 0
        if let after, let index = all.firstIndex(where: { $0.id == after }) { start = index + 1 }
        let page = all.dropFirst(start).prefix(max(1, limit))
        let entries: [JSONValue] = page.compactMap { process in
            guard let result = result(process.id) else { return nil }
            return [
                "process_id": .string(process.id), "account_id": .string(process.accountID),
                "flow_id": .string(process.flowID), "status": .string(result.finalStatus),
                "creation_date": .string(origin.adding(seconds: process.created).description),
            ]
        }
        let more = start + page.count < all.count
        return (entries, more ? page.last?.id : nil)
    }

    // MARK: Outbound messages, inbound flows, campaigns

    /// An outbound made through the API starts `PENDING` and is approved `approvalDelay` later.
    func createOutbound(_ record: TruoraOutbound, variables: Set<String>) -> TruoraOutbound {
        var record = record
        record.outboundID = "OTB" + Identifiers.hex(32)
        outbounds[record.outboundID] = Outbound(record: record, created: now, variables: variables)
        return current(record.outboundID)!
    }

    func updateOutbound(_ id: String, with record: TruoraOutbound, variables: Set<String>) -> TruoraOutbound? {
        guard outbounds[id] != nil else { return nil }
        var record = record
        record.outboundID = id
        // Changed content goes back for approval.
        outbounds[id] = Outbound(record: record, created: now, variables: variables)
        return current(id)
    }

    /// An outbound as it stands now; nil for one the API never made.
    func current(_ id: String) -> TruoraOutbound? {
        guard let outbound = outbounds[id] else { return nil }
        var record = outbound.record
        record.status = now >= outbound.created + approvalDelay ? "APPROVED" : "PENDING"
        return record
    }

    func variables(of id: String) -> Set<String>? { outbounds[id]?.variables }

    /// The campaign sends of an outbound belong to: one open campaign per outbound, a new one after a cancel.
    func campaign(for outboundID: String) -> String {
        if let open = campaignByOutbound[outboundID] { return open }
        let id = "CMP" + Identifiers.hex(32)
        campaignByOutbound[outboundID] = id
        return id
    }

    /// Cancels a campaign: processes it started that were not opened end as `not_used`.
    func cancelCampaign(_ id: String) -> Int? {
        guard campaignByOutbound.values.contains(id) || canceledCampaigns.contains(id) else { return nil }
        var closed = 0
        for (key, process) in processes where process.campaignID == id && process.canceledAt == nil {
            if now < process.created + processDuration {
                processes[key]?.canceledAt = now
                closed += 1
            }
        }
        canceledCampaigns.insert(id)
        for (outbound, campaign) in campaignByOutbound where campaign == id { campaignByOutbound[outbound] = nil }
        return closed
    }

    /// Creates (`create`) or replaces an inbound flow; nil when creating one whose message the line has already.
    func setInbound(_ inbound: TruoraInbound, create: Bool) -> TruoraInbound? {
        let key = inbound.wabaPhoneNumber + "\u{1F}" + inbound.inboundMessage.lowercased()
        if create, inbounds[key] != nil { return nil }
        var stored = inbound
        let text = inbound.inboundMessage.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        stored.whatsappLink = "https://api.whatsapp.com/send/?phone=\(inbound.wabaPhoneNumber)&text=\(text)"
        inbounds[key] = stored
        return stored
    }
}

/// How a sandbox process ends, decided when it starts so tests can reach every case:
/// an account id that contains one of the seed's `declined_reason` values fails with it; otherwise
/// the last digit of the phone (or of the account id) decides: 7 the person never used the link
/// (`not_used`), 8 declined then overridden to success by a reviewer, 9 a validation did not finish
/// (`validation_not_finished`), anything else success.
enum ProcessOutcome: Sendable, Equatable {
    case success
    case failure(reason: String, failureStatus: String)
    case overridden(reason: String)

    static func decide(accountID: String, phone: String?) -> ProcessOutcome {
        let account = accountID.lowercased()
        // Longest first: `no_media_uploaded` is inside `no_document_media_uploaded`.
        for reason in TruoraProcessResult.declinedReasons.sorted(by: { $0.count > $1.count })
        where account.contains(reason) {
            return .failure(reason: reason, failureStatus: declined.contains(reason) ? "declined" : "expired")
        }
        let digit = (phone ?? "").last(where: \.isNumber) ?? accountID.last(where: \.isNumber)
        switch digit {
        case "7": return .failure(reason: "not_used", failureStatus: "expired")
        case "8": return .overridden(reason: "no_face_detected")
        case "9": return .failure(reason: "validation_not_finished", failureStatus: "expired")
        default: return .success
        }
    }

    /// Reasons that end a process the person was in, rather than one left to expire.
    static let declined: Set<String> = ["vpn_detected", "geolocation_denied", "no_face_detected", "user_process_postponed"]
}
