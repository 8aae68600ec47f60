import ProviderAPI

/// The one workflow the sandbox publishes: two forms, an identity service, the end.
enum SandboxWorkflow {
    static let id = "66716e402bfde900dccdd90e"

    struct Element: Sendable {
        var id: String
        var name: String
        var role: String
        var type: String
        var required: Bool
        /// A GlobalGateway field name that some elements carry instead of a role (`MiddleName`).
        var normalizedName: String? = nil

        /// As a step lists it: `id`, `name`, `type`, `validations`, and `role` or `normalizedName`
        /// when it has one (Trulioo's element example).
        var json: [String: JSONValue] {
            var object: [String: JSONValue] = [
                "id": .string(id), "name": .string(name), "type": .string(type),
                "validations": required ? [["type": "required"]] : [],
            ]
            if !role.isEmpty { object["role"] = .string(role) }
            if let normalizedName { object["normalizedName"] = .string(normalizedName) }
            return object
        }
    }

    struct Form: Sendable {
        var id: String
        var title: String
        var elements: [Element]
    }

    static let forms: [Form] = [
        Form(
            id: "652ffc65c792412ab8ea0e1f", title: "Your details",
            elements: [
                Element(
                    id: "652ffc65c792412ab8ea0e20", name: "Country of residence", role: "address_country",
                    type: "country_select", required: true),
                Element(
                    id: "652ffc65c792412ab8ea0e21", name: "First name", role: "first_name", type: "text", required: true
                ),
                Element(
                    id: "652ffc65c792412ab8ea0e22", name: "Last name", role: "last_name", type: "text", required: true),
                Element(
                    id: "652ffc65c792412ab8ea0e23", name: "Date of birth", role: "dob", type: "date", required: true),
            ]),
        Form(
            id: "652ffc65c792412ab8ea0e30", title: "Identity and contact",
            elements: [
                Element(
                    id: "652ffc65c792412ab8ea0e31", name: "National ID", role: "national_id_nr", type: "text",
                    required: false),
                Element(id: "652ffc65c792412ab8ea0e32", name: "Email", role: "email", type: "email", required: false),
                Element(id: "652ffc65c792412ab8ea0e33", name: "Phone", role: "phone", type: "phone", required: false),
                // No role, a GlobalGateway name instead, as Trulioo's element example shows one.
                Element(
                    id: "652ffc65c792412ab8ea0e34", name: "Middle name", role: "", type: "text", required: false,
                    normalizedName: "MiddleName"),
            ]),
    ]
    static let serviceNodeID = "652ffc65c792412ab8ea0e40"
    static let endNodeID = "652ffc65c792412ab8ea0e50"

    /// A second flow, as Workflow Studio serves it only: the details form, then a DocV capture
    /// that only the person can do (`trulioo_doc_v` with a `shortCode`), then the service and the end.
    static let documentFlowID = "66716e402bfde900dccdd91f"
    static let docVNodeID = "652ffc65c792412ab8ea0e60"
    static var flowIDs: [String] { [id, documentFlowID] }

    /// What the session of `flowID` is asked at `step`: 0 and 1 are steps to answer, 2 the
    /// service, 3 the end.
    enum Node { case form(Form), docV, service, end }

    static func node(flowID: String, step: Int) -> Node {
        switch step {
        case 0: return .form(forms[0])
        case 1: return flowID == documentFlowID ? .docV : .form(forms[1])
        case 2: return .service
        default: return .end
        }
    }

    static var elements: [Element] { forms.flatMap(\.elements) }
    static func element(id: String) -> Element? { elements.first { $0.id == id } }
    static func element(role: String) -> Element? { role.isEmpty ? nil : elements.first { $0.role == role } }

    static var definition: TruliooWorkflow {
        TruliooWorkflow(
            id: id, name: "KYC basic", description: "Identity details, then an electronic identity check",
            version: "3",
            steps: forms.map { ["id": .string($0.id), "type": "form", "title": .string($0.title)] }
                + [["id": .string(serviceNodeID), "type": "trulioo_eidv"], ["id": .string(endNodeID), "type": "end"]])
    }

    static func formStep(_ index: Int, userStateId: String, values: [String: String]) -> TruliooFlowStep {
        let form = forms[index]
        let elements: [JSONValue] = form.elements.map { element in
            var object = element.json
            if element.type == "date" { object["dateFormat"] = "YYYY-MM-DD" }
            if let value = values[element.id] { object["value"] = .string(value) }
            return .object(object)
        }
        return TruliooFlowStep(
            userStateId: userStateId, stepId: form.id, stepType: "form",
            inputs: ["title": .string(form.title), "canGoBack": .bool(index > 0), "elements": .array(elements)],
            outputs: [:])
    }
}

/// What a user state's identity check concludes, by the last digit of `national_id_nr`:
/// 9 declined, 6 and 7 pending review, 8 slow (pending for a while) then accepted, else accepted.
enum TruliooOutcome {
    static func result(for nationalID: String?) -> (status: String, slow: Bool) {
        switch nationalID?.last(where: \.isNumber)?.wholeNumberValue {
        case 9: ("DECLINED", false)
        case 6, 7: ("PENDING_REVIEW", false)
        case 8: ("ACCEPTED", true)
        default: ("ACCEPTED", false)
        }
    }
}

struct UserState: Sendable {
    var id: String
    /// The flow the session runs (Workflow Studio names it in every path).
    var flowID = SandboxWorkflow.id
    var externalId: String?
    var language: String?
    /// element id → value.
    var values: [String: String] = [:]
    /// 0, 1: forms; 2: the service; 3: end.
    var step = 0
    var pendingUntil: Double?
    var status = "NOT_STARTED"
    var statusManuallyChanged = false
    var outcome: String?
    var created: Double
    var updated: Double
    var files: [String: StoredFile] = [:]
    var serviceRan: Double?

    struct StoredFile: Sendable {
        var name: String
        var contentType: String
        var bytes: [UInt8]
        var elementId: String?
    }

    var finished: Bool { step >= 3 }
}

actor TruliooState {
    let clock: SandboxClock
    let stats: Stats
    private let origin = Timestamp.now()
    private var tokens: [String: Double] = [:]
    private var states: [String: UserState] = [:]
    private var order: [String] = []
    private var links: Set<String> = []
    /// token → (user state, expiry, used).
    private var signedURLs: [String: (String, Double, Bool)] = [:]
    /// Idempotency-Key → user state id.
    private var idempotency: [String: String] = [:]

    init(clock: SandboxClock, stats: Stats) {
        self.clock = clock
        self.stats = stats
    }

    var now: Double { clock.elapsed }
    func timestamp(_ seconds: Double) -> Timestamp { origin.adding(seconds: seconds) }

    func reset() {
        tokens = [:]
        states = [:]
        order = []
        links = []
        signedURLs = [:]
        idempotency = [:]
    }

    // MARK: Tokens

    func issueToken(lifetime: Double) -> String {
        let token = "eyJhbGciOiJub25lIn0." + Identifiers.token(43) + "." + Identifiers.token(22)
        tokens[token] = now + lifetime
        stats.trulioo { $0.tokensIssued += 1 }
        return token
    }

    func tokenValid(_ token: String) -> Bool {
        guard let expires = tokens[token] else { return false }
        return now < expires
    }

    // MARK: User states

    func replay(idempotencyKey: String) -> String? { idempotency[idempotencyKey] }

    /// Creates a user state prefilled by role, or merges into `existing`.
    func initialise(
        existing: String?, externalId: String?, language: String?, values: [String: String],
        inputKey: String, idempotencyKey: String?
    ) -> Result<String, SandboxError> {
        if let existing {
            guard var state = states[existing] else {
                return .failure(SandboxError(404, "Client not found", code: 4100))
            }
            guard !state.finished else { return .failure(SandboxError(409, "Flow already finished", code: 4013)) }
            state.values.merge(values) { $1 }
            if let externalId { state.externalId = externalId }
            if let language { state.language = language }
            state.updated = now
            states[existing] = state
            stats.trulioo { $0.userStatesUpdated += 1 }
            return .success(existing)
        }
        let state = UserState(
            id: Identifiers.uuid(), externalId: externalId, language: language, values: values,
            created: now, updated: now)
        states[state.id] = state
        order.append(state.id)
        if let idempotencyKey { idempotency[idempotencyKey] = state.id }
        stats.trulioo {
            $0.userStatesCreated += 1
            $0.userStatesByInput[Stats.hash(inputKey), default: 0] += 1
        }
        return .success(state.id)
    }

    /// `GET flow/{flowId}` without a session: a new, empty session of `flowID`.
    func startSession(flowID: String) -> UserState {
        var state = UserState(id: Identifiers.uuid(), externalId: nil, language: nil, created: now, updated: now)
        state.flowID = flowID
        states[state.id] = state
        order.append(state.id)
        stats.trulioo { $0.sessionsStarted += 1 }
        return state
    }

    /// Counts a session whose first form was submitted (the data of one person).
    func countSubmitted(_ state: UserState, inputKey: String) {
        stats.trulioo {
            $0.userStatesCreated += 1
            $0.userStatesByInput[Stats.hash(inputKey), default: 0] += 1
        }
    }

    /// Runs the identity service of a session whose forms are done; a slow one stays pending for
    /// `slowFor` sandbox seconds.
    func runService(_ id: String, slowFor: Double) {
        guard var state = states[id] else { return }
        let nationalID = SandboxWorkflow.element(role: "national_id_nr").flatMap { state.values[$0.id] }
        let (status, slow) = TruliooOutcome.result(for: nationalID)
        state.outcome = status
        state.serviceRan = now
        if slow {
            state.step = 2
            state.pendingUntil = now + slowFor
            state.status = "IN_PROGRESS"
        } else {
            state.step = 3
            state.status = status
        }
        state.updated = now
        states[id] = state
    }

    func state(_ id: String) -> UserState? {
        guard var state = states[id] else { return nil }
        if let until = state.pendingUntil, now >= until {
            state.pendingUntil = nil
            state.step = 3
            state.status = state.outcome ?? "ACCEPTED"
            state.updated = now
            states[id] = state
        }
        return state
    }

    func save(_ state: UserState) {
        var state = state
        state.updated = now
        states[state.id] = state
    }

    func step(_ state: UserState) -> TruliooFlowStep {
        if state.pendingUntil != nil {
            return TruliooFlowStep(
                userStateId: state.id, stepId: SandboxWorkflow.serviceNodeID, stepType: "pending",
                inputs: [:], outputs: [:])
        }
        if state.finished {
            return TruliooFlowStep(
                userStateId: state.id, stepId: SandboxWorkflow.endNodeID, stepType: "end", inputs: [:],
                outputs: [
                    "status": .string(state.status), "redirectUrl": "",
                    "text": "Thank you. Your verification is complete.",
                ])
        }
        return SandboxWorkflow.formStep(state.step, userStateId: state.id, values: state.values)
    }

    /// Runs the identity service on the submitted data (the seed's routes: a slow one for 30 s).
    func runService(_ id: String) { runService(id, slowFor: 30) }

    func profiles(limit: Int, page: Int) -> ([UserState], Bool) {
        let ids = order.dropFirst(limit * page).prefix(limit)
        return (ids.compactMap { state($0) }, order.count <= limit * (page + 1))
    }

    func delete(_ ids: [String]) -> ([String], [String]) {
        var deleted: [String] = [], missing: [String] = []
        for id in ids {
            if states.removeValue(forKey: id) != nil {
                deleted.append(id)
                order.removeAll { $0 == id }
            } else {
                missing.append(id)
            }
        }
        return (deleted, missing)
    }

    static let transitions: [String: Set<String>] = [
        "IN_PROGRESS": ["ABANDONED"], "ACCEPTED": ["DECLINED", "PENDING_REVIEW"],
        "DECLINED": ["ACCEPTED", "PENDING_REVIEW"], "PENDING_REVIEW": ["ACCEPTED", "DECLINED"],
    ]

    func setStatus(_ ids: [String], to status: String) -> TruliooBulkStatusResult {
        var result = TruliooBulkStatusResult(updated: [], failed: [])
        for id in ids {
            guard var state = state(id) else {
                result.failed.append(.init(clientId: id, code: 4100, message: "Client not found"))
                continue
            }
            guard Self.transitions[state.status]?.contains(status) == true else {
                result.failed.append(
                    .init(
                        clientId: id, code: 4111,
                        message: "Illegal status transition from \(state.status) to \(status)"))
                continue
            }
            state.status = status
            state.statusManuallyChanged = true
            state.updated = now
            states[id] = state
            result.updated.append(id)
        }
        return result
    }

    enum LinkResult { case done, missingClient, exists, absent }

    func link(_ link: TruliooLink, create: Bool) -> LinkResult {
        guard states[link.from] != nil, states[link.to] != nil else { return .missingClient }
        let key = "\(link.from)|\(link.to)|\(link.type)"
        if create {
            return links.insert(key).inserted ? .done : .exists
        }
        return links.remove(key) != nil ? .done : .absent
    }

    func signedURL(for id: String, lifetime: Double) -> (String, Double) {
        let token = Identifiers.token(43)
        signedURLs[token] = (id, now + lifetime, false)
        return (token, now + lifetime)
    }

    enum SignedUse { case ok(String), used, expired, unknown }

    func useSignedURL(_ token: String) -> SignedUse {
        guard let (id, expires, used) = signedURLs[token] else { return .unknown }
        if used { return .used }
        if now > expires { return .expired }
        signedURLs[token] = (id, expires, true)
        return .ok(id)
    }

    func profile(_ state: UserState) -> TruliooProfile {
        var fieldData: [String: JSONValue] = [:]
        for element in SandboxWorkflow.elements {
            guard let value = state.values[element.id] else { continue }
            fieldData[element.id] = [
                "id": .string(element.id), "name": .string(element.name),
                "role": .string(element.role), "value": [.string(value)],
            ]
        }
        var fileData: [String: JSONValue] = [:]
        for (fileId, file) in state.files {
            fileData[fileId] = [
                "fileId": .string(fileId), "name": .string(file.name),
                "contentType": .string(file.contentType),
                "elementId": file.elementId.map(JSONValue.string) ?? .null,
            ]
        }
        var flow: [String: JSONValue] = [
            "id": .string(SandboxWorkflow.id), "completed": .bool(state.finished),
            "fieldData": .object(fieldData), "fileData": .object(fileData),
        ]
        if let ran = state.serviceRan {
            let match = state.outcome == "ACCEPTED"
            flow["serviceData"] = [
                [
                    "timestamp": .number((timestamp(ran).date.timeIntervalSince1970).rounded()),
                    "serviceStatus": state.pendingUntil == nil ? "COMPLETED" : "PENDING",
                    "nodeId": .string(SandboxWorkflow.serviceNodeID), "nodeTitle": "Person Match",
                    "nodeType": "trulioo_eidv",
                    "match": .bool(match),
                    "watchlistResults": [
                        "Advanced Watchlist": [
                            "watchlistStatus": state.outcome == "DECLINED" ? "Potential Hit" : "No Hit",
                            "watchlistHitDetails": [
                                "wlHitsNumber": state.outcome == "DECLINED" ? 1 : 0, "amHitsNumber": 0,
                                "pepHitsNumber": 0,
                            ],
                        ]
                    ],
                ]
            ]
        }
        return TruliooProfile(
            clientId: state.id, status: state.status, createdAt: timestamp(state.created),
            updatedAt: timestamp(state.updated),
            data: [
                "flowData": .object([SandboxWorkflow.id: .object(flow)]), "notes": [], "tasks": [],
                "externalId": state.externalId.map(JSONValue.string) ?? .null,
            ])
    }
}
