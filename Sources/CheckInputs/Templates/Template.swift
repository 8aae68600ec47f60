/// A ready-to-fill spreadsheet for one provider, country and check kind, in one language: its
/// columns (headers in words the column mapper recognises, required ones marked), what each
/// holds with an example, dropdown values, instructions and a job-file skeleton.
public struct Template: Sendable {
    /// One column of the template.
    public struct Column: Sendable, Equatable {
        /// The mapping target: an input name, or `document_type` / `document_number` (a type
        /// column routing one number column).
        public var input: String
        /// Required alone (`*`), or as one of alternatives (`alternatives` lists the others).
        public var required: Bool
        public var alternatives: [String]
        /// The header cell: the column's name in the template's language, ` *` when required.
        public var header: String
        /// What the column holds, in the template's language.
        public var summary: String
        /// Dropdown values; empty for free text.
        public var choices: [String]
        /// IDs and phones: formatted as text so leading zeros and `+` survive.
        public var isText: Bool
        /// A restriction from the requirement table (`Santiago only`).
        public var restriction: String?
        /// A value of the kind the column takes, for the header note and the instructions.
        public var example: String?
        /// The header cell's note.
        public var note: String
    }

    /// A template that cannot be made (a country or kind the provider does not offer).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let provider: Provider
    public let country: String?
    public let kind: TruoraRequirements.CheckKind?
    public let language: Language
    public let columns: [Column]

    /// The template for `provider`; Truora needs a country and a kind. The language defaults to the country's.
    public init(provider: Provider, country: String?, kind: TruoraRequirements.CheckKind?,
                language: Language? = nil) throws(Problem) {
        self.provider = provider
        let language = language ?? Language.forCountry(country)
        self.language = language
        func word(_ key: String) -> String { Words.text(key, language) }
        func column(_ input: String, required: Bool, alternatives: [String] = [], choices: [String] = [],
                    isText: Bool, restriction: String? = nil, header: String? = nil, summaryKey: String? = nil,
                    country: String?) -> Column {
            let name = header ?? word("header.\(input)")
            let example = Self.example(input, country: country, language: language)
            let summary = word(summaryKey ?? "summary.\(input)")
            var note = summary + "."
            if required {
                note += " " + (alternatives.isEmpty ? word("note.required")
                               : Messages.fill(word("note.requiredUnless"), [Message.either(alternatives.map { word("header.\($0)") })],
                                              language: language))
            } else {
                note += " " + word("note.optional")
            }
            if let restriction { note += " \(restriction)." }
            if !choices.isEmpty && choices.count <= 12 {
                note += " " + Messages.fill(word("note.values"), [choices.joined(separator: ", ")], language: language)
            }
            if let example { note += " " + Messages.fill(word("note.example"), [example], language: language) }
            return Column(input: input, required: required, alternatives: alternatives, header: required ? name + " *" : name,
                          summary: summary, choices: choices, isText: isText, restriction: restriction,
                          example: example, note: note)
        }
        switch provider {
        case .trulioo:
            self.country = country
            self.kind = nil
            columns = TruliooField.all.map { field in
                column(field.role, required: false, isText: field.isIdentifier || field.format == .phone, country: country)
            }
        case .truoraDI, .truoraWhatsApp:
            self.country = country
            self.kind = nil
            var columns = IdentityInput.inputs(for: provider).map { input in
                let required = input.name == "phone_number" && provider == .truoraWhatsApp
                    || input.name == "user_authorized"
                var choices: [String] = []
                switch input.format {
                case .documentType: choices = IdentityInput.documentTypes
                case .country: choices = IdentityInput.countries.sorted()
                case .consent: choices = [word("instr.yes"), word("instr.no")]
                default: break
                }
                return column(input.name, required: required, choices: choices, isText: input.format == .phone,
                              summaryKey: "summary.identity.\(input.name)", country: country)
            }
            if provider == .truoraWhatsApp {
                // A message variable, named as the message writes it: the mapper sends it as var.name.
                columns.append(column("var.name", required: false, isText: false, header: "{{.name}}",
                                      summaryKey: "summary.identity.variable", country: country))
            }
            self.columns = columns
        case .truoraChecks, .truoraBatch:
            guard let country = country?.uppercased(), TruoraRequirements.countries.contains(country) else {
                throw Problem(message: "Truora templates need --country, one of \(TruoraRequirements.countries.joined(separator: ", "))")
            }
            let kind = kind ?? .personNational
            guard let requirement = TruoraRequirements.requirement(country: country, kind: kind) else {
                let offered = TruoraRequirements.CheckKind.allCases.filter {
                    TruoraRequirements.requirement(country: country, kind: $0) != nil
                }
                throw Problem(message: "Truora offers no \(kind.rawValue) check in \(country); it offers "
                              + offered.map(\.rawValue).joined(separator: ", "))
            }
            self.country = country
            self.kind = kind
            var columns: [Column] = []
            func input(_ name: String, required: Bool, alternatives: [String]) -> Column {
                let input = TruoraInput.named(name)!
                var choices: [String] = []
                if case .oneOf(let values) = input.format { choices = values }
                if name == "region" { choices = TruoraInput.brazilRegions }
                return column(name, required: required, alternatives: alternatives, choices: choices,
                              isText: input.isIdentifier || name == "phone_number",
                              restriction: requirement.notes[name], header: Self.documentHeader(name, country: country),
                              country: country)
            }
            let routed = Self.documentTypes(country: country, kind: kind, requirement: requirement)
            for group in requirement.required {
                if let routed, group.contains(where: { name in routed.contains { $0.input == name } }) {
                    if !columns.contains(where: { $0.input == "document_type" }) {
                        let codes = routed.map(\.code)
                        var type = column("document_type", required: true, choices: codes, isText: false, country: country)
                        type.note += " " + routed.map { "\($0.code): \($0.name)" }.joined(separator: "; ") + "."
                        columns.append(type)
                        columns.append(column("document_number", required: true, isText: true, country: country))
                    }
                    continue
                }
                for name in group {
                    columns.append(input(name, required: true, alternatives: group.filter { $0 != name }))
                }
            }
            for name in requirement.optional where !columns.contains(where: { $0.input == name })
                && !(routed?.contains { $0.input == name } ?? false)
            {
                columns.append(input(name, required: false, alternatives: []))
            }
            if provider == .truoraChecks {
                let answers = [word("instr.yes"), word("instr.no")]
                columns.append(column("user_authorized", required: true, choices: answers, isText: false, country: country))
            }
            self.columns = columns
        }
    }

    /// The document types a person picks from in a `document_type` column, when the row's ID can be
    /// more than one document that idbatch treats differently (CO: CC or TI; CE, PPT or PTP for
    /// foreigners); nil when one ID column says it all (CL's RUT, BR's CPF).
    static func documentTypes(country: String, kind: TruoraRequirements.CheckKind,
                              requirement: TruoraRequirements.Requirement) -> [DocumentType]? {
        guard kind == .personNational || kind == .personForeigner else { return nil }
        let holder: DocumentType.Holder = kind == .personNational ? .national : .foreigner
        let inputs = Set(requirement.required.flatMap { $0 })
        var seen = Set<String>()
        let types = DocumentType.all.filter { type in
            type.holder == holder && inputs.contains(type.input) && (type.countries?.contains(country) ?? true)
                && seen.insert(type.code).inserted
        }
        guard types.count >= 2 else { return nil }
        let differ = Set(types.map(\.input)).count > 1
            || Set(types.map { IDKind.forInput($0.input, country: country, documentType: $0).map(\.rawValue) ?? "" }).count > 1
        return differ ? types : nil
    }

    /// A country's own name for its ID or tax ID column (`RUT`, `CPF`, `NIT`), when it has one.
    static func documentHeader(_ input: String, country: String) -> String? {
        guard input == "national_id" || input == "tax_id" else { return nil }
        let holder: DocumentType.Holder = input == "tax_id" ? .company : .national
        return DocumentType.all.first { $0.input == input && $0.holder == holder && $0.countries?.contains(country) == true }?
            .code
    }

    /// An example value for `input` in `country`.
    static func example(_ input: String, country: String?, language: Language) -> String? {
        let byCountry: [String: [String: String]] = [
            "national_id": ["CO": "1020304050", "CL": "12.345.678-5", "BR": "390.533.447-05", "MX": "GODE561231HDFRRN09",
                            "PE": "45678912", "CR": "1-0234-0567"],
            "tax_id": ["CO": "900.123.456-8", "BR": "11.222.333/0001-81", "MX": "GODE561231GR8", "PE": "20123456789"],
            "license_plate": ["CO": "ABC123", "CL": "BBCC12", "BR": "ABC1D23", "MX": "ABC-123-A", "PE": "A1B-234",
                              "CR": "BCD123"],
            "phone_number": ["CO": "+57 300 123 4567", "CL": "+56 9 1234 5678", "BR": "+55 11 91234-5678",
                             "MX": "+52 55 1234 5678", "PE": "+51 912 345 678", "CR": "+506 8123 4567"],
        ]
        if let value = byCountry[input]?[country ?? ""] { return value }
        switch input {
        case "document_number": return example("national_id", country: country, language: language) ?? "1020304050"
        case "document_type": return nil
        case "foreign_id": return "E123456"
        case "passport": return "AB1234567"
        case "ptp", "pep": return "5123456"
        case "national_id", "national_id_nr", "owner_document_id": return "1020304050"
        case "tax_id": return "900123456"
        case "first_name": return "Ana María"
        case "middle_name": return "Lucía"
        case "last_name": return language == .pt ? "Souza Lima" : "Pérez Gómez"
        case "name": return "Ana María Pérez Gómez"
        case "company_name": return language == .pt ? "Exemplo Ltda." : "Ejemplo S.A.S."
        case "date_of_birth", "dob": return "1985-04-23"
        case "issue_date": return "2005-06-15"
        case "phone_number", "phone": return "+57 300 123 4567"
        case "email": return "ana@example.com"
        case "license_plate": return "ABC123"
        case "vehicle_id": return "3VWFE21C04M000001"
        case "address_country", "native_country": return country.flatMap { $0 == "ALL" ? nil : $0 } ?? "CO"
        case "address_zip": return "110111"
        case "external_customer_id": return "CLIENTE-0001"
        case "account_id": return "cliente-0001"
        case "var.name": return "Ana"
        case "country": return country ?? "CO"
        case "user_authorized": return nil
        default: return nil
        }
    }

    /// `CO-person-national`, `trulioo`.
    public var name: String {
        guard let country, let kind else { return provider.rawValue }
        return "\(country)-\(kind.rawValue)"
    }

    /// Every template idbatch ships, in `language`: each Truora country and kind the table offers,
    /// for checks and batches, and Trulioo's.
    public static func all(language: Language) -> [Template] {
        var result: [Template] = []
        for provider in [Provider.truoraChecks, .truoraBatch] {
            for country in TruoraRequirements.countries {
                for kind in TruoraRequirements.CheckKind.allCases
                where TruoraRequirements.requirement(country: country, kind: kind) != nil {
                    if let template = try? Template(provider: provider, country: country, kind: kind, language: language) {
                        result.append(template)
                    }
                }
            }
        }
        for provider in [Provider.trulioo, .truoraDI, .truoraWhatsApp] {
            if let template = try? Template(provider: provider, country: nil, kind: nil, language: language) {
                result.append(template)
            }
        }
        return result
    }

    /// The Instructions sheet: a few lines, then one line per column.
    public var instructions: [[String]] {
        func word(_ key: String) -> String { Words.text(key, language) }
        func fill(_ key: String, _ args: String...) -> String { Messages.fill(word(key), args, language: language) }
        var rows: [[String]] = [[fill("instr.title", title)], []]
        let what = kind == .company ? "instr.fillCompany" : kind?.type == "vehicle" ? "instr.fillVehicle" : "instr.fillPerson"
        rows.append([word(what)])
        if provider.startsProcess {
            rows.append([word(provider == .truoraDI ? "instr.flowDI" : "instr.flowWhatsApp")])
            rows.append([word("instr.phones")])
        } else {
            rows.append([word("instr.ids")])
            rows.append([word("instr.dates")])
        }
        if provider.isTruora, columns.contains(where: { $0.input == "document_type" }) {
            rows.append([word("instr.documentType")])
        }
        if provider == .truoraChecks {
            rows.append([word("instr.consentChecks")])
        } else if provider == .truoraBatch {
            rows.append([word("instr.consentBatch")])
        } else if provider == .truoraWhatsApp {
            rows.append([word("instr.consentWhatsApp")])
        }
        rows.append([word("instr.validate")])
        rows.append([])
        rows.append([word("instr.column"), word("instr.required"), word("instr.holds"), word("instr.values"),
                     word("instr.example")])
        for column in columns {
            let required = column.required
                ? (column.alternatives.isEmpty ? word("instr.yes")
                   : fill("instr.yesOr", column.alternatives.map { word("header.\($0)") }.joined(separator: " / ")))
                : word("instr.no")
            let summary = column.summary + (column.restriction.map { " (\($0))" } ?? "")
            rows.append([column.header, required, summary, column.choices.joined(separator: ", "), column.example ?? ""])
        }
        return rows
    }

    var title: String {
        func fill(_ key: String, _ args: String...) -> String { Messages.fill(Words.text(key, language), args, language: language) }
        switch provider {
        case .trulioo: return Words.text("instr.titleTrulioo", language)
        case .truoraDI: return Words.text("instr.titleDI", language)
        case .truoraWhatsApp: return Words.text("instr.titleWhatsApp", language)
        case .truoraChecks: return fill("instr.titleChecks", country ?? "", kind?.rawValue ?? "")
        case .truoraBatch: return fill("instr.titleBatch", country ?? "", kind?.rawValue ?? "")
        }
    }
}
