import CheckInputs

/// Validates create-check inputs with the project's own requirement table and ID rules, so the
/// sandbox refuses exactly what a run would have refused before spending money.
enum TruoraInputCheck {
    struct Accepted: Sendable {
        var country: String
        var type: String
        /// Normalised inputs to echo (no country, type or consent).
        var inputs: [String: String]
        /// The identifier that chooses the outcome.
        var identifier: String
        /// country|type|name=value... for de-duplication.
        var key: String
    }

    /// Validates `fields` (name → value); `builtInType` is the type the validator knows (a custom
    /// type is checked as the person or company check its inputs describe).
    static func validate(
        _ fields: [(String, String)], country: String, type: String, customType: Bool,
        consentRequired: Bool
    ) -> Result<Accepted, SandboxError> {
        let consent = fields.first { $0.0 == "user_authorized" }?.1
        if let consent, ValueText.boolean(consent) == false {
            return .failure(SandboxError(400, "user_authorized must be true: the person did not authorise the check"))
        }
        if consent == nil, consentRequired {
            return .failure(
                SandboxError(400, "user_authorized must be true (required for person checks with this API key version)")
            )
        }
        var settings = CheckSettings(provider: .truoraChecks)
        settings.country = country
        settings.type = customType ? nil : type
        settings.dateOrder = .dayFirst
        if consent == nil { settings.consent = ConsentAttestation(attestedBy: "api key version 0") }
        // Country and type come from the settings; the rest are the record.
        let record = fields.filter { !["country", "type", "force_creation"].contains($0.0) }.map {
            (name: $0.0, value: $0.1)
        }
        let outcome: RowOutcome
        do {
            outcome = try RowValidator.validate(record: record, settings: settings)
        } catch {
            return .failure(SandboxError(400, error.message))
        }
        guard outcome.isValid else {
            return .failure(SandboxError(400, outcome.errors.map { $0.text(.en) }.joined(separator: "; ")))
        }
        var inputs: [String: String] = [:]
        for input in outcome.inputs where !["country", "type", "user_authorized"].contains(input.name) {
            inputs[input.name] = input.value
        }
        let identifierNames = [
            "national_id", "foreign_id", "tax_id", "passport", "pep", "ptp", "license_plate",
            "vehicle_id", "driver_license", "owner_document_id",
        ]
        let identifier = identifierNames.lazy.compactMap { inputs[$0] }.first ?? ""
        let key = ([country, type] + inputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(
            separator: "|")
        return .success(Accepted(country: country, type: type, inputs: inputs, identifier: identifier, key: key))
    }
}

/// An error answer: HTTP status and message (in the provider's envelope).
struct SandboxError: Error, Sendable {
    var status: Int
    var message: String
    /// Trulioo platform code (4006...), when the answer is Trulioo's.
    var code: Int?

    init(_ status: Int, _ message: String, code: Int? = nil) {
        self.status = status
        self.message = message
        self.code = code
    }
}
