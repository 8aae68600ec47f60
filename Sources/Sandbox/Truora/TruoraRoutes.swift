import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI
import Spreadsheet
import CheckInputs

/// The Truora Checks API and its batch host, at the reference's paths.
struct TruoraRoutes {
    let state: TruoraState
    let configuration: SandboxConfiguration
    let directory: String

    func add(to router: Router<SandboxContext>) {
        let api = router.group("/v1")
        api.post("/checks") { request, context in
            try await authorized(request) { version in
                try await createCheck(request, context, keyVersion: version)
            }
        }
        api.get("/checks") { request, _ in
            try await authorized(request) { _ in
                let q = request.query
                return Reply.json(await state.list(startKey: q["start_key"], reportID: q["report_id"]))
            }
        }
        api.get("/checks/{id}") { request, context in
            try await authorized(request) { _ in
                guard let check = await state.check(try context.parameters.require("id")) else { return notFound }
                return Reply.json(TruoraCheckOutput(check: check))
            }
        }
        api.delete("/checks/{id}") { request, context in
            try await authorized(request) { _ in
                switch await state.delete(try context.parameters.require("id")) {
                case .deleted(let check): return Reply.json(TruoraCheckOutput(check: check))
                case .notFound: return notFound
                case .firstOfContinuous:
                    return Reply.truoraError(400, "the first check of a continuous check cannot be deleted")
                }
            }
        }
        api.get("/checks/{id}/details") { request, context in
            try await authorized(request) { _ in
                let q = request.query
                if let lang = q["lang"], lang.count != 2 || !lang.allSatisfy(\.isLowercase) {
                    return Reply.truoraError(400, "lang must be a lowercase ISO 639-1 code such as es or en")
                }
                guard let page = await state.details(try context.parameters.require("id"), startKey: q["start_key"])
                else {
                    return notFound
                }
                return Reply.json(page)
            }
        }
        api.get("/checks/{id}/summarize") { request, context in
            try await authorized(request) { _ in
                let id = try context.parameters.require("id")
                guard let record = await state.record(id) else { return notFound }
                return Reply.json(summary(record, at: await state.now))
            }
        }
        api.get("/checks/{id}/attachments") { request, context in
            try await authorized(request) { _ in
                let id = try context.parameters.require("id")
                guard let record = await state.record(id) else { return notFound }
                let details = CheckSimulation.details(record, at: await state.now).filter { $0.result == "found" }
                let expiry = await state.timestamp(await state.now + 1800)
                let files = details.enumerated().map { index, detail in
                    TruoraAttachments.Attachment(
                        databaseID: CheckSimulation.databaseID(detail.dataSet, record.country),
                        databaseName: detail.databaseName,
                        fileName: "certificado-\(index + 1).pdf", contentType: "application/pdf",
                        url: "\(request.origin)/files/\(id)/\(index + 1).pdf",
                        expirationDate: expiry)
                }
                return Reply.json(TruoraAttachments(attachments: files, selfPath: "/v1/checks/\(id)/attachments"))
            }
        }
        api.post("/checks/{id}/pdf") { request, context in
            try await authorized(request) { _ in
                let id = try context.parameters.require("id")
                guard await state.requestPDF(id) else { return notFound }
                return Reply.json(TruoraPDFLink(pdfPath: "/v1/checks/\(id)/pdf"))
            }
        }
        api.get("/checks/{id}/pdf") { request, context in
            try await authorized(request) { _ in
                let id = try context.parameters.require("id")
                guard await state.record(id) != nil, await state.pdfReady(id) else {
                    return Reply.truoraError(404, "Resource not found")
                }
                return Reply.bytes(TinyPDF.make(title: "Truora sandbox check \(id)"), contentType: "application/pdf")
            }
        }
        api.get("/health") { request, _ in try await authorized(request) { _ in await health(request.query) } }
        api.post("/config") { request, context in
            try await authorized(request) { _ in
                try await customType(request.form(context), create: true)
            }
        }
        api.put("/config") { request, context in
            try await authorized(request) { _ in
                try await customType(request.form(context), create: false)
            }
        }
        api.get("/config") { request, _ in try await authorized(request) { _ in Reply.json(await state.config()) } }
        api.delete("/config") { request, _ in
            try await authorized(request) { _ in
                let q = request.query
                guard let country = q["country"]?.uppercased(), let type = q["type"] else {
                    return Reply.truoraError(400, "country and type are required")
                }
                guard await state.deleteCustomType(country: country, type: type) else {
                    return Reply.truoraError(404, "The custom type was not found")
                }
                return Reply.json(await state.config(country: country))
            }
        }
        api.post("/settings") { request, context in
            try await authorized(request) { _ in
                try await settings(request.form(context))
            }
        }
        api.post("/continuous-checks") { request, context in
            try await authorized(request) { _ in
                try await createContinuous(request.form(context))
            }
        }
        api.get("/continuous-checks") { request, _ in
            try await authorized(request) { _ in
                Reply.json(await state.continuousList(startKey: request.query["start_key"]))
            }
        }
        api.get("/continuous-checks/{id}") { request, context in
            try await authorized(request) { _ in
                guard let found = await state.continuousCheck(try context.parameters.require("id")) else {
                    return Reply.truoraError(404, "The continuous check was not found")
                }
                return Reply.json(found)
            }
        }
        api.put("/continuous-checks/{id}") { request, context in
            try await authorized(request) { _ in
                try await updateContinuous(try context.parameters.require("id"), request.form(context))
            }
        }
        api.get("/continuous-checks/{id}/history") { request, context in
            try await authorized(request) { _ in
                guard let history = await state.history(try context.parameters.require("id")) else {
                    return Reply.truoraError(404, "The continuous check was not found")
                }
                return Reply.json(history)
            }
        }
        api.post("/batches") { request, context in
            try await authorized(request) { _ in
                try await createBatch(request.form(context), origin: request.origin)
            }
        }
        api.get("/batches/{id}") { request, context in
            try await authorized(request) { _ in
                guard let batch = await state.batch(try context.parameters.require("id")) else { return batchNotFound }
                return Reply.json(await state.render(batch, origin: request.origin, withLink: false))
            }
        }
        api.put("/batches/{id}") { request, context in
            try await authorized(request) { _ in
                guard var batch = await state.batch(try context.parameters.require("id")) else { return batchNotFound }
                guard batch.status == "not_started" || batch.status == "in_progress" else {
                    return Reply.truoraError(
                        400, "the batch is \(batch.status); only a batch not started or in progress can be stopped")
                }
                batch.status = "stopped"
                batch.updated = await state.now
                await state.setBatch(batch)
                return Reply.json(await state.render(batch, origin: request.origin, withLink: false))
            }
        }
        api.post("/batches/{id}/start") { request, context in
            try await authorized(request) { _ in
                try await startBatch(try context.parameters.require("id"), origin: request.origin)
            }
        }
        api.post("/batches/{id}/report") { request, context in
            try await authorized(request) { _ in
                let format = try await request.form(context)["format"] ?? request.query["format"] ?? ""
                guard format == "xlsx" || format == "csv" else {
                    return Reply.truoraError(400, "format must be xlsx or csv")
                }
                guard let batch = await state.requestReport(try context.parameters.require("id"), format: format) else {
                    return batchNotFound
                }
                return Reply.json(
                    TruoraBatchReport(batchID: batch.id, format: format, status: "in_progress", reportLink: nil),
                    status: .created)
            }
        }
        api.get("/batches/{id}/report") { request, context in
            try await authorized(request) { _ in
                guard let batch = await state.batch(try context.parameters.require("id")) else { return batchNotFound }
                guard let format = batch.reportFormat, let token = batch.reportToken else {
                    return Reply.truoraError(404, "No report has been requested for this batch")
                }
                let ready = batch.status != "not_started" && batch.status != "in_progress"
                return Reply.json(
                    TruoraBatchReport(
                        batchID: batch.id, format: format, status: ready ? "completed" : "in_progress",
                        reportLink: ready ? "\(request.origin)/reports/\(token)" : nil))
            }
        }

        // The signed links: no API key, like S3.
        router.put("/uploads/{token}") { request, context in
            let bytes = try await request.bytes(context)
            switch await state.upload(token: try context.parameters.require("token"), bytes: bytes) {
            case .stored: return Response(status: .ok)
            case .expired: return s3Error("AccessDenied", "Request has expired")
            case .used: return s3Error("AccessDenied", "This upload link has already been used")
            case .unknown: return s3Error("AccessDenied", "Invalid upload link")
            }
        }
        router.get("/reports/{token}") { _, context in
            guard let batch = await state.batchForReport(token: try context.parameters.require("token")),
                let format = batch.reportFormat
            else { return s3Error("AccessDenied", "Invalid report link") }
            var lines: [(row: Int, checkID: String, status: String, score: String, failure: String)] = []
            for line in batch.lines {
                let check = await line.checkID.asyncFlatMap { await state.check($0) }
                lines.append(
                    (
                        line.row, line.checkID ?? "", check?.status ?? "invalid",
                        check.map { $0.score < 0 ? "" : LooseDouble($0.score).text } ?? "", line.failure ?? ""
                    ))
            }
            let bytes = try BatchFiles.report(
                lines, inputs: batch.lines.map(\.fields), columns: batch.columns, format: format, directory: directory)
            return Reply.bytes(
                bytes,
                contentType: format == "csv"
                    ? "text/csv"
                    : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        router.get("/files/{check}/{file}") { _, context in
            guard await state.record(try context.parameters.require("check")) != nil else {
                return s3Error("NoSuchKey", "The specified key does not exist")
            }
            return Reply.bytes(TinyPDF.make(title: "Certificado"), contentType: "application/pdf")
        }
    }

    private var notFound: Response { Reply.truoraError(404, "The Check was not found") }
    private var batchNotFound: Response { Reply.truoraError(404, "The Batch was not found") }

    private func s3Error(_ code: String, _ message: String) -> Response {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
        return Reply.bytes(
            Array(xml.utf8), contentType: "application/xml", status: code == "NoSuchKey" ? .notFound : .forbidden)
    }

    /// Checks `Truora-API-Key`: any JWT-shaped key (three base64url parts) that has not expired.
    /// Passes the key's version (`api_key_version` claim, default 0).
    private func authorized(_ request: Request, _ body: (Int) async throws -> Response) async throws -> Response {
        guard let key = request.headers[HTTPField.Name("Truora-API-Key")!] else {
            return Reply.truoraError(401, "Unauthorized: the Truora-API-Key header is missing")
        }
        switch TruoraKey.check(key, now: Date()) {
        case .failure(let reason): return Reply.truoraError(401, "Unauthorized: \(reason)")
        case .success(let version): return try await body(version)
        }
    }

    // MARK: Handlers

    private func createCheck(_ request: Request, _ context: SandboxContext, keyVersion: Int) async throws -> Response {
        let form = try await request.form(context)
        guard let country = form["country"]?.uppercased(), !country.isEmpty else {
            return Reply.truoraError(400, "country is required")
        }
        guard let type = form["type"], !type.isEmpty else { return Reply.truoraError(400, "type is required") }
        guard ["CL", "CO", "MX", "BR", "CR", "PE", "ALL"].contains(country) else {
            return Reply.truoraError(400, "country must be one of ALL, BR, CL, CO, CR, MX, PE")
        }
        guard let weights = await state.weights(country: country, type: type) else {
            return Reply.truoraError(
                400, "type '\(type)' is not person, vehicle, company or a custom type of \(country)")
        }
        let builtIn = DefaultWeights.weights(for: type) != nil
        let accepted: TruoraInputCheck.Accepted
        switch TruoraInputCheck.validate(
            form.fields.map { ($0.name, $0.value) }, country: country, type: type,
            customType: !builtIn, consentRequired: keyVersion >= 1 && type != "vehicle" && type != "company")
        {
        case .failure(let error): return Reply.truoraError(error.status, error.message)
        case .success(let value): accepted = value
        }
        let force = form["force_creation"].flatMap { Bool($0.lowercased()) } ?? false
        let priority = request.headers[HTTPField.Name("Truora-Priority")!]
        if let priority, !["low", "medium", "high"].contains(priority) {
            return Reply.truoraError(400, "Truora-Priority must be low, medium or high")
        }
        guard
            let (check, created) = await state.create(
                accepted, weights: weights, force: force, highPriority: priority == "high",
                highPriorityLimit: configuration.highPriorityLimit)
        else {
            return Reply.truoraError(429, "too many high priority background checks being processed")
        }
        return Reply.json(TruoraCheckOutput(check: check), status: created ? .created : .ok)
    }

    private func summary(_ record: CheckRecord, at time: Double) -> TruoraCheckSummary {
        let check = CheckSimulation.render(record, at: time)
        let details = CheckSimulation.details(record, at: time)
        let entries = (check.scores ?? []).map { score in
            TruoraCheckSummary.Entry(
                dataSet: score.dataSet, result: score.result, severity: score.severity,
                findings: details.filter { $0.dataSet == score.dataSet && $0.result == "found" }.map {
                    .init(
                        databaseName: $0.databaseName,
                        description: $0.route == "person-name"
                            ? "Name match, not confirmed by ID (possible homonym)"
                            : "Record found for this ID")
                })
        }
        return TruoraCheckSummary(checkID: check.checkID, status: check.status, score: check.score, summary: entries)
    }

    private func health(_ q: FormBody) async -> Response {
        guard let country = q["country"], q["unixTimestampSeconds"].flatMap(Int.init) != nil,
            q["unixtimezoneOffsetSeconds"].flatMap(Int.init) != nil
        else {
            return Reply.truoraError(400, "country, unixTimestampSeconds and unixtimezoneOffsetSeconds are required")
        }
        let upper = country.uppercased()
        var dataSets: [String] = []
        for (name, _) in DefaultWeights.person + DefaultWeights.company + DefaultWeights.vehicle
        where !dataSets.contains(name) {
            dataSets.append(name)
        }
        let now = await state.now
        let down = Set(configuration.outages.filter { now < $0.until }.map(\.dataSet))
        return Reply.json(
            dataSets.map { dataSet in
                TruoraDatabaseHealth(
                    databaseID: CheckSimulation.databaseID(dataSet, upper),
                    databaseName: CheckSimulation.databaseName(dataSet, upper), dataSets: [dataSet],
                    hourlyStatus: Array(repeating: down.contains(dataSet) ? "major_outage" : "operational", count: 24))
            })
    }

    private func customType(_ form: FormBody, create: Bool) async -> Response {
        guard let country = form["country"]?.uppercased(),
            ["ALL", "BR", "CL", "CO", "MX", "PE", "CR"].contains(country)
        else {
            return Reply.truoraError(400, "country must be one of ALL, BR, CL, CO, MX, PE")
        }
        guard let type = form["type"], !type.isEmpty else { return Reply.truoraError(400, "type is required") }
        guard DefaultWeights.weights(for: type.lowercased()) == nil else {
            return Reply.truoraError(400, "a custom type cannot be named person, vehicle or company")
        }
        var weights: [(String, Double)] = []
        for (name, value) in form.fields where name.hasPrefix("dataset_") {
            let dataSet = String(name.dropFirst(8))
            guard DefaultWeights.dataSets.contains(dataSet) else {
                return Reply.truoraError(400, "\(name) is not a dataset")
            }
            guard let weight = Double(value), (0...1).contains(weight) else {
                return Reply.truoraError(400, "\(name) must be a number from 0 to 1")
            }
            weights.append((dataSet, weight))
        }
        guard !weights.isEmpty else { return Reply.truoraError(400, "give at least one dataset_* weight") }
        let sum = weights.reduce(0) { $0 + $1.1 }
        guard abs(sum - 1) < 1e-6 else {
            return Reply.truoraError(400, "the weights must sum to 1 (they sum to \(LooseDouble(sum).text))")
        }
        if let error = await state.setCustomType(country: country, type: type, weights: weights, create: create) {
            return Reply.truoraError(error.status, error.message)
        }
        return Reply.json(await state.config(), status: create ? .created : .ok)
    }

    private func settings(_ form: FormBody) async -> Response {
        if let duration = form["max_duration"] {
            guard let minutes = Durations.minutes(duration), (15...168 * 60).contains(minutes) else {
                return Reply.truoraError(400, "max_duration must be minutes (25m) or hours (2h), from 15m to 168h")
            }
        }
        if let matching = form["names_matching_type"], matching != "soft", matching != "exact" {
            return Reply.truoraError(400, "names_matching_type must be soft or exact")
        }
        var retries: Bool?
        if let text = form["retries"] {
            guard let value = Bool(text.lowercased()) else {
                return Reply.truoraError(400, "retries must be true or false")
            }
            retries = value
        }
        return Reply.json(
            await state.updateSettings(
                maxDuration: form["max_duration"],
                namesMatchingType: form["names_matching_type"], retries: retries))
    }

    private func createContinuous(_ form: FormBody) async -> Response {
        guard let checkID = form["check_id"], let frequency = form["frequency"], let endDate = form["end_date"] else {
            return Reply.truoraError(400, "check_id, frequency and end_date are required")
        }
        guard let period = Durations.frequency(frequency) else {
            return Reply.truoraError(
                400, "frequency must be daily, weekly, monthly, yearly or a number with d, w, m or y (3d)")
        }
        guard let end = Timestamp(parsing: endDate), endDate.count == 10 else {
            return Reply.truoraError(400, "end_date must be YYYY-MM-DD")
        }
        let now = await state.now
        let endSeconds = end.date.timeIntervalSince(await state.timestamp(0).date) + 86_400
        guard endSeconds >= now + period else {
            return Reply.truoraError(400, "end_date must leave time for at least one run at this frequency")
        }
        guard
            let created = await state.createContinuous(
                checkID: checkID, frequency: frequency, period: period,
                endDate: endDate, endSeconds: endSeconds)
        else { return notFound }
        return Reply.json(created, status: .created)
    }

    private func updateContinuous(_ id: String, _ form: FormBody) async -> Response {
        if let status = form["status"], status != "enabled", status != "disabled" {
            return Reply.truoraError(400, "status must be enabled or disabled")
        }
        if let version = form["version"], version != "0", version != "1" {
            return Reply.truoraError(400, "version must be 0 or 1")
        }
        var frequency: (String, Double)?
        if let text = form["frequency"] {
            guard let period = Durations.frequency(text) else {
                return Reply.truoraError(
                    400, "frequency must be daily, weekly, monthly, yearly or a number with d, w, m or y")
            }
            frequency = (text, period)
        }
        guard let updated = await state.updateContinuous(id, status: form["status"], frequency: frequency) else {
            return Reply.truoraError(404, "The continuous check was not found")
        }
        return Reply.json(updated)
    }

    private func createBatch(_ form: FormBody, origin: String) async -> Response {
        guard let type = form["type"], !type.isEmpty else { return Reply.truoraError(400, "type is required") }
        guard form["service"] == "checks" else { return Reply.truoraError(400, "service must be checks") }
        guard let country = form["country"]?.uppercased(),
            ["ALL", "BR", "CO", "CL", "MX", "PE", "CR"].contains(country)
        else {
            return Reply.truoraError(400, "country must be one of ALL, BR, CO, CL, MX, PE, CR")
        }
        guard await state.weights(country: country, type: type) != nil else {
            return Reply.truoraError(
                400, "type '\(type)' is not person, vehicle, company or a custom type of \(country)")
        }
        var mapping: [String: Int] = [:]
        for (name, value) in form.fields where name.hasPrefix("columns_mapping.") {
            let input = String(name.dropFirst("columns_mapping.".count))
            guard let index = Int(value), index >= 0 else {
                return Reply.truoraError(400, "\(name) must be a 0-based column index")
            }
            guard mapping.values.contains(index) == false else {
                return Reply.truoraError(400, "two inputs are mapped to column \(index)")
            }
            mapping[input] = index
        }
        if mapping.isEmpty {
            for (index, input) in Self.defaultColumns(type: type, country: country).enumerated() {
                mapping[input] = index
            }
        }
        if let frequency = form["frequency"], Durations.frequency(frequency) == nil {
            return Reply.truoraError(
                400, "frequency must be daily, weekly, monthly, yearly or a number with d, w, m or y")
        }
        let record = await state.createBatch(
            type: type, country: country, mapping: mapping, frequency: form["frequency"],
            endDate: form["end_date"], linkLifetime: configuration.uploadLinkLifetime)
        return Reply.json(await state.render(record, origin: origin, withLink: true), status: .created)
    }

    /// The inputs of the type's national requirement, required first.
    static func defaultColumns(type: String, country: String) -> [String] {
        let kind: TruoraRequirements.CheckKind =
            type == "company" ? .company : type == "vehicle" ? .vehicleNational : .personNational
        guard
            let requirement = TruoraRequirements.requirement(country: country, kind: kind)
                ?? TruoraRequirements.requirement(country: country, kind: .personNational)
        else { return ["national_id"] }
        var columns: [String] = []
        for input in requirement.inputs where !columns.contains(input) { columns.append(input) }
        return columns
    }

    private func startBatch(_ id: String, origin: String) async throws -> Response {
        guard var batch = await state.batch(id) else { return batchNotFound }
        guard batch.status == "not_started" else {
            return Reply.truoraError(400, "the batch is \(batch.status); only a batch not started can be started")
        }
        guard let file = batch.file else {
            return Reply.truoraError(400, "the batch has no file: PUT the xlsx to its file_upload_link first")
        }
        let rows: [(Int, [(String, String)])]
        do {
            rows = try BatchFiles.rows(file, columns: batch.columns, mapping: batch.mapping, directory: directory)
        } catch {
            batch.status = "failed"
            batch.failureReason = "the uploaded file is not a readable xlsx"
            batch.updated = await state.now
            await state.setBatch(batch)
            return Reply.json(await state.render(batch, origin: origin, withLink: false))
        }
        if rows.count > configuration.batchRowLimit {
            batch.status = "failed"
            batch.failureReason =
                "the file has \(rows.count) rows; a batch takes at most \(configuration.batchRowLimit)"
            batch.updated = await state.now
            await state.setBatch(batch)
            return Reply.json(await state.render(batch, origin: origin, withLink: false))
        }
        let weights = await state.weights(country: batch.country, type: batch.type) ?? DefaultWeights.person
        let builtIn = DefaultWeights.weights(for: batch.type) != nil
        for (number, fields) in rows {
            switch TruoraInputCheck.validate(
                fields, country: batch.country, type: batch.type, customType: !builtIn,
                consentRequired: false)
            {
            case .failure(let error):
                batch.lines.append(.init(row: number, checkID: nil, failure: error.message, fields: fields))
            case .success(let accepted):
                let check = await state.create(accepted, weights: weights, force: false, reportID: batch.id)?.0
                batch.lines.append(.init(row: number, checkID: check?.checkID, failure: nil, fields: fields))
            }
        }
        batch.status = "in_progress"
        batch.updated = await state.now
        await state.setBatch(batch)
        return Reply.json(await state.render(batch, origin: origin, withLink: false))
    }
}

/// Durations in Truora's forms: `25m`/`2h` (settings) and `daily`/`3d`/`2w`/`1m`/`1y` (frequencies).
enum Durations {
    static func minutes(_ text: String) -> Int? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
        switch unit {
        case "m": return n
        case "h": return n * 60
        default: return nil
        }
    }

    /// Sandbox seconds between runs.
    static func frequency(_ text: String) -> Double? {
        let day = 86_400.0
        switch text {
        case "daily": return day
        case "weekly": return 7 * day
        case "monthly": return 30 * day
        case "yearly": return 365 * day
        default:
            guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
            switch unit {
            case "d": return Double(n) * day
            case "w": return Double(n) * 7 * day
            case "m": return Double(n) * 30 * day
            case "y": return Double(n) * 365 * day
            default: return nil
            }
        }
    }
}

/// A one-page PDF that PDF readers open.
enum TinyPDF {
    static func make(title: String) -> [UInt8] {
        let text = title.filter { $0.isASCII && $0 != "(" && $0 != ")" && $0 != "\\" }
        let stream = "BT /F1 14 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            out += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(out.utf8)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
