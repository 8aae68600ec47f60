import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI
import Spreadsheet

/// Truora's checks: create, list, get, delete, details, summary, attachments and the PDF.
struct ChecksController {
    let state: TruoraState
    let configuration: SandboxConfiguration

    func register(on api: RouterGroup<SandboxContext>, signed router: Router<SandboxContext>) {
        api.post("/checks") { request, context in
            try await createCheck(request, context)
        }
        api.get("/checks") { request, _ in
            let q = request.query
            return Reply.json(await state.list(startKey: q["start_key"], reportID: q["report_id"]))
        }
        api.get("/checks/{id}") { request, context in
            guard let check = await state.check(try context.parameters.require("id")) else { return notFound }
            return Reply.json(TruoraCheckOutput(check: check))
        }
        api.delete("/checks/{id}") { request, context in
            switch await state.delete(try context.parameters.require("id")) {
            case .deleted(let check): return Reply.json(TruoraCheckOutput(check: check))
            case .notFound: return notFound
            case .firstOfContinuous:
                return Reply.truoraError(400, "the first check of a continuous check cannot be deleted")
            }
        }
        api.get("/checks/{id}/details") { request, context in
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
        api.get("/checks/{id}/summarize") { request, context in
            let id = try context.parameters.require("id")
            guard let record = await state.record(id) else { return notFound }
            return Reply.json(summary(record, at: await state.now))
        }
        api.get("/checks/{id}/attachments") { request, context in
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
        api.post("/checks/{id}/pdf") { request, context in
            let id = try context.parameters.require("id")
            guard await state.requestPDF(id) else { return notFound }
            return Reply.json(TruoraPDFLink(pdfPath: "/v1/checks/\(id)/pdf"))
        }
        api.get("/checks/{id}/pdf") { request, context in
            let id = try context.parameters.require("id")
            guard await state.record(id) != nil, await state.pdfReady(id) else {
                return Reply.truoraError(404, "Resource not found")
            }
            return Reply.bytes(TinyPDF.make(title: "Truora sandbox check \(id)"), contentType: "application/pdf")
        }
        router.get("/files/{check}/{file}") { _, context in
            guard await state.record(try context.parameters.require("check")) != nil else {
                return Reply.s3Error("NoSuchKey", "The specified key does not exist")
            }
            return Reply.bytes(TinyPDF.make(title: "Certificado"), contentType: "application/pdf")
        }
    }

    private var notFound: Response { Reply.truoraError(404, "The Check was not found") }

    private func createCheck(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let keyVersion = context.truoraKeyVersion
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

}
