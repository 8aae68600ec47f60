// Wire models of Trulioo's Workflow Studio API as Trulioo documents it
// (developer.trulioo.com/reference/workflow-studio-api, /reference/submit, /reference/signed_url and
// the interpreter-v2 and export Redoc pages; `docs/providers.md` lists each source). Every answer is
// read tolerantly: unknown fields are ignored, and the fields Trulioo shows only sometimes are optional.

/// Which of Trulioo's route tables a client speaks.
public enum TruliooAPI: String, Sendable, CaseIterable {
    /// The routes Trulioo documents: `/wfs/interpreter-v2/...`, `/wfs/export/v2/...`, the token from
    /// `auth-api.trulioo.com/connect/token`. The default.
    case workflowStudio = "workflow-studio"
    /// The seed document's `/customer/v2/*` reconstruction (`api-notes/trulioo.md` §0), kept for
    /// servers that speak it.
    case platformV2 = "platform-v2"
}

/// One element of a form step: what to fill and how the flow knows it.
public struct TruliooElement: Decodable, Sendable, Equatable {
    public var id: String
    /// The label the person sees (`First name`).
    public var name: String?
    /// The field's meaning, when the flow's designer set one (`first_name`, `dob`, `national_id_nr`).
    public var role: String?
    /// A GlobalGateway field name some elements carry instead of a role (`MiddleName`).
    public var normalizedName: String?
    /// `text`, `country_select`, `date`, ...
    public var type: String?
    /// Whether its `validations` include `required`.
    public var required: Bool

    public init(id: String, name: String? = nil, role: String? = nil, normalizedName: String? = nil,
                type: String? = nil, required: Bool = false) {
        self.id = id
        self.name = name
        self.role = role
        self.normalizedName = normalizedName
        self.type = type
        self.required = required
    }

    enum CodingKeys: String, CodingKey { case id, name, role, normalizedName, type, validations }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(LooseString.self, forKey: .id).text
        name = (try? c.decodeIfPresent(String.self, forKey: .name)) ?? nil
        role = (try? c.decodeIfPresent(String.self, forKey: .role)) ?? nil
        normalizedName = (try? c.decodeIfPresent(String.self, forKey: .normalizedName)) ?? nil
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? nil
        let validations = (try? c.decodeIfPresent([JSONValue].self, forKey: .validations)) ?? nil
        required = validations?.contains { $0["type"]?.string?.lowercased() == "required" } ?? false
    }
}

/// A step of a flow as the interpreter answers it: a form with `elements`, an interactive service
/// such as DocV (`{"type": "trulioo_doc_v", "shortCode": ...}`), `{"type": "pending"}` while a
/// service runs, or the end (`{"id", "redirectUrl", "text", "type"}`).
public struct TruliooStep: Decodable, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Elements to fill and submit.
        case form
        /// A service is still running; ask for the current step again later.
        case pending
        /// The flow is over.
        case end
        /// A step only the person can do (DocV's capture, a verification code, anything unknown).
        case person
    }

    public var id: String?
    public var type: String?
    public var title: String?
    public var elements: [TruliooElement]
    /// DocV: the code that opens the capture SDK (single use, about five minutes).
    public var shortCode: String?
    public var redirectUrl: String?
    public var text: String?

    public init(id: String? = nil, type: String? = nil, title: String? = nil, elements: [TruliooElement] = [],
                shortCode: String? = nil, redirectUrl: String? = nil, text: String? = nil) {
        self.id = id
        self.type = type
        self.title = title
        self.elements = elements
        self.shortCode = shortCode
        self.redirectUrl = redirectUrl
        self.text = text
    }

    enum CodingKeys: String, CodingKey { case id, type, title, elements, shortCode, redirectUrl, text }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = (try? c.decodeIfPresent(LooseString.self, forKey: .id))??.text
        type = (try? c.decodeIfPresent(String.self, forKey: .type)) ?? nil
        title = (try? c.decodeIfPresent(String.self, forKey: .title)) ?? nil
        elements = try c.decodeIfPresent([TruliooElement].self, forKey: .elements) ?? []
        shortCode = (try? c.decodeIfPresent(String.self, forKey: .shortCode)) ?? nil
        redirectUrl = (try? c.decodeIfPresent(String.self, forKey: .redirectUrl)) ?? nil
        text = (try? c.decodeIfPresent(String.self, forKey: .text)) ?? nil
    }

    /// What the step asks for. Trulioo documents `pending` and `trulioo_doc_v`; the end step's
    /// literal type is not shown, so a step with a redirect or closing text and nothing to fill is
    /// the end too.
    public var kind: Kind {
        let type = (self.type ?? "").lowercased()
        if type == "pending" { return .pending }
        if type == "end" { return .end }
        if shortCode != nil || type.contains("doc_v") { return .person }
        if !elements.isEmpty { return .form }
        if type.isEmpty || type == "end_node", redirectUrl != nil || text != nil { return .end }
        return .person
    }

    /// A short name for the report's `trulioo_step`: the form's title, else the step's type.
    public var label: String {
        switch kind {
        case .form: return title.flatMap { $0.isEmpty ? nil : $0 } ?? type ?? id ?? "form"
        case .pending: return "pending"
        case .end: return "end"
        case .person: return type.flatMap { $0.isEmpty ? nil : $0 } ?? title ?? id ?? "step"
        }
    }
}

/// A session the interpreter started: its id (the `x-hf-session` answer header) and first step.
public struct TruliooSession: Sendable, Equatable {
    public var id: String
    public var step: TruliooStep

    public init(id: String, step: TruliooStep) {
        self.id = id
        self.step = step
    }
}

/// The export API's record of one end client (`GET /wfs/export/v2/query/client/{id}`): its status
/// (`IN_PROGRESS`, `ACCEPTED`, `DECLINED`, `PENDING_REVIEW`, ...) and, per flow, whether it completed.
public struct TruliooClientRecord: Decodable, Sendable, Equatable {
    public var id: String?
    public var status: String?
    /// flow id → completed.
    public var completed: [String: Bool]

    public init(id: String?, status: String?, completed: [String: Bool] = [:]) {
        self.id = id
        self.status = status
        self.completed = completed
    }

    enum CodingKeys: String, CodingKey { case id, status, flowData }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = (try? c.decodeIfPresent(LooseString.self, forKey: .id))??.text
        status = (try? c.decodeIfPresent(String.self, forKey: .status)) ?? nil
        var completed: [String: Bool] = [:]
        if let flows = ((try? c.decodeIfPresent(JSONValue.self, forKey: .flowData)) ?? nil)?.object {
            for (flow, data) in flows {
                if case .bool(let done)? = data["completed"] { completed[flow] = done }
            }
        }
        self.completed = completed
    }

    /// Whether the session finished `flowID` (or any flow, when the record does not name it).
    public func isCompleted(flowID: String?) -> Bool {
        if let flowID, let done = completed[flowID] { return done }
        return completed.values.contains(true)
    }
}

/// A string or a number in an answer (ids are strings, but tolerance costs nothing).
struct LooseString: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            self.text = text
        } else {
            self.text = LooseDouble(try c.decode(Double.self)).text
        }
    }
}
