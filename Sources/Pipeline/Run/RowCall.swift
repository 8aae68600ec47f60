import CheckInputs
import Foundation
import ProviderAPI

/// One row's provider work, done in a child task: it returns the row's new record and never throws.
struct RowCall: Sendable {
    /// What to send: the row's normalised inputs.
    var inputs: [RowOutcome.Input]
    /// The record as written before the call (state `sent`).
    var record: LedgerRecord
    /// Trulioo: the user state exists already and only a signed URL is missing.
    var signedURLOnly = false
}

/// What came back from a ``RowCall``.
struct RowCallResult: Sendable {
    var record: LedgerRecord
    /// The failure the call ended with, if any (for the circuit breaker and stop rules).
    var failure: ProviderError?
    /// Requests made, by kind.
    var requests: [String: Int] = [:]
}

/// Makes the provider calls of one row for a mode.
struct RowCaller: Sendable {
    let mode: Provider
    let providers: RunProviders
    let flowID: String?
    let signedURL: Bool
    let redirectURL: String?
    var outboundID: String? = nil
    let pollBase: Duration
    /// Trulioo: the route table (Workflow Studio unless the job file says `platform-v2`).
    var truliooAPI: TruliooAPI = .workflowStudio
    /// Trulioo Workflow Studio: how elements are filled from a row.
    var mapping = TruliooFlowMapping()
    /// Trulioo Workflow Studio: the flow's first step, read once before the first row.
    var firstStep: TruliooStep?
    /// Writes a record in the middle of a call (a session id before its first submit), so a kill
    /// between the two leaves the session to look at, never a blind second submit.
    /// False when the record could not be written: the row then stops before any submit.
    var checkpoint: @Sendable (LedgerRecord) -> Bool = { _ in true }
    /// Looks at a pending session this many times (after Trulioo's own 30 s wait) before leaving it to collect.
    static let pendingLooks = 3
    /// The most form steps one row fills.
    static let maxSteps = 12

    /// Truora's create without `force_creation` returns the check that already exists for the same
    /// inputs, so after an answer that never came, sending again is how the check is looked up.
    static let lookupsAfterNoAnswer = 3

    func call(_ call: RowCall) async -> RowCallResult {
        switch mode {
        case .trulioo: return truliooAPI == .workflowStudio ? await workflowStudio(call) : await trulioo(call)
        case .truoraChecks, .truoraBatch: return await truora(call)
        case .truoraDI, .truoraWhatsApp: return await process(call)
        }
    }

    /// The account a row's link or message is for: the row's own, the one an earlier run made for
    /// it, or one made from the row's keyed hash (no input in it, the same on every run).
    static func accountID(_ call: RowCall) -> String {
        call.inputs.first { $0.name == "account_id" }?.value ?? call.record.accountID
            ?? "idbatch-" + call.record.inputHash.prefix(20)
    }

    /// truora-di: a web key whose link opens the flow; truora-whatsapp: one outbound message. Neither
    /// is idempotent: after an answer that never came the row is `unknown`, never sent blindly again.
    private func process(_ call: RowCall) async -> RowCallResult {
        var result = RowCallResult(record: call.record)
        guard let client = providers.truora, let flowID else {
            result.record.fail("provider_request_invalid", Message(.noTruoraClient))
            return result
        }
        func value(_ name: String) -> String? { call.inputs.first { $0.name == name }?.value }
        let account = Self.accountID(call)
        result.record.accountID = account
        do {
            var processID: String?
            if mode == .truoraDI {
                let key = try await client.createWebKey(TruoraWebKeyRequest(
                    flowID: flowID, country: value("country") ?? "ALL", redirectURL: redirectURL ?? "",
                    accountID: account, documentType: value("document_type"),
                    phones: value("phone_number").map { [$0] } ?? [], emails: value("email").map { [$0] } ?? []))
                result.requests["web_keys", default: 0] += 1
                result.record.link = client.identityLink(key)
                processID = key.process
            } else {
                let phone = value("phone_number") ?? ""
                let (code, number) = CallingCode.split(phone, country: nil) ?? ("", phone)
                let sent = try await client.sendOutbound(TruoraOutboundSend(
                    outboundID: outboundID ?? "", flowID: flowID, phoneNumber: number, countryCode: code,
                    accountID: account, userAuthorized: value("user_authorized") == "true",
                    variables: call.inputs.filter { IdentityInput.isVariable($0.name) }
                        .map { (String($0.name.dropFirst(4)), $0.value) }))
                result.requests["messages", default: 0] += 1
                processID = sent.processID
            }
            result.record.clearError()
            // Without a process id the process is found later among the flow's, by the row's account.
            result.record.remoteID = processID
            result.record.remoteStatus = "pending"
            result.record.state = .acknowledged
            // First look after the first backoff step, as for a check: a run with --wait 0s makes none.
            result.record.nextPoll = Date().timeIntervalSince1970 + nextWait(status: "pending", polls: 0)
        } catch {
            result.failure = error
            record(error, in: &result.record)
        }
        return result
    }

    /// Puts a process result on its record: final once it succeeded or failed.
    func apply(_ process: TruoraProcessResult, to record: inout LedgerRecord, now: Double) {
        record.remoteStatus = process.finalStatus
        record.declinedReason = process.declinedReason.flatMap { $0.isEmpty ? nil : $0 }
        if process.accountID != nil, record.accountID == nil { record.accountID = process.accountID }
        if process.isFinished {
            record.state = .final
            record.nextPoll = nil
        } else {
            record.state = .acknowledged
            record.nextPoll = now + nextWait(status: process.status, polls: record.polls)
        }
    }

    private func truora(_ call: RowCall) async -> RowCallResult {
        var result = RowCallResult(record: call.record)
        guard let client = providers.truora else {
            result.record.fail("provider_request_invalid", Message(.noTruoraClient))
            return result
        }
        let inputs = call.inputs.filter { $0.name != "type" && $0.name != "country" }
        let consent = call.inputs.first { $0.name == "user_authorized" }.map { $0.value == "true" }
        let request = TruoraCheckRequest(
            country: call.inputs.first { $0.name == "country" }?.value ?? "",
            type: call.inputs.first { $0.name == "type" }?.value ?? "person",
            inputs: inputs.map { ($0.name, $0.value) }, userAuthorized: consent)
        var lookups = 0
        while true {
            do {
                let (check, created) = try await client.createCheckBrief(request)
                result.requests[created ? "checks_created" : "checks_found", default: 0] += 1
                result.record.remoteID = check.checkID
                apply(check, to: &result.record, now: Date().timeIntervalSince1970)
                return result
            } catch {
                if [.ambiguous, .decoding, .unexpectedAnswer].contains(error.kind), lookups < Self.lookupsAfterNoAnswer {
                    lookups += 1
                    result.record.attempts += 1
                    continue
                }
                result.failure = error
                record(error, in: &result.record)
                return result
            }
        }
    }

    /// Puts a Workflow Studio export record on a row: final once Trulioo decided (accepted or
    /// declined); otherwise looked at again in an hour.
    func apply(_ export: TruliooClientRecord, to record: inout LedgerRecord, now: Double) {
        if let status = export.status, !status.isEmpty { record.remoteStatus = status }
        if export.isCompleted(flowID: flowID), record.step != "end" { record.step = "end" }
        if ["ACCEPTED", "DECLINED"].contains(record.remoteStatus ?? "") {
            record.state = .final
            record.nextPoll = nil
        } else {
            record.nextPoll = now + 3_600
        }
    }

    /// Puts a check's status and scores on its record: final when completed or in error.
    func apply(_ check: TruoraCheckBrief, to record: inout LedgerRecord, now: Double) {
        record.remoteStatus = check.status
        record.clearError()
        if check.score >= 0 { record.score = check.score }
        record.idScore = check.idScore.flatMap { $0 >= 0 && check.score >= 0 ? $0 : nil }
        record.nameScore = check.nameScore.flatMap { $0 >= 0 && check.score >= 0 ? $0 : nil }
        switch check.status {
        case "completed":
            record.state = .final
            record.nextPoll = nil
        case "error":
            record.fail("check_error", Message(.checkError))
            record.nextPoll = nil
        default:
            record.state = .acknowledged
            record.nextPoll = now + nextWait(status: check.status, polls: record.polls)
        }
    }

    /// Seconds before the next look at a running check: full backoff, longer while `delayed`.
    func nextWait(status: String, polls: Int) -> Double {
        let base = pollBase.seconds * (status == "delayed" ? 5 : 1)
        let cap = status == "delayed" ? 120.0 : 30.0
        return min(cap, base * pow(2, Double(min(polls, 10))))
    }

    private func record(_ error: ProviderError, in record: inout LedgerRecord) {
        let message = Message(.providerFailed, error.operation, error.kind == .http ? error.message : error.description)
        switch error.kind {
        case .ambiguous, .decoding:
            record.state = .unknown
            record.errorCode = "outcome_unknown"
            record.errorMessage = StoredMessage.encode(message)
        case .unexpectedAnswer:
            record.fail(error.stableCode, Message(.answerUnexpected, error.operation, error.message))
        default:
            record.fail(error.stableCode, message)
        }
    }

    /// Trulioo Workflow Studio: starts a session (or, for a row whose last call went unanswered,
    /// looks at where its session is), then fills and submits each form step the row can fill, and
    /// stops at a step that needs the person, the end, or a service still pending. The row is then
    /// acknowledged with its session and the step it waits at; the export API gives the result later.
    private func workflowStudio(_ call: RowCall) async -> RowCallResult {
        var result = RowCallResult(record: call.record)
        guard let client = providers.trulioo, let flowID else {
            result.record.fail("provider_request_invalid", Message(.noTruliooClient))
            return result
        }
        var inputs: [String: String] = [:]
        for input in call.inputs where inputs[input.name] == nil { inputs[input.name] = input.value }
        // A row that cannot fill the first step's required elements makes no call at all.
        if call.record.remoteID == nil, let first = firstStep, let element = mapping.fill(first, from: inputs).missing.first {
            result.record.fail("input_missing", column: "", message: StoredMessage.encode(
                Message(.elementUnfilled, element.name ?? element.id)))
            return result
        }
        var step: TruliooStep
        var session = call.record.remoteID
        do {
            if let known = session, !call.signedURLOnly {
                step = try await client.currentStep(flowID: flowID, session: known)
                result.requests["step_looks", default: 0] += 1
            } else if let known = session {
                step = TruliooStep(type: result.record.step)
                session = known
            } else {
                let started = try await client.startSession(flowID: flowID)
                result.requests["sessions", default: 0] += 1
                session = started.id
                result.record.remoteID = started.id
                guard checkpoint(result.record) else {
                    // Without the session on disk a kill could lead to a second session for this person.
                    result.record.fail("state_unusable", Message(.providerFailed, "start session",
                                                                  "the ledger could not keep session \(started.id)"))
                    return result
                }
                step = started.step
            }
        } catch {
            result.failure = error
            record(error, in: &result.record)
            return result
        }
        guard let session else { return result }
        if !call.signedURLOnly {
            var submits = 0, pendingLooks = 0, lookedAfterLoss = 0
            // Steps this call submitted and saw answered: a flow that shows one of them again (a
            // "check your details" loop) waits for the person instead of taking the same data twice.
            var answered: Set<String> = []
            walk: while submits < Self.maxSteps {
                do {
                    switch step.kind {
                    case .form:
                        let fill = mapping.fill(step, from: inputs)
                        // A step with a required element no column fills, or nothing to fill, waits for the person.
                        guard fill.missing.isEmpty, !fill.values.isEmpty else { break walk }
                        if let id = step.id, answered.contains(id) { break walk }
                        do {
                            let submitted = step.id
                            step = try await client.submit(flowID: flowID, session: session, values: fill.values)
                            submits += 1
                            result.requests["submits", default: 0] += 1
                            if let submitted { answered.insert(submitted) }
                        } catch where [.ambiguous, .decoding, .unreachable].contains(error.kind) && lookedAfterLoss < 2 {
                            // The submit may have been taken (or, unsent, was not): look where the session is
                            // instead of sending it again; a step that did not move is submitted again, seen.
                            lookedAfterLoss += 1
                            step = try await client.currentStep(flowID: flowID, session: session)
                            result.requests["step_looks", default: 0] += 1
                        }
                    case .pending:
                        guard pendingLooks < Self.pendingLooks else { break walk }
                        try? await Task.sleep(for: pollBase * (1 << pendingLooks))
                        pendingLooks += 1
                        step = try await client.currentStep(flowID: flowID, session: session)
                        result.requests["step_looks", default: 0] += 1
                    case .end, .person:
                        break walk
                    }
                } catch {
                    result.failure = error
                    result.record.step = step.label
                    record(error, in: &result.record)
                    if result.record.state == .unknown {
                        result.record.errorMessage = StoredMessage.encode(Message(.sessionOutcomeUnknown, session))
                    }
                    return result
                }
            }
            result.record.step = step.label
            result.record.state = .acknowledged
            result.record.clearError()
            if submits > 0 || result.record.remoteStatus == nil {
                result.record.remoteStatus = submits > 0 ? "IN_PROGRESS" : "NOT_STARTED"
            }
            // A flow that ran to its end has its decision already: one look at the export record.
            if step.kind == .end, let record = try? await client.exportClient(session) {
                result.requests["export_looks", default: 0] += 1
                apply(record, to: &result.record, now: Date().timeIntervalSince1970)
            }
        }
        guard signedURL else { return result }
        await attachSignedURL(to: &result) { () async throws(ProviderError) in
            try await client.signedURL(flowID: flowID, session: session)
        }
        return result
    }

    /// Puts the hosted flow's link on a row whose session or user state exists; a failure leaves the
    /// row as it is, with the error, so the next run asks for the link again.
    private func attachSignedURL(to result: inout RowCallResult,
                                 _ fetch: () async throws(ProviderError) -> String) async {
        do {
            result.record.link = try await fetch()
            result.requests["signed_urls", default: 0] += 1
            result.record.clearError()
        } catch {
            result.failure = error
            result.record.errorCode = error.stableCode
            result.record.errorMessage = StoredMessage.encode(Message(.signedURLFailed, error.message))
        }
    }

    private func trulioo(_ call: RowCall) async -> RowCallResult {
        var result = RowCallResult(record: call.record)
        guard let client = providers.trulioo, let flowID else {
            result.record.fail("provider_request_invalid", Message(.noTruliooClient))
            return result
        }
        if !call.signedURLOnly {
            var data: [String: String] = [:]
            for input in call.inputs { data[input.name] = input.value }
            let externalID = TruliooExternalID.make(call.record.inputHash)
            do {
                let answer = try await client.initialise(
                    TruliooInitRequest(flowId: flowID, externalId: externalID, data: data),
                    idempotencyKey: call.record.inputHash)
                result.requests["inits", default: 0] += 1
                result.record.remoteID = answer.userStateId
                result.record.remoteStatus = "NOT_STARTED"
                result.record.state = .acknowledged
                result.record.clearError()
            } catch {
                result.failure = error
                // Trulioo documents no idempotency: an init that may have arrived is never sent blindly again.
                record(error, in: &result.record)
                return result
            }
        }
        guard signedURL, let userStateID = result.record.remoteID else { return result }
        let redirectURL = self.redirectURL
        await attachSignedURL(to: &result) { () async throws(ProviderError) in
            try await client.signedURL(
                TruliooSignedURLRequest(flowId: flowID, userStateId: userStateID, redirectUrl: redirectURL)).url
        }
        return result
    }
}
