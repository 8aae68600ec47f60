import ProviderAPI

/// Everything the Truora side of the sandbox remembers.
actor TruoraState {
    let clock: SandboxClock
    let stats: Stats
    let pageSize: Int

    private var checks: [String: CheckRecord] = [:]
    /// Check ids, oldest first.
    private var order: [String] = []
    /// High-priority checks that may still be running.
    private var highPriorityIDs: [String] = []
    /// De-duplication key → latest check id.
    private var latestByKey: [String: String] = [:]
    /// country → custom type → weights.
    private(set) var customTypes: [String: [String: [(String, Double)]]] = [:]
    private let configID = Identifiers.config()
    static let clientID = "sandboxclient0000000000000"
    private var settings = TruoraSettings(
        clientID: TruoraState.clientID, namesMatchingType: "soft", retries: false,
        maxDuration: "3h", updateDate: nil)
    private var continuous: [String: ContinuousRecord] = [:]
    private var continuousOrder: [String] = []
    /// check id → sandbox time the PDF was asked for.
    private var pdfRequests: [String: Double] = [:]
    var batches: [String: BatchRecord] = [:]
    /// upload token → batch id.
    var uploadLinks: [String: String] = [:]
    /// report token → batch id.
    var reportLinks: [String: String] = [:]

    /// Sandbox seconds before a requested PDF is ready.
    let pdfDelay: Double

    init(clock: SandboxClock, stats: Stats, pageSize: Int, pdfDelay: Double = 2) {
        self.clock = clock
        self.stats = stats
        self.pageSize = max(1, pageSize)
        self.pdfDelay = pdfDelay
    }

    var now: Double { clock.elapsed }

    func timestamp(_ sandboxSeconds: Double? = nil) -> Timestamp {
        clockOrigin.adding(seconds: sandboxSeconds ?? now)
    }

    /// Wall-clock time of sandbox second 0.
    private let clockOrigin = Timestamp.now()

    func reset() {
        checks = [:]
        order = []
        latestByKey = [:]
        highPriorityIDs = []
        customTypes = [:]
        continuous = [:]
        continuousOrder = []
        pdfRequests = [:]
        batches = [:]
        uploadLinks = [:]
        reportLinks = [:]
    }

    // MARK: Checks

    /// The weights of `type` in `country`; nil when it is neither built in nor a custom type there.
    func weights(country: String, type: String) -> [(String, Double)]? {
        if let builtIn = DefaultWeights.weights(for: type) { return builtIn }
        return customTypes[country]?[type] ?? customTypes["ALL"]?[type]
    }

    /// Creates a check, or returns the latest one with the same inputs unless `force`.
    /// Nil when the check is high priority and the country already has `highPriorityLimit` running.
    func create(
        _ accepted: TruoraInputCheck.Accepted, weights: [(String, Double)], force: Bool,
        reportID: String? = nil, highPriority: Bool = false, highPriorityLimit: Int = .max
    ) -> (TruoraCheck, created: Bool)? {
        let existing = latestByKey[accepted.key]
        if !force, let existing, let record = checks[existing] {
            return (CheckSimulation.render(record, at: now), false)
        }
        if highPriority {
            let running = highPriorityIDs.filter { id in
                checks[id].map { $0.country == accepted.country && !CheckSimulation.render($0, at: now).isFinal } ?? false
            }
            highPriorityIDs = running
            guard running.count < highPriorityLimit else { return nil }
        }
        let record = CheckRecord(
            id: Identifiers.check(), country: accepted.country, type: accepted.type,
            inputs: accepted.inputs, created: now, createdAt: timestamp(),
            outcome: CheckOutcome.forIdentifier(accepted.identifier), previous: existing,
            reportID: reportID, weights: weights)
        checks[record.id] = record
        order.append(record.id)
        latestByKey[accepted.key] = record.id
        if highPriority { highPriorityIDs.append(record.id) }
        stats.checkCreated(inputKey: accepted.key)
        return (CheckSimulation.render(record, at: now), true)
    }

    func check(_ id: String) -> TruoraCheck? {
        checks[id].map { CheckSimulation.render($0, at: now) }
    }

    func record(_ id: String) -> CheckRecord? { checks[id] }

    /// Newest first; `startKey` is the last id of the previous page.
    func list(startKey: String?, reportID: String?) -> TruoraChecksPage {
        var ids = order.reversed().filter { reportID == nil || checks[$0]?.reportID == reportID }
        if let startKey, let index = ids.firstIndex(of: startKey) { ids = Array(ids[(index + 1)...]) }
        let page = ids.prefix(pageSize)
        var next = ""
        if ids.count > pageSize, let last = page.last {
            next = "/v1/checks?start_key=\(last)" + (reportID.map { "&report_id=\($0)" } ?? "")
        }
        return TruoraChecksPage(
            checks: page.compactMap { checks[$0].map { CheckSimulation.render($0, at: now) } },
            next: next, selfPath: "/v1/checks")
    }

    func details(_ id: String, startKey: String?) -> TruoraDetailsPage? {
        guard let record = checks[id] else { return nil }
        var all = CheckSimulation.details(record, at: now)
        if let startKey, let index = all.firstIndex(where: { $0.id == startKey }) { all = Array(all[(index + 1)...]) }
        let page = Array(all.prefix(pageSize))
        let next = all.count > pageSize ? "/v1/checks/\(id)/details?start_key=\(page.last!.id)" : ""
        return TruoraDetailsPage(details: page, next: next, selfPath: "/v1/checks/\(id)/details")
    }

    enum DeleteResult { case deleted(TruoraCheck), notFound, firstOfContinuous }

    func delete(_ id: String) -> DeleteResult {
        guard let record = checks[id] else { return .notFound }
        if continuous.values.contains(where: { $0.checkID == id }) { return .firstOfContinuous }
        let rendered = CheckSimulation.render(record, at: now)
        checks[id] = nil
        order.removeAll { $0 == id }
        for (key, value) in latestByKey where value == id { latestByKey[key] = record.previous }
        pdfRequests[id] = nil
        return .deleted(rendered)
    }

    // MARK: PDF

    func requestPDF(_ id: String) -> Bool {
        guard checks[id] != nil else { return false }
        if pdfRequests[id] == nil { pdfRequests[id] = now }
        return true
    }

    /// Ready `pdfDelay` sandbox seconds after it was asked for.
    func pdfReady(_ id: String) -> Bool {
        guard let asked = pdfRequests[id] else { return false }
        return now - asked >= pdfDelay
    }

    // MARK: Custom types and settings

    func config(country: String? = nil) -> TruoraConfig {
        var score: [String: [String: [TruoraConfig.Weight]]] = [:]
        for (c, types) in customTypes where country == nil || c == country {
            var byType: [String: [TruoraConfig.Weight]] = [:]
            for (name, weights) in types {
                byType[name] = weights.map { TruoraConfig.Weight(dataSet: $0.0, weight: $0.1) }
            }
            if c != "ALL" {
                byType["person"] = DefaultWeights.person.map { TruoraConfig.Weight(dataSet: $0.0, weight: $0.1) }
                byType["company"] = DefaultWeights.company.map { TruoraConfig.Weight(dataSet: $0.0, weight: $0.1) }
            }
            score[c] = byType
        }
        return TruoraConfig(clientID: Self.clientID, configID: configID, scoreConfigs: score)
    }

    func setCustomType(country: String, type: String, weights: [(String, Double)], create: Bool) -> SandboxError? {
        let exists = customTypes[country]?[type] != nil
        if create, exists {
            return SandboxError(400, "custom type '\(type)' already exists for \(country); update it with PUT")
        }
        if !create, !exists { return SandboxError(400, "custom type '\(type)' does not exist for \(country)") }
        customTypes[country, default: [:]][type] = weights
        return nil
    }

    func deleteCustomType(country: String, type: String) -> Bool {
        guard customTypes[country]?[type] != nil else { return false }
        customTypes[country]?[type] = nil
        if customTypes[country]?.isEmpty == true { customTypes[country] = nil }
        return true
    }

    func updateSettings(maxDuration: String?, namesMatchingType: String?, retries: Bool?) -> TruoraSettings {
        if let retries {
            settings.retries = retries
            if maxDuration == nil { settings.maxDuration = retries ? "48h" : "3h" }
        }
        if let maxDuration { settings.maxDuration = maxDuration }
        if let namesMatchingType { settings.namesMatchingType = namesMatchingType }
        settings.updateDate = timestamp()
        return settings
    }

    // MARK: Continuous checks

    struct ContinuousRecord: Sendable {
        var id: String
        var checkID: String
        var frequency: String
        /// Sandbox seconds between runs.
        var period: Double
        var endDate: String
        var endSeconds: Double
        var status: String
        var created: Double
        var updated: Double
    }

    func createContinuous(
        checkID: String, frequency: String, period: Double, endDate: String,
        endSeconds: Double
    ) -> TruoraContinuousCheck? {
        guard checks[checkID] != nil else { return nil }
        let record = ContinuousRecord(
            id: Identifiers.continuousCheck(), checkID: checkID, frequency: frequency,
            period: period, endDate: endDate, endSeconds: endSeconds, status: "enabled",
            created: now, updated: now)
        continuous[record.id] = record
        continuousOrder.append(record.id)
        return render(record)
    }

    func updateContinuous(_ id: String, status: String?, frequency: (String, Double)?) -> TruoraContinuousCheck? {
        guard var record = continuous[id] else { return nil }
        if let status { record.status = status }
        if let frequency {
            record.frequency = frequency.0
            record.period = frequency.1
        }
        record.updated = now
        continuous[id] = record
        return render(record)
    }

    func continuousCheck(_ id: String) -> TruoraContinuousCheck? { continuous[id].map(render) }

    func continuousList(startKey: String?) -> TruoraContinuousChecksPage {
        var ids = Array(continuousOrder.reversed())
        if let startKey, let index = ids.firstIndex(of: startKey) { ids = Array(ids[(index + 1)...]) }
        let page = ids.prefix(pageSize)
        let next = ids.count > pageSize ? "/v1/continuous-checks?start_key=\(page.last!)" : ""
        return TruoraContinuousChecksPage(
            continuousChecks: page.compactMap { continuous[$0].map(render) }, next: next,
            selfPath: "/v1/continuous-checks")
    }

    /// One entry per run so far; the sandbox's reruns find what the first check found.
    func history(_ id: String) -> TruoraContinuousHistory? {
        guard let record = continuous[id], let original = checks[record.checkID] else { return nil }
        let score = CheckSimulation.render(original, at: now).score
        var entries: [TruoraContinuousHistory.Entry] = []
        var previous = record.checkID
        for run in 0..<runs(record) {
            let checkID = "CHK" + Identifiers.stable("\(record.id)/\(run)", length: 32)
            entries.append(
                .init(
                    continuousCheckID: id, checkID: checkID, previousCheckID: previous,
                    creationDate: timestamp(record.created + Double(run + 1) * record.period),
                    changes: [.init(scoreChanges: .init(old: score, new: score), datasetScoreChanges: [:])]))
            previous = checkID
        }
        return TruoraContinuousHistory(
            history: entries.reversed(), next: "", selfPath: "/v1/continuous-checks/\(id)/history")
    }

    private func runs(_ record: ContinuousRecord) -> Int {
        guard record.status == "enabled" else { return 0 }
        let until = min(now, record.endSeconds)
        return max(0, Int((until - record.created) / record.period))
    }

    private func render(_ record: ContinuousRecord) -> TruoraContinuousCheck {
        let runs = runs(record)
        let next = record.created + Double(runs + 1) * record.period
        // Next run at midnight UTC of its day.
        let nextDay = Timestamp(parsing: timestamp(next).day)
        return TruoraContinuousCheck(
            continuousCheckID: record.id, check: checks[record.checkID].map { CheckSimulation.render($0, at: now) },
            counter: runs, frequency: record.frequency, status: record.status, scoreStatus: runs == 0 ? "new" : "same",
            endDate: record.endDate, creationDate: timestamp(record.created), updateDate: timestamp(record.updated),
            nextRunDate: next <= record.endSeconds ? nextDay : nil)
    }
}
