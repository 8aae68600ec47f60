import CheckInputs
import Foundation
import Hummingbird
import ProviderAPI

/// Truora WhatsApp: sending an outbound message to a person (which starts a flow's process),
/// outbound messages (created `PENDING`, approved after a while), inbound flows, campaign cancel and
/// line configuration. An outbound id the sandbox has not seen is taken as approved, so a run
/// needs nothing set up first.
struct WhatsAppController {
    let state: IdentityState

    func register(on api: RouterGroup<SandboxContext>) {
        let whatsapp = api.group("/whatsapp")
        // Public clients of the real service send to this path with `outbound_id` in the form.
        whatsapp.post("/outbounds/send") { request, context in
            let form = try await request.form(context)
            guard let id = form["outbound_id"], !id.isEmpty else {
                return Reply.truoraError(400, "outbound_id is required")
            }
            return await send(id, form)
        }
        whatsapp.post("/outbounds") { request, context in
            let form = try await request.form(context)
            switch Self.outbound(form) {
            case .failure(let problem): return Reply.truoraError(400, problem.message)
            case .success(let (record, variables)):
                return Reply.json(await state.createOutbound(record, variables: variables), status: .created)
            }
        }
        whatsapp.put("/outbounds/{id}") { request, context in
            let form = try await request.form(context)
            switch Self.outbound(form) {
            case .failure(let problem): return Reply.truoraError(400, problem.message)
            case .success(let (record, variables)):
                guard let updated = await state.updateOutbound(try context.parameters.require("id"), with: record,
                                                               variables: variables)
                else { return outboundNotFound }
                return Reply.json(updated)
            }
        }
        whatsapp.get("/outbounds/{id}") { _, context in
            guard let outbound = await state.current(try context.parameters.require("id")) else { return outboundNotFound }
            return Reply.json(outbound)
        }
        whatsapp.post("/inbounds") { request, context in try await inbound(request.form(context), create: true) }
        whatsapp.put("/inbounds") { request, context in try await inbound(request.form(context), create: false) }
        whatsapp.post("/campaigns/{id}/cancel") { _, context in
            let id = try context.parameters.require("id")
            guard let closed = await state.cancelCampaign(id) else {
                return Reply.truoraError(404, "The campaign was not found")
            }
            return Reply.json(TruoraCampaign(campaignID: id, status: "canceled", canceledProcesses: closed))
        }
        whatsapp.put("/lines/{line}/config") { request, context in
            let line = try context.parameters.require("line")
            guard line.count >= 6, line.allSatisfy(\.isNumber) else {
                return Reply.truoraError(400, "the line is a WABA phone number with its country code, digits only")
            }
            let flow = try await request.form(context)["default_flow_id"]
            if let flow, !DigitalIdentityController.isFlowID(flow) {
                return Reply.truoraError(400, "default_flow_id must be a flow id such as IPF1a2b3c")
            }
            // Nothing in the sandbox starts a line's default flow, so the setting is only answered.
            return Reply.json(TruoraLineConfig(wabaLine: line, defaultFlowID: flow))
        }
    }

    private var outboundNotFound: Response { Reply.truoraError(404, "The outbound message was not found") }

    private func send(_ outboundID: String, _ form: FormBody) async -> Response {
        guard Self.isOutboundID(outboundID) else {
            return Reply.truoraError(400, "outbound_id must be an outbound message id such as OTB1a2b3c")
        }
        let known = await state.current(outboundID)
        if let known, known.status != "APPROVED" {
            return Reply.truoraError(400, "the outbound message is \(known.status); it can be sent once approved")
        }
        guard form["user_authorized"].flatMap({ Bool($0.lowercased()) }) == true else {
            return Reply.truoraError(400, "user_authorized must be true: the person must agree to be contacted")
        }
        guard let code = form["country_code"], code.hasPrefix("+"), (2...5).contains(code.count),
            code.dropFirst().allSatisfy(\.isNumber)
        else {
            return Reply.truoraError(400, "country_code must be + and the calling code, such as +57")
        }
        guard let phone = form["phone_number"], (6...14).contains(phone.count), phone.allSatisfy(\.isNumber) else {
            return Reply.truoraError(400, "phone_number must be the number's digits without the country code")
        }
        let flow = form["flow_id"]
        if known?.isNotification != true {
            guard let flow, DigitalIdentityController.isFlowID(flow) else {
                return Reply.truoraError(400, "flow_id must be a flow id such as IPF1a2b3c (the outbound starts a flow)")
            }
        }
        if let wanted = await state.variables(of: outboundID) {
            let missing = wanted.subtracting(Self.variables(of: form)).sorted()
            if !missing.isEmpty {
                return Reply.truoraError(400, "the message needs " + missing.map { "var.\($0)" }.joined(separator: ", "))
            }
        }
        let account = form["account_id"] ?? "ACC" + Identifiers.hex(32)
        guard IdentityInput.isAccountID(account) else {
            return Reply.truoraError(400, "account_id must match [a-zA-Z0-9_.-]+")
        }
        let campaign = await state.campaign(for: outboundID)
        let process = await state.startProcess(accountID: account, flowID: flow ?? "", phone: phone,
                                               campaignID: campaign)
        state.stats.identity { $0.messagesSent += 1 }
        _ = process
        // The answer's shape is not public; clients of the real service read nothing from it.
        return Reply.json(["message": "The outbound message was sent"] as JSONValue, status: .ok)
    }

    private func inbound(_ form: FormBody, create: Bool) async -> Response {
        guard let flow = form["flow_id"], DigitalIdentityController.isFlowID(flow) else {
            return Reply.truoraError(400, "flow_id must be a flow id such as IPF1a2b3c")
        }
        guard let message = form["inbound_message"], !message.trimmingCharacters(in: .whitespaces).isEmpty else {
            return Reply.truoraError(400, "inbound_message is required")
        }
        guard let line = form["waba_phone_number"], line.count >= 6, line.allSatisfy(\.isNumber) else {
            return Reply.truoraError(400, "waba_phone_number must be digits with the country code, such as 14080001111")
        }
        let inbound = TruoraInbound(flowID: flow, inboundMessage: message, wabaPhoneNumber: line)
        guard let stored = await state.setInbound(inbound, create: create) else {
            return Reply.truoraError(409, "the line already starts a flow with this message")
        }
        return Reply.json(stored, status: create ? .created : .ok)
    }

    struct Problem: Error { var message: String }

    /// An outbound message's form, checked as Create Outbound Messages documents it.
    static func outbound(_ form: FormBody) -> Result<(TruoraOutbound, Set<String>), Problem> {
        func fail(_ message: String) -> Result<(TruoraOutbound, Set<String>), Problem> { .failure(Problem(message: message)) }
        guard let name = form["outbound_name"], !name.isEmpty else { return fail("outbound_name is required") }
        guard let category = form["category"], ["TRANSACTIONAL", "MARKETING", "OTP"].contains(category) else {
            return fail("category must be TRANSACTIONAL, MARKETING or OTP")
        }
        guard let language = form["language_code"], ["es", "en"].contains(language) else {
            return fail("language_code must be es or en")
        }
        guard let type = form["template_type"], ["TEXT", "VIDEO", "IMAGE", "DOCUMENT"].contains(type) else {
            return fail("template_type must be TEXT, VIDEO, IMAGE or DOCUMENT")
        }
        guard let notification = form["is_notification"].flatMap({ Bool($0.lowercased()) }) else {
            return fail("is_notification must be true or false")
        }
        guard let content = form["content"], !content.isEmpty else { return fail("content is required") }
        guard let line = form["waba_phone_number"], line.count >= 6, line.allSatisfy(\.isNumber) else {
            return fail("waba_phone_number must be digits with the country code")
        }
        if !notification, form["continue_process_message"] == nil || form["cancel_process_message"] == nil {
            return fail("an outbound that starts a flow needs continue_process_message and cancel_process_message")
        }
        if type != "TEXT", form["media_url"] == nil { return fail("media_url is required for a \(type) outbound") }
        let variables = Self.variables(in: content)
        let missing = variables.subtracting(Self.variables(of: form)).sorted()
        if !missing.isEmpty { return fail("give an example for " + missing.map { "var.\($0)" }.joined(separator: ", ")) }
        return .success((TruoraOutbound(outboundID: "", outboundName: name, category: category, languageCode: language,
                                        content: content, isNotification: notification, status: "PENDING"), variables))
    }

    /// The variables a message's content uses: `{{.name}}` → `name`.
    static func variables(in content: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(content)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            var name = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix(".") { name.removeFirst() }
            if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
                found.insert(name)
            }
            rest = rest[close.upperBound...]
        }
        return found
    }

    /// `OTB` and letters or digits.
    static func isOutboundID(_ id: String) -> Bool { Identifiers.wellFormed(id, prefix: "OTB") }

    /// The names of the `var.NAME` fields of a form.
    static func variables(of form: FormBody) -> Set<String> {
        Set(form.fields.compactMap { $0.name.hasPrefix("var.") ? String($0.name.dropFirst(4)) : nil })
    }
}
