import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI
import Spreadsheet

/// Truora's batches (on its account host) and the signed links they hand out: uploads and reports,
/// which, like S3, take no API key.
struct BatchesController {
    let state: TruoraState
    let configuration: SandboxConfiguration
    /// Where uploaded batch files and generated reports pass through.
    let directory: String

    func register(on api: RouterGroup<SandboxContext>, signed router: Router<SandboxContext>) {
        api.post("/batches") { request, context in
            try await createBatch(request.form(context), origin: request.origin)
        }
        api.get("/batches/{id}") { request, context in
            guard let batch = await state.batch(try context.parameters.require("id")) else { return batchNotFound }
            return Reply.json(await state.render(batch, origin: request.origin, withLink: false))
        }
        api.put("/batches/{id}") { request, context in
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
        api.post("/batches/{id}/start") { request, context in
            try await startBatch(try context.parameters.require("id"), origin: request.origin)
        }
        api.post("/batches/{id}/report") { request, context in
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
        api.get("/batches/{id}/report") { request, context in
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

        // The signed links: no API key, like S3.
        router.put("/uploads/{token}") { request, context in
            let bytes = try await request.bytes(context)
            switch await state.upload(token: try context.parameters.require("token"), bytes: bytes) {
            case .stored: return Response(status: .ok)
            case .expired: return Reply.s3Error("AccessDenied", "Request has expired")
            case .used: return Reply.s3Error("AccessDenied", "This upload link has already been used")
            case .unknown: return Reply.s3Error("AccessDenied", "Invalid upload link")
            }
        }
        router.get("/reports/{token}") { _, context in
            guard let batch = await state.batchForReport(token: try context.parameters.require("token")),
                let format = batch.reportFormat
            else { return Reply.s3Error("AccessDenied", "Invalid report link") }
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
    }

    private var batchNotFound: Response { Reply.truoraError(404, "The Batch was not found") }

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
