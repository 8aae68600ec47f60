// Wire models for the Trulioo Platform (Workflow Studio) API at the `customer/v2` paths of the
// seed document, with bodies modelled on the real shapes (`api-notes/trulioo.md` §1-§5).
// Proposed shapes are marked [P] there; decoding is tolerant.

/// OAuth client-credentials answer.
public struct TruliooAccessToken: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    /// Seconds (about 3600 for Workflow Studio).
    public var expiresIn: Int
    public var scope: String?

    public init(accessToken: String, tokenType: String = "Bearer", expiresIn: Int, scope: String?) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", scope
    }

    /// The other names Trulioo's pages print: `Token`, `TokenType`, `ExpiresIn` (the Workflow Studio
    /// authentication page) and the deprecated export credentials' `accessToken`, `expires`.
    enum OtherKeys: String, CodingKey {
        case token = "Token", tokenType = "TokenType", expiresIn = "ExpiresIn", accessToken, expires
    }

    /// Reads each documented form. A lifetime that is missing or not positive is taken as the hour
    /// Trulioo documents.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let other = try decoder.container(keyedBy: OtherKeys.self)
        func text<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) -> String? {
            (try? container.decodeIfPresent(String.self, forKey: key)) ?? nil
        }
        func seconds<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) -> Int? {
            ((try? container.decodeIfPresent(LooseDouble.self, forKey: key)) ?? nil).map { Int($0.value) }
        }
        guard let token = text(c, .accessToken) ?? text(other, .token) ?? text(other, .accessToken), !token.isEmpty
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.accessToken, .init(codingPath: [], debugDescription: "no access_token, Token or accessToken"))
        }
        accessToken = token
        tokenType = text(c, .tokenType) ?? text(other, .tokenType) ?? "Bearer"
        let lifetime = seconds(c, .expiresIn) ?? seconds(other, .expiresIn) ?? seconds(other, .expires) ?? 0
        expiresIn = lifetime > 0 ? lifetime : 3_600
        scope = text(c, .scope)
    }
}

/// `POST init`: a new user state (or an update of `userStateId`) prefilled with role-keyed data.
public struct TruliooInitRequest: Codable, Sendable, Equatable {
    public var flowId: String
    public var userStateId: String?
    public var externalId: String?
    public var language: String?
    /// Element roles → values: `first_name`, `last_name`, `dob` (YYYY-MM-DD), `address_country`,
    /// `national_id_nr`, `email`, `phone`, ...
    public var data: [String: String]

    public init(
        flowId: String, userStateId: String? = nil, externalId: String? = nil, language: String? = nil,
        data: [String: String]
    ) {
        self.flowId = flowId
        self.userStateId = userStateId
        self.externalId = externalId
        self.language = language
        self.data = data
    }
}

public struct TruliooInitResponse: Codable, Sendable, Equatable {
    public var userStateId: String
    public init(userStateId: String) { self.userStateId = userStateId }
}

/// One step of a flow: `form`, `trulioo_doc_v`, `pending` or `end`.
public struct TruliooFlowStep: Codable, Sendable, Equatable {
    public var userStateId: String?
    public var stepId: String?
    public var stepType: String
    /// For a form: `title`, `canGoBack`, `elements` [{id, name, role|normalizedName, type, validations}].
    public var inputs: JSONValue?
    /// For `end`: `status` (ACCEPTED, DECLINED, PENDING_REVIEW), `redirectUrl`, `text`.
    public var outputs: JSONValue?

    public init(userStateId: String?, stepId: String?, stepType: String, inputs: JSONValue?, outputs: JSONValue?) {
        self.userStateId = userStateId
        self.stepId = stepId
        self.stepType = stepType
        self.inputs = inputs
        self.outputs = outputs
    }

    public var isEnd: Bool { stepType == "end" }

    /// The form's elements as (id, role or normalised name).
    public var elements: [(id: String, role: String)] {
        (inputs?["elements"]?.array ?? []).compactMap { element in
            guard let id = element["id"]?.string else { return nil }
            return (id, element["role"]?.string ?? element["normalizedName"]?.string ?? "")
        }
    }
}

public struct TruliooWorkflow: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var version: String?
    public var steps: [JSONValue]?

    public init(id: String, name: String, description: String?, version: String?, steps: [JSONValue]?) {
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        self.steps = steps
    }
}

/// An end client's profile; `data` holds `flowData`, `notes`, `tasks`.
public struct TruliooProfile: Codable, Sendable, Equatable {
    public var clientId: String
    /// `NOT_STARTED`, `IN_PROGRESS`, `ABANDONED`, `ACCEPTED`, `DECLINED`, `PENDING_REVIEW`.
    public var status: String
    public var createdAt: Timestamp?
    public var updatedAt: Timestamp?
    public var data: JSONValue?

    public init(clientId: String, status: String, createdAt: Timestamp?, updatedAt: Timestamp?, data: JSONValue?) {
        self.clientId = clientId
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case clientId, id, status, createdAt, updatedAt, data }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // The real export API calls it `id`.
        clientId = try c.decodeIfPresent(String.self, forKey: .clientId) ?? c.decode(String.self, forKey: .id)
        status = try c.decodeIfPresent(String.self, forKey: .status) ?? "NOT_STARTED"
        createdAt = try? c.decodeIfPresent(Timestamp.self, forKey: .createdAt)
        updatedAt = try? c.decodeIfPresent(Timestamp.self, forKey: .updatedAt)
        data = try c.decodeIfPresent(JSONValue.self, forKey: .data)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(clientId, forKey: .clientId)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
        try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(data, forKey: .data)
    }
}

/// `GET profiles`: the spec's bare array, or a `{data, last}` page.
public struct TruliooProfilesPage: Codable, Sendable, Equatable {
    public var profiles: [TruliooProfile]
    public var last: Bool
    /// The answer was the bare array, which does not say whether it is the last page.
    public var bare = false

    public init(profiles: [TruliooProfile], last: Bool) {
        self.profiles = profiles
        self.last = last
    }

    enum CodingKeys: String, CodingKey { case data, last }

    public init(from decoder: any Decoder) throws {
        if let array = try? decoder.singleValueContainer().decode([TruliooProfile].self) {
            profiles = array
            last = true
            bare = true
        } else {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            profiles = try c.decode([TruliooProfile].self, forKey: .data)
            last = try c.decodeIfPresent(Bool.self, forKey: .last) ?? true
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(profiles, forKey: .data)
        try c.encode(last, forKey: .last)
    }
}

public struct TruliooBulkStatusRequest: Codable, Sendable, Equatable {
    public var clientIds: [String]
    public var status: String
    public var note: String?

    public init(clientIds: [String], status: String, note: String?) {
        self.clientIds = clientIds
        self.status = status
        self.note = note
    }
}

public struct TruliooBulkStatusResult: Codable, Sendable, Equatable {
    public struct Failure: Codable, Sendable, Equatable {
        public var clientId: String
        public var code: Int
        public var message: String
        public init(clientId: String, code: Int, message: String) {
            self.clientId = clientId
            self.code = code
            self.message = message
        }
    }
    public var updated: [String]
    public var failed: [Failure]

    public init(updated: [String], failed: [Failure]) {
        self.updated = updated
        self.failed = failed
    }
}

public struct TruliooBulkDeleteRequest: Codable, Sendable, Equatable {
    public var clientIds: [String]
    public init(clientIds: [String]) { self.clientIds = clientIds }
}

public struct TruliooBulkDeleteResult: Codable, Sendable, Equatable {
    public var deleted: [String]
    public var notFound: [String]
    public init(deleted: [String], notFound: [String]) {
        self.deleted = deleted
        self.notFound = notFound
    }
}

/// A link between two end clients: `RELATES_TO`, `DUPLICATE_OF`, `OWNS`, `OWNED_BY`.
public struct TruliooLink: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var type: String
    public init(from: String, to: String, type: String) {
        self.from = from
        self.to = to
        self.type = type
    }
}

public struct TruliooSignedURLRequest: Codable, Sendable, Equatable {
    public var flowId: String
    public var userStateId: String?
    public var redirectUrl: String?
    public var expiresInSeconds: Int?

    public init(flowId: String, userStateId: String? = nil, redirectUrl: String? = nil, expiresInSeconds: Int? = nil) {
        self.flowId = flowId
        self.userStateId = userStateId
        self.redirectUrl = redirectUrl
        self.expiresInSeconds = expiresInSeconds
    }
}

public struct TruliooSignedURL: Codable, Sendable, Equatable {
    /// At most 256 characters; single use.
    public var url: String
    public var expiresAt: Timestamp
    public var userStateId: String?

    public init(url: String, expiresAt: Timestamp, userStateId: String?) {
        self.url = url
        self.expiresAt = expiresAt
        self.userStateId = userStateId
    }
}

public struct TruliooHandoff: Codable, Sendable, Equatable {
    public var shortCode: String
    public var expiresInSeconds: Int
    public init(shortCode: String, expiresInSeconds: Int) {
        self.shortCode = shortCode
        self.expiresInSeconds = expiresInSeconds
    }
}

/// Platform errors `{"code": 4006, "message": "...", "details": {...}}` and OAuth errors
/// `{"error": "invalid_client"}`; some answers carry only `message`.
public struct TruliooErrorBody: Codable, Sendable, Equatable {
    public var code: ProviderCode?
    public var message: String?
    public var error: String?
    public var details: JSONValue?

    public init(code: Int, message: String, details: JSONValue? = nil) {
        self.code = .number(code)
        self.message = message
        self.details = details
    }

    public init(oauthError: String) {
        error = oauthError
    }
}
