// Wire models for the Truora Checks API (api.checks.truora.com) and its batches
// (api.account.truora.com). Shapes from `api-notes/truora.md`: documented ones exactly, proposed ones
// where nothing is public. Decoding is tolerant: numbers or strings where both are seen, extra
// fields ignored, 0-9 fraction digits in dates.

/// `{"check": {...}, "details": "/v1/checks/CHK…/details", "self": "/v1/checks/CHK…"}`
public struct TruoraCheckOutput: Codable, Sendable, Equatable {
    public var check: TruoraCheck
    public var details: String?
    public var selfPath: String?

    public init(check: TruoraCheck) {
        self.check = check
        details = "/v1/checks/\(check.checkID)/details"
        selfPath = "/v1/checks/\(check.checkID)"
    }

    enum CodingKeys: String, CodingKey {
        case check, details
        case selfPath = "self"
    }
}

/// The part of a check a bulk run keeps: id, status and the three scores, decoded from the same
/// `{"check": {...}}` answer with everything else skipped.
public struct TruoraCheckBrief: Decodable, Sendable, Equatable {
    public var checkID: String
    /// `not_started`, `in_progress`, `delayed`, `completed`, `error`.
    public var status: String
    /// 0...1, 1 = low risk; -1 while not computed.
    public var score: Double
    public var idScore: Double?
    public var nameScore: Double?

    public init(checkID: String, status: String, score: Double = -1, idScore: Double? = nil, nameScore: Double? = nil) {
        self.checkID = checkID
        self.status = status
        self.score = score
        self.idScore = idScore
        self.nameScore = nameScore
    }

    public var isFinal: Bool { TruoraCheck.finalStatuses.contains(status) }

    private enum Outer: String, CodingKey { case check }
    private enum Inner: String, CodingKey {
        case checkID = "check_id", status, score, idScore = "id_score", nameScore = "name_score"
        case homonymScore = "homonym_score"
    }

    public init(from decoder: any Decoder) throws {
        let check = try decoder.container(keyedBy: Outer.self).nestedContainer(keyedBy: Inner.self, forKey: .check)
        func number(_ key: Inner) -> Double? { (try? check.decodeIfPresent(LooseDouble.self, forKey: key))??.value }
        checkID = try check.decode(String.self, forKey: .checkID)
        status = try check.decodeIfPresent(String.self, forKey: .status) ?? ""
        score = number(.score) ?? -1
        idScore = number(.idScore)
        nameScore = number(.nameScore) ?? number(.homonymScore)
    }
}

/// A background check. Inputs sent at creation are echoed back under their own names.
public struct TruoraCheck: Codable, Sendable, Equatable {
    public var checkID: String
    public var country: String
    /// `person`, `vehicle`, `company` or a custom type name.
    public var type: String
    /// `not_started`, `in_progress`, `delayed`, `completed`, `error`.
    public var status: String
    public var creationDate: Timestamp?
    public var updateDate: Timestamp?
    /// 0...1, 1 = low risk; -1 while not computed.
    public var score: Double
    public var idScore: Double?
    /// `name_score` (current), `homonym_score` (2020 spec).
    public var nameScore: Double?
    public var homonymProbability: Double?
    public var previousCheck: String?
    public var reportID: String?
    public var scores: [DatasetScore]?
    public var statuses: [DatabaseStatus]?
    public var summary: JSONValue?
    public var companySummary: JSONValue?
    public var vehicleSummary: JSONValue?
    public var wrongInputs: [WrongInput]?
    /// Echoed inputs (`national_id`, `first_name`, `date_of_birth`, ...).
    public var inputs: [String: String]

    public static let finalStatuses: Set<String> = ["completed", "error"]
    public var isFinal: Bool { Self.finalStatuses.contains(status) }

    public init(
        checkID: String, country: String, type: String, status: String, creationDate: Timestamp? = nil,
        updateDate: Timestamp? = nil, score: Double = -1, idScore: Double? = nil, nameScore: Double? = nil,
        inputs: [String: String] = [:]
    ) {
        self.checkID = checkID
        self.country = country
        self.type = type
        self.status = status
        self.creationDate = creationDate
        self.updateDate = updateDate
        self.score = score
        self.idScore = idScore
        self.nameScore = nameScore
        self.inputs = inputs
    }

    /// Inputs that may be echoed back.
    public static let echoedInputs: [String] = [
        "national_id", "foreign_id", "tax_id", "passport", "pep", "ptp", "first_name", "last_name",
        "date_of_birth", "issue_date", "license_plate", "vehicle_id", "driver_license", "owner_document_id",
        "owner_document_type", "native_country", "region", "payment_date", "professional_card",
        "diplomatic_id", "birth_certificate", "phone_number", "issue_number", "state_id", "company_name",
    ]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func value<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
            try c.decodeIfPresent(T.self, forKey: Key(key))
        }
        func number(_ key: String) -> Double? {
            (try? c.decodeIfPresent(LooseDouble.self, forKey: Key(key)))??.value
        }
        checkID = try c.decode(String.self, forKey: Key("check_id"))
        country = try value(String.self, "country") ?? ""
        type = try value(String.self, "type") ?? ""
        status = try value(String.self, "status") ?? ""
        creationDate = try? value(Timestamp.self, "creation_date")
        updateDate = try? value(Timestamp.self, "update_date")
        score = number("score") ?? -1
        idScore = number("id_score")
        nameScore = number("name_score") ?? number("homonym_score")
        homonymProbability = number("homonym_probability")
        previousCheck = try value(String.self, "previous_check")
        reportID = try value(String.self, "report_id")
        scores = try? value([DatasetScore].self, "scores")
        statuses = try? value([DatabaseStatus].self, "statuses")
        summary = try? value(JSONValue.self, "summary")
        companySummary = try? value(JSONValue.self, "company_summary")
        vehicleSummary = try? value(JSONValue.self, "vehicle_summary")
        wrongInputs = try? value([WrongInput].self, "wrong_inputs")
        var inputs: [String: String] = [:]
        for name in Self.echoedInputs {
            if let text = try? c.decodeIfPresent(JSONValue.self, forKey: Key(name)), let string = text.string {
                inputs[name] = string
            }
        }
        self.inputs = inputs
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(checkID, forKey: Key("check_id"))
        try c.encode(country, forKey: Key("country"))
        try c.encode(type, forKey: Key("type"))
        try c.encode(status, forKey: Key("status"))
        try c.encodeIfPresent(creationDate, forKey: Key("creation_date"))
        try c.encodeIfPresent(updateDate, forKey: Key("update_date"))
        try c.encode(LooseDouble(score), forKey: Key("score"))
        try c.encodeIfPresent(idScore.map { LooseDouble($0) }, forKey: Key("id_score"))
        try c.encodeIfPresent(nameScore.map { LooseDouble($0) }, forKey: Key("name_score"))
        try c.encodeIfPresent(homonymProbability.map { LooseDouble($0) }, forKey: Key("homonym_probability"))
        try c.encodeIfPresent(previousCheck, forKey: Key("previous_check"))
        try c.encodeIfPresent(reportID, forKey: Key("report_id"))
        try c.encodeIfPresent(scores, forKey: Key("scores"))
        try c.encodeIfPresent(statuses, forKey: Key("statuses"))
        try c.encodeIfPresent(summary, forKey: Key("summary"))
        try c.encodeIfPresent(companySummary, forKey: Key("company_summary"))
        try c.encodeIfPresent(vehicleSummary, forKey: Key("vehicle_summary"))
        try c.encodeIfPresent(wrongInputs, forKey: Key("wrong_inputs"))
        for (name, value) in inputs.sorted(by: { $0.key < $1.key }) {
            try c.encode(value, forKey: Key(name))
        }
    }
}

/// One dataset's result in `scores`.
public struct DatasetScore: Codable, Sendable, Equatable {
    public struct Part: Codable, Sendable, Equatable {
        public var result: String
        public var score: LooseDouble
        public var severity: String

        public init(result: String, score: Double, severity: String) {
            self.result = result
            self.score = LooseDouble(score)
            self.severity = severity
        }
    }

    public var dataSet: String
    /// `pending`, `found`, `not_found`, `error`, `delayed`, `ignored`.
    public var result: String
    public var score: LooseDouble
    public var severity: String
    public var byID: Part?
    public var byName: Part?

    public init(
        dataSet: String, result: String, score: Double, severity: String, byID: Part? = nil, byName: Part? = nil
    ) {
        self.dataSet = dataSet
        self.result = result
        self.score = LooseDouble(score)
        self.severity = severity
        self.byID = byID
        self.byName = byName
    }

    enum CodingKeys: String, CodingKey {
        case dataSet = "data_set", result, score, severity
        case byID = "by_id", byName = "by_name"
    }
}

/// One database's progress in `statuses`.
public struct DatabaseStatus: Codable, Sendable, Equatable {
    public var dataSet: String?
    public var databaseID: String?
    public var databaseName: String
    /// `not_started`, `in_progress`, `completed`, `expired`, `error`, `delayed`, `skipped`.
    public var status: String
    public var invalidInputs: [String]?

    public init(
        dataSet: String?, databaseID: String?, databaseName: String, status: String, invalidInputs: [String]? = nil
    ) {
        self.dataSet = dataSet
        self.databaseID = databaseID
        self.databaseName = databaseName
        self.status = status
        self.invalidInputs = invalidInputs
    }

    enum CodingKeys: String, CodingKey {
        case dataSet = "data_set", databaseID = "database_id", databaseName = "database_name", status
        case invalidInputs = "invalid_inputs"
    }
}

public struct WrongInput: Codable, Sendable, Equatable {
    public var input: String

    public init(input: String) { self.input = input }

    enum CodingKeys: String, CodingKey { case input, capitalised = "Input" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decodeIfPresent(String.self, forKey: .input) ?? c.decode(String.self, forKey: .capitalised)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(input, forKey: .input)
    }
}

/// A page of `GET /v1/checks`; `next` is empty or absent on the last page.
public struct TruoraChecksPage: Codable, Sendable, Equatable {
    public var checks: [TruoraCheck]
    public var next: String?
    public var selfPath: String?

    public init(checks: [TruoraCheck], next: String?, selfPath: String?) {
        self.checks = checks
        self.next = next
        self.selfPath = selfPath
    }

    enum CodingKeys: String, CodingKey { case checks, next, selfPath = "self" }
}

/// A page of `GET /v1/checks/{id}/details`.
public struct TruoraDetailsPage: Codable, Sendable, Equatable {
    public var details: [TruoraCheckDetail]
    public var next: String?
    public var selfPath: String?

    public init(details: [TruoraCheckDetail], next: String?, selfPath: String?) {
        self.details = details
        self.next = next
        self.selfPath = selfPath
    }

    enum CodingKeys: String, CodingKey { case details, next, selfPath = "self" }
}

public struct TruoraCheckDetail: Codable, Sendable, Equatable {
    public struct Table: Codable, Sendable, Equatable {
        public struct Row: Codable, Sendable, Equatable {
            public var cells: [Cell]
            public init(cells: [Cell]) { self.cells = cells }
        }
        public struct Cell: Codable, Sendable, Equatable {
            public var label: String
            public var value: String
            public init(label: String, value: String) {
                self.label = label
                self.value = value
            }
        }
        public var title: String
        public var rows: [Row]
        public init(title: String, rows: [Row]) {
            self.title = title
            self.rows = rows
        }
    }

    public var id: String
    public var checkID: String
    public var dataSet: String
    public var databaseName: String
    public var group: String?
    public var result: String
    public var severity: String?
    public var route: String?
    public var score: LooseDouble?
    public var tables: [Table]?
    public var updateDate: Timestamp?

    public init(
        id: String, checkID: String, dataSet: String, databaseName: String, group: String?, result: String,
        severity: String?, route: String?, score: Double?, tables: [Table]?, updateDate: Timestamp?
    ) {
        self.id = id
        self.checkID = checkID
        self.dataSet = dataSet
        self.databaseName = databaseName
        self.group = group
        self.result = result
        self.severity = severity
        self.route = route
        self.score = score.map { LooseDouble($0) }
        self.tables = tables
        self.updateDate = updateDate
    }

    enum CodingKeys: String, CodingKey {
        case id, checkID = "check_id", dataSet = "data_set", databaseName = "database_name", group, result
        case severity, route, score, tables, updateDate = "update_date"
    }
}

/// `GET /v1/checks/{id}/summarize` (proposed shape).
public struct TruoraCheckSummary: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public struct Finding: Codable, Sendable, Equatable {
            public var databaseName: String
            public var description: String
            public init(databaseName: String, description: String) {
                self.databaseName = databaseName
                self.description = description
            }
            enum CodingKeys: String, CodingKey { case databaseName = "database_name", description }
        }
        public var dataSet: String
        public var result: String
        public var severity: String
        public var findings: [Finding]
        public init(dataSet: String, result: String, severity: String, findings: [Finding]) {
            self.dataSet = dataSet
            self.result = result
            self.severity = severity
            self.findings = findings
        }
        enum CodingKeys: String, CodingKey { case dataSet = "data_set", result, severity, findings }
    }

    public var checkID: String
    public var status: String
    public var score: LooseDouble
    public var summary: [Entry]
    public var selfPath: String?

    public init(checkID: String, status: String, score: Double, summary: [Entry]) {
        self.checkID = checkID
        self.status = status
        self.score = LooseDouble(score)
        self.summary = summary
        selfPath = "/v1/checks/\(checkID)/summarize"
    }

    enum CodingKeys: String, CodingKey { case checkID = "check_id", status, score, summary, selfPath = "self" }
}

/// `GET /v1/checks/{id}/attachments` (proposed shape).
public struct TruoraAttachments: Codable, Sendable, Equatable {
    public struct Attachment: Codable, Sendable, Equatable {
        public var databaseID: String?
        public var databaseName: String
        public var fileName: String
        public var contentType: String
        public var url: String
        public var expirationDate: Timestamp?
        public init(
            databaseID: String?, databaseName: String, fileName: String, contentType: String, url: String,
            expirationDate: Timestamp?
        ) {
            self.databaseID = databaseID
            self.databaseName = databaseName
            self.fileName = fileName
            self.contentType = contentType
            self.url = url
            self.expirationDate = expirationDate
        }
        enum CodingKeys: String, CodingKey {
            case databaseID = "database_id", databaseName = "database_name", fileName = "file_name"
            case contentType = "content_type", url, expirationDate = "expiration_date"
        }
    }

    public var attachments: [Attachment]
    public var selfPath: String?

    public init(attachments: [Attachment], selfPath: String?) {
        self.attachments = attachments
        self.selfPath = selfPath
    }

    enum CodingKeys: String, CodingKey { case attachments, selfPath = "self" }
}

/// One database in `GET /v1/health` (a bare JSON array of these).
public struct TruoraDatabaseHealth: Codable, Sendable, Equatable {
    public var databaseID: String
    public var databaseName: String
    public var dataSets: [String]
    /// 24 hourly buckets of the requested local day: `operational`, `degraded_performance`, ...
    public var hourlyStatus: [String]

    public init(databaseID: String, databaseName: String, dataSets: [String], hourlyStatus: [String]) {
        self.databaseID = databaseID
        self.databaseName = databaseName
        self.dataSets = dataSets
        self.hourlyStatus = hourlyStatus
    }

    enum CodingKeys: String, CodingKey {
        case databaseID = "database_id", databaseName = "database_name", dataSets = "data_sets"
        case hourlyStatus = "hourly_status"
    }
}

/// `/v1/config`: custom types, country → type name → dataset weights.
public struct TruoraConfig: Codable, Sendable, Equatable {
    public struct Weight: Codable, Sendable, Equatable {
        public var dataSet: String
        public var weight: LooseDouble
        public init(dataSet: String, weight: Double) {
            self.dataSet = dataSet
            self.weight = LooseDouble(weight)
        }
        enum CodingKeys: String, CodingKey { case dataSet = "data_set", weight }
    }

    public var clientID: String?
    public var configID: String?
    public var providerConfigs: JSONValue?
    public var scoreConfigs: [String: [String: [Weight]]]

    public init(clientID: String?, configID: String?, scoreConfigs: [String: [String: [Weight]]]) {
        self.clientID = clientID
        self.configID = configID
        providerConfigs = .object([:])
        self.scoreConfigs = scoreConfigs
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", configID = "config_id", providerConfigs = "provider_configs"
        case scoreConfigs = "score_configs"
    }

    /// `score_configs` is a map (country → type → weights) in Truora's examples; a list of
    /// `{country, type, ...weights}` entries is taken too, and an absent one is no custom type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clientID = (try? c.decodeIfPresent(String.self, forKey: .clientID)) ?? nil
        configID = (try? c.decodeIfPresent(String.self, forKey: .configID)) ?? nil
        providerConfigs = (try? c.decodeIfPresent(JSONValue.self, forKey: .providerConfigs)) ?? nil
        if let map = try? c.decodeIfPresent([String: [String: [Weight]]].self, forKey: .scoreConfigs) {
            scoreConfigs = map
            return
        }
        var configs: [String: [String: [Weight]]] = [:]
        let list = (try? c.decodeIfPresent([JSONValue].self, forKey: .scoreConfigs)) ?? nil
        for entry in list ?? [] {
            guard let country = entry["country"]?.string, let type = (entry["type"] ?? entry["name"])?.string else {
                continue
            }
            let weights = (entry["weights"] ?? entry["data_sets"] ?? entry["score_config"])?.array ?? []
            configs[country, default: [:]][type] = weights.compactMap { weight in
                guard let set = weight["data_set"]?.string,
                    let value = weight["weight"].flatMap({ $0.string.flatMap(Double.init) })
                else { return nil }
                return Weight(dataSet: set, weight: value)
            }
        }
        scoreConfigs = configs
    }
}

/// `POST /v1/settings` answer (proposed shape).
public struct TruoraSettings: Codable, Sendable, Equatable {
    public var clientID: String?
    public var namesMatchingType: String
    public var retries: Bool
    public var maxDuration: String
    public var updateDate: Timestamp?

    public init(
        clientID: String?, namesMatchingType: String, retries: Bool, maxDuration: String, updateDate: Timestamp?
    ) {
        self.clientID = clientID
        self.namesMatchingType = namesMatchingType
        self.retries = retries
        self.maxDuration = maxDuration
        self.updateDate = updateDate
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", namesMatchingType = "names_matching_type", retries
        case maxDuration = "max_duration", updateDate = "update_date"
    }
}

public struct TruoraContinuousCheck: Codable, Sendable, Equatable {
    public var continuousCheckID: String
    public var check: TruoraCheck?
    /// Runs so far.
    public var counter: Int
    public var frequency: String
    /// `enabled`, `disabled`.
    public var status: String
    /// `new`, `up`, `down`, `same`.
    public var scoreStatus: String?
    public var endDate: String?
    public var creationDate: Timestamp?
    public var updateDate: Timestamp?
    public var nextRunDate: Timestamp?

    public init(
        continuousCheckID: String, check: TruoraCheck?, counter: Int, frequency: String, status: String,
        scoreStatus: String?, endDate: String?, creationDate: Timestamp?, updateDate: Timestamp?,
        nextRunDate: Timestamp?
    ) {
        self.continuousCheckID = continuousCheckID
        self.check = check
        self.counter = counter
        self.frequency = frequency
        self.status = status
        self.scoreStatus = scoreStatus
        self.endDate = endDate
        self.creationDate = creationDate
        self.updateDate = updateDate
        self.nextRunDate = nextRunDate
    }

    enum CodingKeys: String, CodingKey {
        case continuousCheckID = "continuous_check_id", check, counter, frequency, status
        case scoreStatus = "score_status", endDate = "end_date", creationDate = "creation_date"
        case updateDate = "update_date", nextRunDate = "next_run_date"
    }
}

public struct TruoraContinuousChecksPage: Codable, Sendable, Equatable {
    public var continuousChecks: [TruoraContinuousCheck]
    public var next: String?
    public var selfPath: String?

    public init(continuousChecks: [TruoraContinuousCheck], next: String?, selfPath: String?) {
        self.continuousChecks = continuousChecks
        self.next = next
        self.selfPath = selfPath
    }

    enum CodingKeys: String, CodingKey { case continuousChecks = "continuous_checks", next, selfPath = "self" }
}

public struct TruoraContinuousHistory: Codable, Sendable, Equatable {
    public struct ScoreChange: Codable, Sendable, Equatable {
        public var old: LooseDouble
        public var new: LooseDouble
        public init(old: Double, new: Double) {
            self.old = LooseDouble(old)
            self.new = LooseDouble(new)
        }
    }
    public struct Change: Codable, Sendable, Equatable {
        public var scoreChanges: ScoreChange?
        public var datasetScoreChanges: [String: ScoreChange]?
        public init(scoreChanges: ScoreChange?, datasetScoreChanges: [String: ScoreChange]?) {
            self.scoreChanges = scoreChanges
            self.datasetScoreChanges = datasetScoreChanges
        }
        enum CodingKeys: String, CodingKey {
            case scoreChanges = "score_changes", datasetScoreChanges = "dataset_score_changes"
        }
    }
    public struct Entry: Codable, Sendable, Equatable {
        public var continuousCheckID: String
        public var checkID: String
        public var previousCheckID: String?
        public var creationDate: Timestamp?
        public var changes: [Change]
        public init(
            continuousCheckID: String, checkID: String, previousCheckID: String?, creationDate: Timestamp?,
            changes: [Change]
        ) {
            self.continuousCheckID = continuousCheckID
            self.checkID = checkID
            self.previousCheckID = previousCheckID
            self.creationDate = creationDate
            self.changes = changes
        }
        enum CodingKeys: String, CodingKey {
            case continuousCheckID = "continuous_check_id", checkID = "check_id"
            case previousCheckID = "previous_check_id", creationDate = "creation_date", changes
        }
    }

    public var history: [Entry]
    public var next: String?
    public var selfPath: String?

    public init(history: [Entry], next: String?, selfPath: String?) {
        self.history = history
        self.next = next
        self.selfPath = selfPath
    }

    enum CodingKeys: String, CodingKey { case history, next, selfPath = "self" }
}

/// `POST /v1/checks/{id}/pdf` → where to download it.
public struct TruoraPDFLink: Codable, Sendable, Equatable {
    public var pdfPath: String
    public init(pdfPath: String) { self.pdfPath = pdfPath }
    enum CodingKeys: String, CodingKey { case pdfPath = "pdf_path" }
}

/// A batch (`/v1/batches`, proposed shape).
public struct TruoraBatch: Codable, Sendable, Equatable {
    public var batchID: String
    public var service: String
    public var type: String
    public var country: String
    /// `not_started`, `in_progress`, `completed`, `stopped`, `failed`.
    public var status: String
    /// Rows in the uploaded file.
    public var size: Int
    public var createdChecksCount: Int?
    public var invalidChecksCount: Int?
    /// Input names in column order (create only).
    public var columns: [String]?
    /// Where to PUT the xlsx (create only; single use, expires).
    public var fileUploadLink: String?
    public var failureReason: String?
    public var creationDate: Timestamp?
    public var updateDate: Timestamp?

    public init(batchID: String, service: String, type: String, country: String, status: String, size: Int) {
        self.batchID = batchID
        self.service = service
        self.type = type
        self.country = country
        self.status = status
        self.size = size
    }

    public static let finalStatuses: Set<String> = ["completed", "stopped", "failed"]
    public var isFinal: Bool { Self.finalStatuses.contains(status) }

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", service, type, country, status, size
        case createdChecksCount = "created_checks_count", invalidChecksCount = "invalid_checks_count"
        case columns, fileUploadLink = "file_upload_link", failureReason = "failure_reason"
        case creationDate = "creation_date", updateDate = "update_date"
    }

    /// Only the id is needed: `size` is absent before the upload, and the other fields are read
    /// when present (numbers as numbers or strings).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? { (try? c.decodeIfPresent(String.self, forKey: key)) ?? nil }
        func number(_ key: CodingKeys) -> Int? {
            ((try? c.decodeIfPresent(LooseDouble.self, forKey: key)) ?? nil).map { Int($0.value) }
        }
        batchID = try c.decode(String.self, forKey: .batchID)
        service = text(.service) ?? "checks"
        type = text(.type) ?? ""
        country = text(.country) ?? ""
        status = text(.status) ?? "not_started"
        size = number(.size) ?? 0
        createdChecksCount = number(.createdChecksCount)
        invalidChecksCount = number(.invalidChecksCount)
        columns = (try? c.decodeIfPresent([String].self, forKey: .columns)) ?? nil
        fileUploadLink = text(.fileUploadLink)
        failureReason = text(.failureReason)
        creationDate = (try? c.decodeIfPresent(Timestamp.self, forKey: .creationDate)) ?? nil
        updateDate = (try? c.decodeIfPresent(Timestamp.self, forKey: .updateDate)) ?? nil
    }
}

/// A batch report request or its result (proposed shape).
public struct TruoraBatchReport: Codable, Sendable, Equatable {
    public var batchID: String
    public var format: String
    /// `in_progress`, `completed`.
    public var status: String
    public var reportLink: String?

    public init(batchID: String, format: String, status: String, reportLink: String?) {
        self.batchID = batchID
        self.format = format
        self.status = status
        self.reportLink = reportLink
    }

    enum CodingKeys: String, CodingKey {
        case batchID = "batch_id", format, status, reportLink = "report_link"
    }
}

/// `{"code": 10400, "http_code": 400, "message": "..."}`; `code` may be a string.
public struct TruoraErrorBody: Codable, Sendable, Equatable {
    public var code: ProviderCode?
    public var httpCode: Int?
    public var message: String?

    public init(code: Int, httpCode: Int, message: String) {
        self.code = .number(code)
        self.httpCode = httpCode
        self.message = message
    }

    enum CodingKeys: String, CodingKey { case code, httpCode = "http_code", message }
}
