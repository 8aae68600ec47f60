import CheckInputs
import Spreadsheet

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
        var header: [String] = []
        var row = Row(number: 1)
        var bindings: [ColumnBinding] = []
        var consent: String?
        for (name, value) in fields {
            if name == "user_authorized" { consent = value }
            guard name != "country", name != "type", name != "force_creation",
                HeaderAliases.isTarget(name, provider: .truoraChecks), !header.contains(name)
            else { continue }
            header.append(name)
            bindings.append(ColumnBinding(column: ColumnReference(name), target: name))
            row.append(Cell(text: value, type: .text))
        }
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
        let mapping: ColumnMapping
        do {
            mapping = try ColumnMapper(provider: .truoraChecks, bindings: bindings).map(header: header)
        } catch {
            return .failure(SandboxError(400, error.message))
        }
        var validator = RowValidator(settings: settings, mapping: mapping)
        let outcome = validator.validate(row)
        guard outcome.isValid else {
            return .failure(SandboxError(400, outcome.errors.map(\.message).joined(separator: "; ")))
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
