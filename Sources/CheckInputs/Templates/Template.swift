/// A ready-to-fill spreadsheet for one provider, country and check kind: its columns (required
/// ones marked), what each means, dropdown values, instructions and a job-file skeleton.
public struct Template: Sendable {
    /// One column of the template.
    public struct Column: Sendable, Equatable {
        /// The input name; the header is this plus ` *` when required.
        public var input: String
        /// Required alone (`*`), or as one of alternatives (`alternatives` lists the others).
        public var required: Bool
        public var alternatives: [String]
        public var summary: String
        /// Dropdown values; empty for free text.
        public var choices: [String]
        /// IDs and phones: formatted as text so leading zeros and `+` survive.
        public var isText: Bool
        /// A restriction from the requirement table (`Santiago only`).
        public var restriction: String?

        public var header: String { required ? "\(input) *" : input }

        /// The header cell's note.
        public var note: String {
            var text = summary
            if required {
                text += alternatives.isEmpty ? ". Required." : ". Required unless \(alternatives.joined(separator: " or ")) is filled."
            } else {
                text += ". Optional."
            }
            if let restriction { text += " \(restriction)." }
            if !choices.isEmpty && choices.count <= 12 { text += " Values: \(choices.joined(separator: ", "))." }
            return text
        }
    }

    /// A template that cannot be made (a country or kind the provider does not offer).
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let provider: Provider
    public let country: String?
    public let kind: TruoraRequirements.CheckKind?
    public let columns: [Column]

    /// The template for `provider`; Truora needs a country and a kind.
    public init(provider: Provider, country: String?, kind: TruoraRequirements.CheckKind?) throws(Problem) {
        self.provider = provider
        switch provider {
        case .trulioo:
            self.country = country
            self.kind = nil
            columns = TruliooField.all.map { field in
                Column(input: field.role, required: false, alternatives: [], summary: field.summary,
                       choices: [], isText: field.isIdentifier || field.format == .phone, restriction: nil)
            }
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
            func column(_ name: String, required: Bool, alternatives: [String]) -> Column {
                let input = TruoraInput.named(name)!
                var choices: [String] = []
                if case .oneOf(let values) = input.format { choices = values }
                if name == "region" { choices = TruoraInput.brazilRegions }
                return Column(input: name, required: required, alternatives: alternatives, summary: input.summary,
                              choices: choices, isText: input.isIdentifier || name == "phone_number",
                              restriction: requirement.notes[name])
            }
            for group in requirement.required {
                for name in group {
                    columns.append(column(name, required: true, alternatives: group.filter { $0 != name }))
                }
            }
            for name in requirement.optional where !columns.contains(where: { $0.input == name }) {
                columns.append(column(name, required: false, alternatives: []))
            }
            if provider == .truoraChecks {
                let answers = country == "BR" ? ["sim", "não"] : country == "ALL" ? ["yes", "no"] : ["sí", "no"]
                columns.append(Column(input: "user_authorized", required: true, alternatives: [],
                                      summary: "Whether the person authorised this check (Truora requires it); or leave "
                                          + "the column out and attest consent in the job file",
                                      choices: answers, isText: false, restriction: nil))
            }
            self.columns = columns
        }
    }

    /// `CO-person-national`, `trulioo`.
    public var name: String {
        guard let country, let kind else { return provider.rawValue }
        return "\(country)-\(kind.rawValue)"
    }

    /// Every template idbatch ships: each Truora country and kind the table offers, for checks and
    /// batches, and Trulioo's.
    public static func all() -> [Template] {
        var result: [Template] = []
        for provider in [Provider.truoraChecks, .truoraBatch] {
            for country in TruoraRequirements.countries {
                for kind in TruoraRequirements.CheckKind.allCases
                where TruoraRequirements.requirement(country: country, kind: kind) != nil {
                    if let template = try? Template(provider: provider, country: country, kind: kind) {
                        result.append(template)
                    }
                }
            }
        }
        if let trulioo = try? Template(provider: .trulioo, country: nil, kind: nil) { result.append(trulioo) }
        return result
    }

    /// The Instructions sheet: a few lines, then one line per column.
    public var instructions: [[String]] {
        var rows: [[String]] = [["idbatch template: \(title)"], []]
        rows.append(["Fill one row per \(kind == .company ? "company" : kind?.type == "vehicle" ? "vehicle" : "person"). "
                     + "Columns marked * are required; highlighted ones too."])
        rows.append(["Type IDs as they are printed (dots and dashes are fine); ID columns are formatted as text so "
                     + "leading zeros survive."])
        rows.append(["Dates: YYYY-MM-DD, or DD/MM/YYYY with a four-digit year."])
        if provider == .truoraChecks {
            rows.append(["Consent: Truora requires the person's authorisation. Fill user_authorized, or remove the "
                         + "column and attest consent in the job file (consent: attested_by)."])
        } else if provider == .truoraBatch {
            rows.append(["Consent: attest in the job file (consent: attested_by) that every person authorised the check."])
        }
        rows.append(["Check the file before any paid call: idbatch validate FILE --job JOB.yaml"])
        rows.append([])
        rows.append(["Column", "Required", "What it holds", "Allowed values"])
        for column in columns {
            let required = column.required ? (column.alternatives.isEmpty ? "yes" : "yes, or \(column.alternatives.joined(separator: " / "))") : "no"
            let summary = column.summary + (column.restriction.map { " (\($0))" } ?? "")
            rows.append([column.input, required, summary, column.choices.joined(separator: ", ")])
        }
        return rows
    }

    var title: String {
        switch provider {
        case .trulioo: return "Trulioo Workflow Studio init"
        case .truoraChecks: return "Truora checks, \(country ?? "") \(kind?.rawValue ?? "")"
        case .truoraBatch: return "Truora batch, \(country ?? "") \(kind?.rawValue ?? "")"
        }
    }
}
