import ProviderAPI

/// How a sandbox check turns out, chosen by the last digit of its ID so tests and demos repeat:
/// 0-5 clean, 6 a name-only (homonym) hit, 7 error, 8 delayed then clean, 9 criminal record found.
enum CheckOutcome: String, Sendable {
    case clean, homonym, error, delayed, criminalRecord

    static func forIdentifier(_ id: String) -> CheckOutcome {
        guard let last = id.last(where: \.isNumber)?.wholeNumberValue else { return .clean }
        switch last {
        case 6: return .homonym
        case 7: return .error
        case 8: return .delayed
        case 9: return .criminalRecord
        default: return .clean
        }
    }
}

/// Dataset weights of the built-in types (CO person and company from Truora's guides; the
/// others a consistent choice), used for every country unless a custom type says otherwise.
enum DefaultWeights {
    static let person: [(String, Double)] = [
        ("personal_identity", 0.2), ("criminal_record", 0.6), ("legal_background", 0.1),
        ("international_background", 0.1), ("alert_in_media", 0),
    ]
    static let company: [(String, Double)] = [
        ("business_background", 0.3), ("criminal_record", 0.4), ("legal_background", 0.1),
        ("international_background", 0.1), ("taxes_and_finances", 0.1), ("alert_in_media", 0),
    ]
    static let vehicle: [(String, Double)] = [
        ("personal_identity", 0.2), ("vehicle_information", 0.3), ("traffic_fines", 0.2), ("criminal_record", 0.3),
    ]

    static func weights(for type: String) -> [(String, Double)]? {
        switch type {
        case "person": person
        case "company": company
        case "vehicle": vehicle
        default: nil
        }
    }

    static let dataSets: Set<String> = [
        "personal_identity", "criminal_record", "legal_background", "international_background",
        "professional_background", "affiliations_and_insurances", "alert_in_media", "business_background",
        "taxes_and_finances", "vehicle_information", "vehicle_permits", "traffic_fines", "driving_licenses",
    ]
}

/// A check as the sandbox keeps it; what clients see is rendered from it at read time.
struct CheckRecord: Sendable {
    var id: String
    var country: String
    var type: String
    /// Normalised inputs echoed back (no country, type or consent).
    var inputs: [String: String]
    /// Sandbox seconds at creation.
    var created: Double
    var createdAt: Timestamp
    var outcome: CheckOutcome
    var previous: String?
    var reportID: String?
    var weights: [(String, Double)]
}

/// Renders a ``CheckRecord`` at a sandbox time: status, per-database progress, scores, details.
enum CheckSimulation {
    /// Sandbox seconds: queued, then databases answer one by one, then final.
    static let queued = 5.0
    static let running = 60.0
    static let delayedUntil = 600.0

    static func databaseName(_ dataSet: String, _ country: String) -> String {
        let names: [String: String] = [
            "personal_identity": "Registro nacional de identidad", "criminal_record": "Antecedentes judiciales",
            "legal_background": "Procesos judiciales", "international_background": "Listas internacionales",
            "alert_in_media": "Medios", "business_background": "Registro mercantil",
            "taxes_and_finances": "Administración tributaria", "vehicle_information": "Registro de vehículos",
            "traffic_fines": "Multas de tránsito", "professional_background": "Consejos profesionales",
            "affiliations_and_insurances": "Seguridad social", "vehicle_permits": "Permisos vehiculares",
            "driving_licenses": "Licencias de conducción",
        ]
        return "\(names[dataSet] ?? dataSet) (\(country))"
    }

    static func databaseID(_ dataSet: String, _ country: String) -> String {
        "DBI" + Identifiers.stable("\(country)/\(dataSet)")
    }

    static func status(_ record: CheckRecord, at time: Double) -> String {
        let age = time - record.created
        if age < queued { return "not_started" }
        if age < running { return "in_progress" }
        if record.outcome == .delayed, age < delayedUntil { return "delayed" }
        return record.outcome == .error ? "error" : "completed"
    }

    /// Whether dataset `index` has its answer at `age`.
    private static func answered(_ index: Int, _ count: Int, age: Double) -> Bool {
        age >= queued + (running - queued) * Double(index + 1) / Double(count + 1)
    }

    static func render(_ record: CheckRecord, at time: Double) -> TruoraCheck {
        let status = status(record, at: time)
        let age = time - record.created
        var check = TruoraCheck(
            checkID: record.id, country: record.country, type: record.type, status: status,
            creationDate: record.createdAt,
            updateDate: record.createdAt.adding(
                seconds: min(
                    age,
                    status == "completed" || status == "error"
                        ? (record.outcome == .delayed ? delayedUntil : running) : age)),
            score: -1, idScore: 0, nameScore: 0, inputs: record.inputs)
        check.previousCheck = record.previous
        check.reportID = record.reportID
        for (key, value) in record.inputs where key == "date_of_birth" || key == "issue_date" {
            check.inputs[key] = value.count == 10 ? value + "T00:00:00Z" : value
        }
        guard status != "not_started" else { return check }

        var scores: [DatasetScore] = []
        var statuses: [DatabaseStatus] = []
        let final = status == "completed" || status == "error"
        for (index, (dataSet, _)) in record.weights.enumerated() {
            let done = final || answered(index, record.weights.count, age: age)
            let databaseStatus: String
            var result = "pending", byID = DatasetScore.Part(result: "pending", score: 1, severity: "none")
            var byName = byID
            if !done {
                databaseStatus = status == "delayed" ? "delayed" : "in_progress"
            } else if record.outcome == .error, index % 2 == 0 {
                databaseStatus = "error"
                result = "error"
                byID = .init(result: "error", score: 1, severity: "unknown")
                byName = byID
            } else {
                databaseStatus = "completed"
                result = "not_found"
                byID = .init(result: "not_found", score: 1, severity: "none")
                byName = byID
                if record.outcome == .criminalRecord, dataSet == "criminal_record" {
                    result = "found"
                    byID = .init(result: "found", score: 0, severity: "high")
                }
                if record.outcome == .homonym, dataSet == "criminal_record" || dataSet == "alert_in_media" {
                    result = "found"
                    byID = .init(result: "ignored", score: 1, severity: "unknown")
                    byName = .init(result: "found", score: 0, severity: "medium")
                }
            }
            let score = result == "found" && byID.result == "found" ? 0.0 : 1.0
            scores.append(
                DatasetScore(
                    dataSet: dataSet, result: result, score: score,
                    severity: result == "found" ? (byID.result == "found" ? "high" : "medium") : "none",
                    byID: byID, byName: byName))
            statuses.append(
                DatabaseStatus(
                    dataSet: dataSet, databaseID: databaseID(dataSet, record.country),
                    databaseName: databaseName(dataSet, record.country), status: databaseStatus))
        }
        if record.type == "person", record.inputs["date_of_birth"] == nil, record.country != "ALL" {
            statuses.append(
                DatabaseStatus(
                    dataSet: "personal_identity",
                    databaseID: databaseID("civil_registry", record.country),
                    databaseName: "Registro civil (\(record.country))", status: "skipped",
                    invalidInputs: ["date_of_birth"]))
        }
        check.scores = scores
        check.statuses = statuses
        guard final else { return check }

        if status == "completed" {
            check.score = weighted(scores, record.weights) { $0.score.value }
            check.idScore = weighted(scores, record.weights) { $0.byID?.score.value ?? 1 }
            check.nameScore = weighted(scores, record.weights) { $0.byName?.score.value ?? 1 }
            if record.outcome == .homonym { check.nameScore = 0.5 }
            check.homonymProbability = record.outcome == .homonym ? 0.5 : 0
        }
        var summary: [String: JSONValue] = ["identity_status": status == "completed" ? "found" : "not_found"]
        if let first = record.inputs["first_name"], let last = record.inputs["last_name"] {
            summary["names_found"] = [
                [
                    "count": 1, "first_name": .string(first.uppercased()),
                    "last_name": .string(last.uppercased()),
                ]
            ]
        } else {
            summary["names_found"] = []
        }
        check.summary = .object(summary)
        return check
    }

    /// Weighted average over datasets with weight; datasets with weight 0 are searched, not scored.
    static func weighted(_ scores: [DatasetScore], _ weights: [(String, Double)], _ value: (DatasetScore) -> Double)
        -> Double
    {
        var total = 0.0, sum = 0.0
        for (score, (_, weight)) in zip(scores, weights) where weight > 0 {
            total += weight
            sum += weight * value(score)
        }
        guard total > 0 else { return 1 }
        return (sum / total * 1000).rounded() / 1000
    }

    /// Details: one entry per dataset that answered, `tables` only where something was found.
    static func details(_ record: CheckRecord, at time: Double) -> [TruoraCheckDetail] {
        let check = render(record, at: time)
        return (check.scores ?? []).enumerated().compactMap { index, score in
            guard score.result != "pending" else { return nil }
            let found = score.result == "found"
            let byName = score.byName?.result == "found" && score.byID?.result != "found"
            let tables: [TruoraCheckDetail.Table]? =
                found
                ? [
                    .init(
                        title: databaseName(score.dataSet, record.country),
                        rows: [
                            .init(cells: [
                                .init(
                                    label: "Registro", value: byName ? "Coincidencia por nombre" : "Anotación vigente"),
                                .init(label: "Fecha", value: record.createdAt.day),
                            ])
                        ])
                ]
                : nil
            return TruoraCheckDetail(
                id: "DTL" + Identifiers.stable("\(record.id)/\(index)", length: 32), checkID: record.id,
                dataSet: score.dataSet, databaseName: databaseName(score.dataSet, record.country),
                group: group(score.dataSet), result: score.result, severity: score.severity,
                route: byName ? "person-name" : "person", score: score.score.value, tables: tables,
                updateDate: check.updateDate)
        }
    }

    static func group(_ dataSet: String) -> String {
        switch dataSet {
        case "personal_identity": "profile"
        case "criminal_record", "legal_background": "legal"
        case "affiliations_and_insurances": "affiliations"
        case "vehicle_information", "traffic_fines", "vehicle_permits", "driving_licenses": "vehicle"
        case "international_background": "global"
        case "alert_in_media": "media"
        default: "unknown"
        }
    }
}
