import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI
import Spreadsheet

/// Truora's account-wide routes: database health, custom types, settings and continuous checks.
struct AccountController {
    let state: TruoraState
    let configuration: SandboxConfiguration

    func register(on api: RouterGroup<SandboxContext>) {
        api.get("/health") { request, _ in await health(request.query) }
        api.post("/config") { request, context in
            try await customType(request.form(context), create: true)
        }
        api.put("/config") { request, context in
            try await customType(request.form(context), create: false)
        }
        api.get("/config") { _, _ in Reply.json(await state.config()) }
        api.delete("/config") { request, _ in
            let q = request.query
            guard let country = q["country"]?.uppercased(), let type = q["type"] else {
                return Reply.truoraError(400, "country and type are required")
            }
            guard await state.deleteCustomType(country: country, type: type) else {
                return Reply.truoraError(404, "The custom type was not found")
            }
            return Reply.json(await state.config(country: country))
        }
        api.post("/settings") { request, context in
            try await settings(request.form(context))
        }
        api.post("/continuous-checks") { request, context in
            try await createContinuous(request.form(context))
        }
        api.get("/continuous-checks") { request, _ in
            Reply.json(await state.continuousList(startKey: request.query["start_key"]))
        }
        api.get("/continuous-checks/{id}") { request, context in
            guard let found = await state.continuousCheck(try context.parameters.require("id")) else {
                return Reply.truoraError(404, "The continuous check was not found")
            }
            return Reply.json(found)
        }
        api.put("/continuous-checks/{id}") { request, context in
            try await updateContinuous(try context.parameters.require("id"), request.form(context))
        }
        api.get("/continuous-checks/{id}/history") { request, context in
            guard let history = await state.history(try context.parameters.require("id")) else {
                return Reply.truoraError(404, "The continuous check was not found")
            }
            return Reply.json(history)
        }
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
        else { return Reply.truoraError(404, "The Check was not found") }
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

}
