import Foundation

// Truora Digital Identity (web links and process results) and WhatsApp outbound messages, as the
// reference (seed 003) documents their requests. The answers' shapes are not documented there:
// the ones here are proposed, shared by this client and the sandbox, and read tolerantly (unknown
// fields ignored, every field but the ids optional).

/// `POST /v1/api-keys` with `key_type=web` and `grant=digital-identity`: a temporary key that opens
/// one validation flow for one person.
public struct TruoraWebKeyRequest: Sendable, Equatable {
    /// The published flow (`IPF…`).
    public var flowID: String
    /// `ALL`, `BR`, `CL`, `CO`, `CR`, `EC`, `MX`, `PE` or `AR`.
    public var country: String
    /// Where the person lands when the flow ends (required with the digital-identity grant).
    public var redirectURL: String
    /// The person's account (`[a-zA-Z0-9_.-]+`); Truora makes one when it is absent.
    public var accountID: String?
    /// `national-id`, `foreign-id`, `passport`, `driver-license` or `pep`.
    public var documentType: String?
    public var phones: [String]
    public var emails: [String]
    /// Version 1 by default, as Truora's guide creates them.
    public var apiKeyVersion: Int

    public init(flowID: String, country: String, redirectURL: String, accountID: String? = nil,
                documentType: String? = nil, phones: [String] = [], emails: [String] = [], apiKeyVersion: Int = 1) {
        self.flowID = flowID
        self.country = country
        self.redirectURL = redirectURL
        self.accountID = accountID
        self.documentType = documentType
        self.phones = phones
        self.emails = emails
        self.apiKeyVersion = apiKeyVersion
    }

    public var form: FormBody {
        var form = FormBody()
        form.append("key_type", "web")
        form.append("grant", "digital-identity")
        form.append("api_key_version", String(apiKeyVersion))
        form.append("country", country)
        form.append("flow_id", flowID)
        form.append("redirect_url", redirectURL)
        form.append("account_id", accountID)
        form.append("document_type", documentType)
        for phone in phones { form.append("phones", phone) }
        for email in emails { form.append("emails", email) }
        return form
    }
}

/// The answer to a web key request: `{api_key, message}` (dev.truora.com/guides/web_integration_token;
/// Truora's own SDK reads the same two fields). A process id is not in it; the key itself, a JWT,
/// carries one in its `additional_data` claim (a string of JSON), as keys seen in public code show.
public struct TruoraWebKey: Codable, Sendable, Equatable {
    /// The temporary key; it is the link's token, so it is never logged.
    public var apiKey: String
    public var message: String?
    /// Not documented in the answer; read if ever present.
    public var accountID: String?
    /// Not documented in the answer; read if ever present. ``process`` also looks in the key.
    public var processID: String?

    /// The process the link starts (`IDP…`), whose result `GET /v1/processes/{id}/result` gives:
    /// the answer's, else the one in the key's `additional_data`, else nil (found later by listing
    /// the account's processes).
    public var process: String? {
        if let processID, !processID.isEmpty { return processID }
        return Self.keyClaims(apiKey)?["process_id"]?.string.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key's `additional_data` claim as an object: Truora writes it as a string holding JSON;
    /// an object is taken too. Nil when the key is not a JWT or has none.
    public static func keyClaims(_ key: String) -> JSONValue? {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
            let claims = try? JSONCoding.decoder().decode(JSONValue.self, from: Data(payload))
        else { return nil }
        switch claims["additional_data"] {
        case .string(let text)?:
            return try? JSONCoding.decoder().decode(JSONValue.self, from: Data(text.utf8))
        case .object(let object)?:
            return .object(object)
        default:
            return nil
        }
    }

    public init(apiKey: String, message: String? = nil, accountID: String? = nil, processID: String? = nil) {
        self.apiKey = apiKey
        self.message = message
        self.accountID = accountID
        self.processID = processID
    }

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key", message, accountID = "account_id", processID = "process_id"
    }
}

/// `GET /v1/processes/{id}/result`: `pending` while the person is in the flow, then `success` or
/// `failure` (with `declined_reason`). A status changed by hand shows in `override_status`.
public struct TruoraProcessResult: Codable, Sendable, Equatable {
    public var processID: String
    public var accountID: String?
    public var flowID: String?
    /// `pending`, `success` or `failure`.
    public var status: String
    /// Why a process failed or expired (`not_used`, `vpn_detected`, … as the seed lists them).
    public var declinedReason: String?
    /// `declined` or `expired` when `status` is `failure`.
    public var failureStatus: String?
    public var overrideStatus: String?
    public var overrideStatusHistory: [JSONValue]?
    public var creationDate: Timestamp?
    public var updateDate: Timestamp?

    public init(processID: String, accountID: String? = nil, flowID: String? = nil, status: String,
                declinedReason: String? = nil, failureStatus: String? = nil, overrideStatus: String? = nil,
                overrideStatusHistory: [JSONValue]? = nil, creationDate: Timestamp? = nil, updateDate: Timestamp? = nil) {
        self.processID = processID
        self.accountID = accountID
        self.flowID = flowID
        self.status = status
        self.declinedReason = declinedReason
        self.failureStatus = failureStatus
        self.overrideStatus = overrideStatus
        self.overrideStatusHistory = overrideStatusHistory
        self.creationDate = creationDate
        self.updateDate = updateDate
    }

    /// The status that counts: `override_status` when an authorised person changed it.
    public var finalStatus: String { overrideStatus.flatMap { $0.isEmpty ? nil : $0 } ?? status }
    public var isFinished: Bool { finalStatus != "pending" }

    enum CodingKeys: String, CodingKey {
        case processID = "process_id", accountID = "account_id", flowID = "flow_id", status
        case declinedReason = "declined_reason", failureStatus = "failure_status"
        case overrideStatus = "override_status", overrideStatusHistory = "override_status_history"
        case creationDate = "creation_date", updateDate = "update_date"
    }

    /// The reasons the seed lists for a process that expired or was declined.
    public static let declinedReasons = [
        "not_used", "no_document_media_uploaded", "no_face_media_uploaded", "no_media_uploaded",
        "process_started_late", "not_answered_question", "manual_review_not_performed",
        "abandoned_without_using_retries", "validation_not_finished", "validation_expired",
        "user_process_postponed", "geolocation_denied", "vpn_detected", "no_face_detected",
    ]
}

/// One page of `GET /v1/processes` on the identity API. The guide says only that it lists the
/// account's processes: the page is an array at the top or under one key (`processes`, `items`,
/// `data`, or whichever holds an array of objects); each entry keeps what it has of `process_id`,
/// `account_id`, `flow_id`, `status`, `creation_date`; `next` or `start_key` continues.
public struct TruoraProcessPage: Decodable, Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var processID: String
        public var accountID: String?
        public var flowID: String?
        public var status: String?
        public var creationDate: Timestamp?

        public init(processID: String, accountID: String? = nil, flowID: String? = nil, status: String? = nil,
                    creationDate: Timestamp? = nil) {
            self.processID = processID
            self.accountID = accountID
            self.flowID = flowID
            self.status = status
            self.creationDate = creationDate
        }
    }

    public var processes: [Entry]
    /// Where the next page starts; nil on the last.
    public var nextStartKey: String?

    public init(processes: [Entry], nextStartKey: String?) {
        self.processes = processes
        self.nextStartKey = nextStartKey
    }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        var items: [JSONValue]?
        var next: String?
        if let array = value.array {
            items = array
        } else if let object = value.object {
            for key in ["processes", "items", "data", "results"] where items == nil {
                items = object[key]?.array
            }
            if items == nil {
                items = object.sorted { $0.key < $1.key }.lazy.compactMap { $0.value.array }
                    .first { $0.contains { $0.object != nil } }
            }
            if let text = object["start_key"]?.string ?? object["next_start_key"]?.string, !text.isEmpty {
                next = text
            } else if let link = object["next"]?.string {
                next = TruoraClient.startKey(fromNext: link)
            }
        }
        guard let items else {
            throw DecodingError.keyNotFound(
                AnyKey("processes"), .init(codingPath: [], debugDescription: "no list of processes"))
        }
        processes = items.compactMap { item in
            guard let id = (item["process_id"] ?? item["identity_process_id"] ?? item["id"])?.string, !id.isEmpty
            else { return nil }
            return Entry(
                processID: id, accountID: item["account_id"]?.string, flowID: item["flow_id"]?.string,
                status: item["status"]?.string,
                creationDate: item["creation_date"]?.string.flatMap { Timestamp(parsing: $0) })
        }
        nextStartKey = next
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

// MARK: WhatsApp

/// Send Outbound Message: an approved outbound message as the first contact with one person, which
/// starts `flowID` when they accept.
public struct TruoraOutboundSend: Sendable, Equatable {
    public var outboundID: String
    /// Required unless the outbound is a notification.
    public var flowID: String?
    /// Without the country code (`3001234567`).
    public var phoneNumber: String
    /// `+57`.
    public var countryCode: String
    public var accountID: String?
    /// Must be true: the person agreed to be contacted on WhatsApp.
    public var userAuthorized: Bool
    /// `var.NAME` values, one per variable of the message.
    public var variables: [(name: String, value: String)]

    public init(outboundID: String, flowID: String?, phoneNumber: String, countryCode: String,
                accountID: String? = nil, userAuthorized: Bool, variables: [(name: String, value: String)] = []) {
        self.outboundID = outboundID
        self.flowID = flowID
        self.phoneNumber = phoneNumber
        self.countryCode = countryCode
        self.accountID = accountID
        self.userAuthorized = userAuthorized
        self.variables = variables
    }

    public var form: FormBody {
        var form = FormBody()
        form.append("outbound_id", outboundID)
        form.append("flow_id", flowID)
        form.append("phone_number", phoneNumber)
        form.append("country_code", countryCode)
        form.append("account_id", accountID)
        form.append("user_authorized", userAuthorized)
        for (name, value) in variables { form.append("var.\(name)", value) }
        return form
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.form == rhs.form }
}

/// What a send answered. Its shape is not public (clients of the real service read no field of it),
/// so any id it carries is kept: `process_id`, else `message_id`, `outbound_message_id` or `id`.
public struct TruoraOutboundSent: Codable, Sendable, Equatable {
    public var outboundID: String?
    public var flowID: String?
    public var accountID: String?
    public var processID: String?
    public var campaignID: String?
    /// `sent`.
    public var status: String?
    /// Another id the answer carried (a message id), kept for a support ticket.
    public var messageID: String?

    public init(outboundID: String? = nil, flowID: String? = nil, accountID: String? = nil, processID: String? = nil,
                campaignID: String? = nil, status: String? = nil, messageID: String? = nil) {
        self.outboundID = outboundID
        self.flowID = flowID
        self.accountID = accountID
        self.processID = processID
        self.campaignID = campaignID
        self.status = status
        self.messageID = messageID
    }

    /// Reads whatever a 2xx answer holds: an object (at the top or under `data`), or nothing usable,
    /// which is still a sent message.
    public init(answer body: [UInt8]) {
        self.init()
        guard var value = try? JSONCoding.decoder().decode(JSONValue.self, from: Data(body)) else { return }
        if let inner = value["data"], inner.object != nil { value = inner }
        func text(_ key: String) -> String? { value[key]?.string.flatMap { $0.isEmpty ? nil : $0 } }
        outboundID = text("outbound_id")
        flowID = text("flow_id")
        accountID = text("account_id")
        processID = text("process_id") ?? text("identity_process_id")
        campaignID = text("campaign_id")
        status = text("status")
        messageID = text("message_id") ?? text("outbound_message_id") ?? text("id")
    }

    enum CodingKeys: String, CodingKey {
        case outboundID = "outbound_id", flowID = "flow_id", accountID = "account_id", processID = "process_id"
        case campaignID = "campaign_id", status, messageID = "message_id"
    }
}

/// Create or Update Outbound Message: a message template, approved by WhatsApp before use.
public struct TruoraOutboundMessage: Sendable, Equatable {
    public var name: String
    /// `TRANSACTIONAL`, `MARKETING` or `OTP`.
    public var category: String
    /// `es` or `en`.
    public var languageCode: String
    /// `TEXT`, `VIDEO`, `IMAGE` or `DOCUMENT`.
    public var templateType: String
    /// The text, with variables written `{{.name}}`.
    public var content: String
    public var isNotification: Bool
    /// The WABA the template belongs to.
    public var wabaPhoneNumber: String
    /// Required when not a notification: the two buttons' texts.
    public var continueProcessMessage: String?
    public var cancelProcessMessage: String?
    /// Required when the type is not TEXT.
    public var mediaURL: String?
    /// An example value per variable.
    public var examples: [(name: String, value: String)]

    public init(name: String, category: String, languageCode: String, templateType: String = "TEXT",
                content: String, isNotification: Bool, wabaPhoneNumber: String, continueProcessMessage: String? = nil,
                cancelProcessMessage: String? = nil, mediaURL: String? = nil,
                examples: [(name: String, value: String)] = []) {
        self.name = name
        self.category = category
        self.languageCode = languageCode
        self.templateType = templateType
        self.content = content
        self.isNotification = isNotification
        self.wabaPhoneNumber = wabaPhoneNumber
        self.continueProcessMessage = continueProcessMessage
        self.cancelProcessMessage = cancelProcessMessage
        self.mediaURL = mediaURL
        self.examples = examples
    }

    public var form: FormBody {
        var form = FormBody()
        form.append("outbound_name", name)
        form.append("category", category)
        form.append("language_code", languageCode)
        form.append("template_type", templateType)
        form.append("content", content)
        form.append("is_notification", isNotification)
        form.append("waba_phone_number", wabaPhoneNumber)
        form.append("continue_process_message", continueProcessMessage)
        form.append("cancel_process_message", cancelProcessMessage)
        form.append("media_url", mediaURL)
        for (name, value) in examples { form.append("var.\(name)", value) }
        return form
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.form == rhs.form }
}

/// An outbound message as Truora keeps it (proposed shape).
public struct TruoraOutbound: Codable, Sendable, Equatable {
    public var outboundID: String
    public var outboundName: String?
    public var category: String?
    public var languageCode: String?
    public var content: String?
    public var isNotification: Bool?
    /// `PENDING` until WhatsApp approves it, then `APPROVED` (or `REJECTED`).
    public var status: String

    public init(outboundID: String, outboundName: String? = nil, category: String? = nil, languageCode: String? = nil,
                content: String? = nil, isNotification: Bool? = nil, status: String) {
        self.outboundID = outboundID
        self.outboundName = outboundName
        self.category = category
        self.languageCode = languageCode
        self.content = content
        self.isNotification = isNotification
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case outboundID = "outbound_id", outboundName = "outbound_name", category, languageCode = "language_code"
        case content, isNotification = "is_notification", status
    }
}

/// An inbound flow: the message a person sends to the business number to start a flow, and the
/// `wa.me`-style link that sends it.
public struct TruoraInbound: Codable, Sendable, Equatable {
    public var flowID: String
    public var inboundMessage: String
    public var wabaPhoneNumber: String
    /// `https://api.whatsapp.com/send/?phone=…&text=…`.
    public var whatsappLink: String?

    public init(flowID: String, inboundMessage: String, wabaPhoneNumber: String, whatsappLink: String? = nil) {
        self.flowID = flowID
        self.inboundMessage = inboundMessage
        self.wabaPhoneNumber = wabaPhoneNumber
        self.whatsappLink = whatsappLink
    }

    var form: FormBody {
        FormBody([("flow_id", flowID), ("inbound_message", inboundMessage), ("waba_phone_number", wabaPhoneNumber)])
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", inboundMessage = "inbound_message", wabaPhoneNumber = "waba_phone_number"
        case whatsappLink = "whatsapp_link"
    }
}

/// A campaign after Cancel Campaign (proposed shape).
public struct TruoraCampaign: Codable, Sendable, Equatable {
    public var campaignID: String
    /// `canceled`.
    public var status: String
    /// Processes of the campaign that had not started and were closed by the cancel.
    public var canceledProcesses: Int?

    public init(campaignID: String, status: String, canceledProcesses: Int? = nil) {
        self.campaignID = campaignID
        self.status = status
        self.canceledProcesses = canceledProcesses
    }

    enum CodingKeys: String, CodingKey {
        case campaignID = "campaign_id", status, canceledProcesses = "canceled_processes"
    }
}

/// A WABA line's configuration (proposed shape).
public struct TruoraLineConfig: Codable, Sendable, Equatable {
    public var wabaLine: String
    public var defaultFlowID: String?

    public init(wabaLine: String, defaultFlowID: String?) {
        self.wabaLine = wabaLine
        self.defaultFlowID = defaultFlowID
    }

    enum CodingKeys: String, CodingKey { case wabaLine = "waba_line", defaultFlowID = "default_flow_id" }
}
