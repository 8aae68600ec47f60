import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// What one row becomes: the provider inputs ready to send, and what is wrong with it.
public struct RowOutcome: Sendable, Equatable {
    /// One input to send.
    public struct Input: Sendable, Equatable {
        public var name: String
        public var value: String

        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The source row number.
    public var row: Int
    /// Inputs with normalised values, in the provider's order (`type`, `country` first for Truora).
    public var inputs: [Input]
    /// The requirement-table column the row was checked against (`person-national`), Truora only.
    public var kind: TruoraRequirements.CheckKind?
    public var issues: [RowIssue]
    /// Truora: the row's own continuous check (its `frequency` and `end_date` columns), not sent
    /// with the check but enrolled once it finishes.
    public var continuous: Continuous?

    public struct Continuous: Sendable, Equatable {
        public var frequency: String
        /// YYYY-MM-DD.
        public var endDate: String
    }

    public var isValid: Bool { !issues.contains(where: \.isError) }
    public var errors: [RowIssue] { issues.filter(\.isError) }

    public func value(_ name: String) -> String? { inputs.first { $0.name == name }?.value }
}

/// Turns rows into provider inputs, applying the requirement table, the ID rules, date and phone
/// normalisation, consent and duplicate detection. One per file: it remembers the IDs it has seen.
public struct RowValidator {
    public let settings: CheckSettings
    public let mapping: ColumnMapping
    /// 0-based column → the order of its `a/b/yyyy` dates (nil: the column mixes orders).
    private let dateOrders: [Int: DateOrder?]
    /// The IDs seen so far; in memory unless the caller gives a store of its own.
    public var seen: any SeenKeys = SeenKeysInMemory()
    /// CSV has no cell types, and Excel writes numbers there as it displays them: an all-digit ID
    /// read from CSV is treated like a number cell, so lost leading zeros are named as such.
    public var digitsMayBeNumbers = false
    /// 0-based columns holding ID numbers (decided once, not per cell).
    private let identifierColumns: Set<Int>
    /// `settings.country` in capitals (once, not per row).
    private let settingsCountry: String?
    /// Whether any column holds part of an input (`date_of_birth.day`, `last_name.2`,
    /// `national_id.dv`); when none does, rows skip putting parts together.
    private let hasParts: Bool

    /// Inputs whose values are dates.
    static let dateTargets: Set<String> = ["date_of_birth", "issue_date", "payment_date", "dob"]

    public init(settings: CheckSettings, mapping: ColumnMapping, dateEvidence: [Int: DateOrder.Evidence] = [:]) {
        self.settings = settings
        self.mapping = mapping
        var orders: [Int: DateOrder?] = [:]
        for match in mapping.matches where Self.dateTargets.contains(match.input) {
            let column = match.index - 1
            if let forced = settings.dateOrder {
                orders[column] = .some(forced)
            } else {
                orders[column] = .some((dateEvidence[column] ?? DateOrder.Evidence()).order(fallback: .dayFirst))
            }
        }
        dateOrders = orders
        settingsCountry = settings.country?.uppercased()
        hasParts = mapping.matches.contains { $0.input.contains(".") } || settings.constants.keys.contains { $0.contains(".") }
        identifierColumns = Set(mapping.matches.filter { HeaderAliases.holdsIdentifier($0.input) }.map { $0.index - 1 })
    }

    /// The columns whose dates need ``DateOrder/Evidence`` gathered before validation.
    public static func dateColumns(in mapping: ColumnMapping) -> [Int] {
        mapping.matches.filter { dateTargets.contains($0.input) }.map { $0.index - 1 }
    }

    /// The order chosen for each date column, for the summary.
    public var dateOrderByColumn: [ValidationSummary.DateColumnOrder] {
        dateOrders.sorted { $0.key < $1.key }.map { column, order in
            .init(column: mapping.matches.first { $0.index - 1 == column }?.column ?? ColumnName.letters(column),
                  order: order?.rawValue ?? "mixed")
        }
    }

    // MARK: Per row

    /// One value taken from a cell or a constant.
    struct Value {
        var text: String
        var type: CellType
        var precisionLost: Bool
        /// Header text, or the input name for constants.
        var column: String
        var columnIndex: Int?
    }

    /// A row's values by input name. A row has a handful, so a list searched in order costs less
    /// than hashing every name (the dictionary this replaced was a tenth of validation time).
    struct InputValues {
        private var entries: [(name: String, value: Value)] = []

        init() { entries.reserveCapacity(12) }

        subscript(name: String) -> Value? {
            get { entries.first { $0.name == name }?.value }
            set {
                if let index = entries.firstIndex(where: { $0.name == name }) {
                    if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
                } else if let newValue {
                    entries.append((name, newValue))
                }
            }
        }

        /// The names present, in the order they were added.
        var names: [String] { entries.map(\.name) }

        @discardableResult
        mutating func removeValue(forKey name: String) -> Value? {
            guard let index = entries.firstIndex(where: { $0.name == name }) else { return nil }
            return entries.remove(at: index).value
        }
    }

    public mutating func validate(_ row: Row) -> RowOutcome {
        var values = InputValues()
        for match in mapping.matches where match.index - 1 < row.count {
            let cell = row[match.index - 1]
            var text = cell.text.trimmed
            // A CSV report or error file neutralised `+57…` as `'+57…`; a fixed file dropped back in has it.
            if text.hasPrefix("'"), let second = text.dropFirst().first, "=+-@".contains(second) { text.removeFirst() }
            guard !text.isEmpty, cell.type != .empty else { continue }
            let isID = identifierColumns.contains(match.index - 1)
            let type: CellType = digitsMayBeNumbers && isID && cell.type == .text && text.allSatisfy(\.isASCIIDigit)
                ? .number : cell.type
            values[match.input] = Value(text: text, type: type, precisionLost: cell.precisionLost,
                                        column: match.column, columnIndex: match.index - 1)
        }
        for (name, text) in settings.constants where values[name] == nil {
            values[name] = Value(text: text, type: .text, precisionLost: false, column: name, columnIndex: nil)
        }
        var outcome = RowOutcome(row: row.number, inputs: [], kind: nil, issues: [])
        switch settings.provider {
        case .truoraChecks, .truoraBatch: truora(&values, &outcome)
        case .trulioo: trulioo(&values, &outcome)
        case .truoraDI, .truoraWhatsApp: identity(&values, &outcome)
        }
        return outcome
    }

    /// The column name to blame for `input`: its column when one is mapped, else the input name.
    private func column(_ input: String) -> String { mapping.columnName(for: input) }

    private func date(_ value: Value, input: String) -> Result<String, RowIssue> {
        let order = value.columnIndex.flatMap { dateOrders[$0] } ?? .some(settings.dateOrder ?? .dayFirst)
        switch DateText.parse(value.text, type: value.type, order: order) {
        case .success(let iso): return .success(iso)
        case .failure(let error):
            let code: RowIssue.Code = order == nil && value.type != .number ? .dateOrderMixed : .dateInvalid
            return .failure(RowIssue(code, column: value.column, error.message(input)))
        }
    }

    /// Day, month and year columns → one date value.
    /// Input → its allowed values in capitals → as Truora spells them (built once, not per row).
    private static let allowedInCapitals: [String: [String: String]] = {
        var table: [String: [String: String]] = [:]
        for input in TruoraInput.all {
            guard case .oneOf(let allowed) = input.format else { continue }
            var byCapitals: [String: String] = [:]
            for value in allowed where byCapitals[value.uppercased()] == nil { byCapitals[value.uppercased()] = value }
            table[input.name] = byCapitals
        }
        return table
    }()

    /// `date_of_birth` → `date_of_birth.day`, `.month`, `.year` (built once, not per row).
    private static let dateParts: [String: [String]] = Dictionary(uniqueKeysWithValues: ["date_of_birth", "dob"].map { base in
        (base, ["day", "month", "year"].map { "\(base).\($0)" })
    })

    private func composeDate(_ base: String, _ values: inout InputValues, _ issues: inout [RowIssue]) {
        guard let keys = Self.dateParts[base] else { return }
        let parts = keys.map { values.removeValue(forKey: $0) }
        guard values[base] == nil, parts.contains(where: { $0 != nil }) else { return }
        let numbers = parts.map { $0.flatMap { Int($0.text.split(separator: ".").first ?? "") } }
        guard let d = numbers[0], let m = numbers[1] ?? parts[1].flatMap({ DateText.month(named: $0.text) }),
            let y = numbers[2], y >= 1000
        else {
            let blame = parts.first { $0 == nil || Int($0!.text.split(separator: ".").first ?? "") == nil }
            let column = blame??.column ?? column("\(base).day")
            issues.append(RowIssue(.dateInvalid, column: column,
                                   Message(.dateParts, base)))
            return
        }
        values[base] = Value(text: DateText.iso(y, m, d), type: .text, precisionLost: false,
                             column: parts[0]!.column, columnIndex: nil)
    }

    private func composeSurnames(_ values: inout InputValues) {
        let first = values.removeValue(forKey: "last_name.1"), second = values.removeValue(forKey: "last_name.2")
        guard values["last_name"] == nil, let any = first ?? second else { return }
        let text = [first?.text, second?.text].compactMap { $0 }.joined(separator: " ")
        values["last_name"] = Value(text: text, type: .text, precisionLost: false, column: any.column, columnIndex: nil)
    }

    // MARK: Truora

    private static let personTypes: [String: String] = [
        "person": "person", "persona": "person", "pessoa": "person", "vehicle": "vehicle", "vehiculo": "vehicle",
        "veiculo": "vehicle", "company": "company", "empresa": "company", "compania": "company",
    ]

    private mutating func truora(_ values: inout InputValues, _ outcome: inout RowOutcome) {
        var issues: [RowIssue] = []
        if hasParts {
            composeDate("date_of_birth", &values, &issues)
            composeSurnames(&values)
        }

        // Country.
        var country = settingsCountry
        if let value = values.removeValue(forKey: "country") {
            if let code = ValueText.country(value.text), TruoraRequirements.countries.contains(code) {
                country = code
            } else {
                issues.append(RowIssue(.valueNotAllowed, column: value.column,
                                       Message(.countryNotChecked, String(value.text.prefix(20)),
                                               TruoraRequirements.countries.joined(separator: ", "))))
                country = nil
            }
        }
        // Type.
        var type = settings.type ?? "person"
        if let value = values.removeValue(forKey: "type") {
            type = Self.personTypes[HeaderText.normalise(value.text)] ?? value.text
        } else if settings.type == nil, values["tax_id"] != nil,
            !["national_id", "foreign_id", "passport", "ptp", "pep", "document_number"].contains(where: { values[$0] != nil })
        {
            // Only a tax ID and no type given: a company check.
            type = "company"
        } else if let settingsType = settings.type, let known = Self.personTypes[settingsType.lowercased()] {
            type = known
        } else {
            type = Self.personTypes[HeaderText.normalise(type)] ?? type
        }

        // A document-type column routes the number to its input.
        var documentType: DocumentType?
        let typeValue = values.removeValue(forKey: "document_type")
        let numberValue = values.removeValue(forKey: "document_number")
        if let typeValue {
            if let found = DocumentType.lookup(typeValue.text, country: country) {
                documentType = found
                if let numberValue, values[found.input] == nil { values[found.input] = numberValue }
            } else {
                let codes = DocumentType.codes(for: country).joined(separator: ", ")
                issues.append(RowIssue(.documentTypeUnknown, column: typeValue.column,
                                       country.map { Message(.documentTypeUnknownIn, String(typeValue.text.prefix(30)), $0, codes) }
                                           ?? Message(.documentTypeUnknown, String(typeValue.text.prefix(30)), codes)))
            }
        } else if numberValue != nil {
            issues.append(RowIssue(.inputMissing, column: column("document_type"),
                                   Message(.documentTypeEmpty)))
        }
        if hasParts, let dv = values.removeValue(forKey: "national_id.dv"), let id = values["national_id"] {
            values["national_id"]?.text = id.text + "-" + dv.text
        }

        guard let country else {
            if !issues.contains(where: { $0.column == column("country") }) {
                issues.append(RowIssue(.inputMissing, column: column("country"),
                                       Message(.countryMissing)))
            }
            outcome.issues = issues
            return
        }

        // The requirement table's column.
        let foreignInputs = ["foreign_id", "ptp", "pep", "passport"]
        let isForeigner = documentType.map { $0.holder == .foreigner }
            ?? (values["national_id"] == nil && foreignInputs.contains { values[$0] != nil })
        var kind: TruoraRequirements.CheckKind?
        let personKind: TruoraRequirements.CheckKind =
            documentType?.holder == .company ? .company : (isForeigner ? .personForeigner : .personNational)
        switch type {
        case "person": kind = personKind
        case "vehicle": kind = isForeigner ? .vehicleForeigner : .vehicleNational
        case "company": kind = .company
        default:
            // A custom type weighs the person (or company) datasets its own way: it needs the same
            // inputs, and when the account's list is known, it must be in it.
            let onlyTaxID = values["tax_id"] != nil
                && !["national_id", "foreign_id", "passport", "ptp", "pep"].contains(where: { values[$0] != nil })
            kind = onlyTaxID ? .company : personKind
            if let known = settings.customTypes, known[country]?.contains(type) != true {
                let names = (known[country] ?? []).sorted()
                issues.append(RowIssue(.valueNotAllowed, column: column("type"),
                                       names.isEmpty
                                           ? Message(.typeUnknownNone, String(type.prefix(40)), country)
                                           : Message(.typeUnknown, String(type.prefix(40)), country,
                                                     names.joined(separator: ", "))))
            }
        }
        if kind == .company, Self.personTypes[HeaderText.normalise(type)] != nil { type = "company" }
        outcome.kind = kind
        if let kind, !issues.contains(where: { $0.code == RowIssue.Code.documentTypeUnknown.rawValue }) {
            if let requirement = TruoraRequirements.requirement(country: country, kind: kind) {
                for group in requirement.missing(where: { values[$0] != nil }) {
                    issues.append(missing(group, country: country, kind: kind, given: values))
                }
            } else {
                issues.append(RowIssue(.checkNotOffered, column: column(documentType != nil ? "document_type" : "type"),
                                       Message(.checkNotOffered, kind.rawValue, country)))
            }
        }

        // Each value by its input's format.
        var inputs = [RowOutcome.Input("type", type), RowOutcome.Input("country", country)]
        // Only the inputs present (a handful), in the catalogue's order, rather than a search per input.
        let present = values.names.filter { $0 != "type" && $0 != "country" }
            .compactMap { name in TruoraInput.position[name].map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        for (name, position) in present {
            let input = TruoraInput.all[position]
            guard let value = values[name] else { continue }
            let (text, issue) = normalise(value, input: input, country: country, documentType: documentType)
            if let text { inputs.append(RowOutcome.Input(input.name, text)) }
            if let issue { issues.append(issue) }
        }

        continuousColumns(&values, country: country, outcome: &outcome, issues: &issues)

        // Consent: the column's value is among the inputs already, and checked as a boolean.
        consent(values, &inputs, &issues, columnChecked: true)

        outcome.inputs = inputs
        outcome.issues = issues
        if outcome.isValid { checkDuplicate(&outcome, keyInputs: ["national_id", "foreign_id", "passport", "ptp", "pep",
                                                                  "tax_id", "license_plate", "name", "company_name"]) }
    }

    private func missing(_ group: [String], country: String, kind: TruoraRequirements.CheckKind,
                         given values: InputValues) -> RowIssue {
        let what = Message.either(group)
        // A routed number column counts as holding the inputs a document type can send it to.
        let routed = mapping.has("document_number") && group.contains { input in DocumentType.all.contains { $0.input == input } }
        let mapped = group.first { mapping.has($0) } ?? (routed ? "document_number" : nil)
        let others = ["passport", "pep", "foreign_id", "ptp", "national_id"].filter { values[$0] != nil && !group.contains($0) }
        let message: Message
        if group.count > 1 || kind == .personForeigner, let other = others.first {
            message = Message(mapped != nil ? .needsEmptyAlone : .needsNoColumnAlone, country, kind.rawValue, what, other)
        } else {
            message = Message(mapped != nil ? .needsEmpty : .needsNoColumn, country, kind.rawValue, what)
        }
        return RowIssue(.inputMissing, column: mapped.map(column) ?? group[0], message)
    }

    /// The value to send (nil when it cannot be sent) and the problem with it, if any (a warning
    /// comes with a value).
    private static let frequencyInput = TruoraInput("frequency", .frequency, "continuous check frequency")
    private static let endDateInput = TruoraInput("end_date", .date, "continuous check end date")

    /// A row's continuous check from its `frequency` and `end_date` columns: both or neither, a
    /// frequency Truora knows and an end date after today.
    private func continuousColumns(_ values: inout InputValues, country: String, outcome: inout RowOutcome,
                                   issues: inout [RowIssue]) {
        let frequency = values.removeValue(forKey: "frequency")
        let endDate = values.removeValue(forKey: "end_date")
        guard frequency != nil || endDate != nil else { return }
        guard let frequency, let endDate else {
            let missing = frequency == nil ? "frequency" : "end_date"
            issues.append(RowIssue(.inputMissing, column: column(missing),
                                   Message(.continuousNeedsBoth, missing)))
            return
        }
        let (often, oftenIssue) = normalise(frequency, input: Self.frequencyInput, country: country, documentType: nil)
        let (until, untilIssue) = normalise(endDate, input: Self.endDateInput, country: country, documentType: nil)
        if let oftenIssue { issues.append(oftenIssue) }
        if let untilIssue { issues.append(untilIssue) }
        guard let often, let until else { return }
        guard until > Self.today() else {
            issues.append(RowIssue(.valueNotAllowed, column: endDate.column,
                                   Message(.endDateNotAfterToday, until)))
            return
        }
        outcome.continuous = RowOutcome.Continuous(frequency: often, endDate: until)
    }

    /// Today in UTC as YYYY-MM-DD.
    static func today() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }

    private func normalise(_ value: Value, input: TruoraInput, country: String,
                           documentType: DocumentType?) -> (String?, RowIssue?) {
        if input.isIdentifier {
            let kind = IDKind.forInput(input.name, country: country, documentType: documentType)
            return identifier(value, input: input.name, kind: kind)
        }
        switch rule(value, input: input, country: country, documentType: documentType) {
        case .success(let text): return (text, nil)
        case .failure(let issue): return (nil, issue)
        }
    }

    private func rule(_ value: Value, input: TruoraInput, country: String,
                      documentType: DocumentType?) -> Result<String, RowIssue> {
        if input.name == "phone_number" {
            guard let phone = ValueText.phone(value.text) else {
                return .failure(RowIssue(.phoneInvalid, column: value.column,
                                         Message(.phoneInvalid, "phone_number")))
            }
            return .success(phone)
        }
        switch input.format {
        case .text:
            return .success(value.text)
        case .date:
            return date(value, input: input.name).mapError { $0 }
        case .boolean:
            guard let flag = ValueText.boolean(value.text) else {
                return .failure(RowIssue(.valueNotAllowed, column: value.column,
                                         Message(.booleanInvalid, input.name)))
            }
            return .success(flag ? "true" : "false")
        case .frequency:
            guard let frequency = ValueText.frequency(value.text) else {
                return .failure(RowIssue(.valueNotAllowed, column: value.column,
                                         Message(.frequencyInvalid, input.name)))
            }
            return .success(frequency)
        case .oneOf(let allowed):
            let candidate: String
            switch input.name {
            case "native_country": candidate = ValueText.country(value.text) ?? value.text.uppercased()
            case "owner_document_type": candidate = value.text.lowercased().replacingOccurrences(of: "_", with: "-")
            default: candidate = value.text.uppercased()
            }
            guard let match = Self.allowedInCapitals[input.name]?[candidate.uppercased()] else {
                return .failure(RowIssue(.valueNotAllowed, column: value.column,
                                         Message(.valueNotAllowed, input.name, String(value.text.prefix(20)),
                                                 allowed.joined(separator: ", "))))
            }
            return .success(match)
        }
    }

    /// The cleaned ID (nil when it is wrong) and its problem; a warning (an RFC check digit) keeps the value.
    private func identifier(_ value: Value, input: String, kind: IDKind?) -> (String?, RowIssue?) {
        guard let kind else {
            if value.precisionLost {
                return (nil, RowIssue(code: IDIssue.Code.precisionLost.rawValue, column: value.column,
                                      message: Message(.precisionLost, input)))
            }
            let cleaned = value.text.uppercased().filter { $0.isLetter || $0.isNumber }
            guard !cleaned.isEmpty else {
                return (nil, RowIssue(code: IDIssue.Code.characters.rawValue, column: value.column,
                                      message: Message(.noLettersOrDigits, input)))
            }
            return (cleaned, nil)
        }
        let result = IDChecks.check(value.text, as: kind, cellType: value.type, precisionLost: value.precisionLost)
        guard let issue = result.issues.first(where: { $0.severity == .error }) ?? result.issues.first else {
            return (result.normalised, nil)
        }
        let rowIssue = RowIssue(code: issue.code.rawValue, column: value.column, message: issue.message, subject: input,
                                severity: issue.severity)
        return (rowIssue.isError ? nil : result.normalised, rowIssue)
    }

    private mutating func checkDuplicate(_ outcome: inout RowOutcome, keyInputs: [String]) {
        guard let id = keyInputs.first(where: { outcome.value($0) != nil }), let value = outcome.value(id) else { return }
        var hasher = Hasher()
        for part in [outcome.value("type") ?? "", outcome.value("country") ?? outcome.value("address_country") ?? "",
                     id, value]
        {
            hasher.combine(part)
        }
        if let first = seen.firstRow(for: hasher.finalize(), row: outcome.row) {
            outcome.issues.append(RowIssue(.duplicateRow, column: column(id),
                                           Message(.duplicateRow, id, String(first))))
        }
    }

    /// `user_authorized` from the row's consent column, else from the job's attestation; never assumed.
    /// With `columnChecked`, the column's value is already among the inputs and its format checked.
    private func consent(_ values: InputValues, _ inputs: inout [RowOutcome.Input], _ issues: inout [RowIssue],
                         columnChecked: Bool) {
        switch values["user_authorized"].map({ ValueText.boolean($0.text) }) {
        case .some(.some(true)):
            if !columnChecked { inputs.append(RowOutcome.Input("user_authorized", "true")) }
        case .some(.some(false)):
            issues.append(RowIssue(.consentRefused, column: column("user_authorized"), Message(.consentRefused)))
        case .some(.none):
            if !columnChecked {
                issues.append(RowIssue(.valueNotAllowed, column: column("user_authorized"),
                                       Message(.booleanInvalid, "user_authorized")))
            }
        case .none:
            if settings.consent != nil {
                inputs.append(RowOutcome.Input("user_authorized", "true"))
            } else {
                issues.append(RowIssue(.consentMissing, column: column("user_authorized"), Message(.consentMissing)))
            }
        }
    }

    // MARK: Digital Identity and WhatsApp

    /// A person to send a verification link or a WhatsApp message to: the account, a phone with its
    /// calling code, an email, the flow's document type and country, consent (WhatsApp) and the
    /// message's variables.
    private mutating func identity(_ values: inout InputValues, _ outcome: inout RowOutcome) {
        let provider = settings.provider
        var issues: [RowIssue] = []
        var inputs: [RowOutcome.Input] = []
        var country: String?
        if let value = values["country"] {
            if let code = ValueText.country(value.text), IdentityInput.countries.contains(code) {
                country = code
            } else {
                issues.append(RowIssue(.valueNotAllowed, column: value.column,
                                       Message(.valueNotAllowed, "country", String(value.text.prefix(20)),
                                               IdentityInput.countries.sorted().joined(separator: ", "))))
            }
        } else if let fallback = settings.country?.uppercased(), IdentityInput.countries.contains(fallback) {
            country = fallback
        }
        if provider == .truoraDI, country == nil, values["country"] == nil {
            issues.append(RowIssue(.inputMissing, column: column("country"), Message(.countryMissing)))
        }
        if let value = values["account_id"] {
            if IdentityInput.isAccountID(value.text) {
                inputs.append(RowOutcome.Input("account_id", value.text))
            } else {
                issues.append(RowIssue(.accountIDInvalid, column: value.column,
                                       Message(.accountIDInvalid, String(value.text.prefix(40)))))
            }
        }
        if let value = values["phone_number"] {
            if let phone = ValueText.phone(value.text) {
                if let (code, number) = CallingCode.split(phone, country: country) {
                    inputs.append(RowOutcome.Input("phone_number", code + number))
                } else {
                    issues.append(RowIssue(.phoneInvalid, column: value.column, Message(.phoneNoCountry, "phone_number")))
                }
            } else {
                issues.append(RowIssue(.phoneInvalid, column: value.column, Message(.phoneInvalid, "phone_number")))
            }
        } else if provider == .truoraWhatsApp {
            issues.append(RowIssue(.inputMissing, column: column("phone_number"), Message(.phoneMissing)))
        }
        if let value = values["email"] {
            if ValueText.isEmail(value.text) {
                inputs.append(RowOutcome.Input("email", value.text))
            } else {
                issues.append(RowIssue(.emailInvalid, column: value.column, Message(.emailInvalid, "email")))
            }
        }
        if let value = values["document_type"] {
            if let type = IdentityInput.documentType(value.text) {
                inputs.append(RowOutcome.Input("document_type", type))
            } else {
                issues.append(RowIssue(.valueNotAllowed, column: value.column,
                                       Message(.valueNotAllowed, "document_type", String(value.text.prefix(20)),
                                               IdentityInput.documentTypes.joined(separator: ", "))))
            }
        }
        if let country { inputs.append(RowOutcome.Input("country", country)) }
        if provider == .truoraWhatsApp {
            consent(values, &inputs, &issues, columnChecked: false)
            for name in values.names where IdentityInput.isVariable(name) {
                if let value = values[name] { inputs.append(RowOutcome.Input(name, value.text)) }
            }
        }
        // A link needs nothing from the row (the person is whoever the row names); a message needs the phone.
        outcome.inputs = inputs
        outcome.issues = issues
        if outcome.isValid { checkDuplicate(&outcome, keyInputs: ["account_id", "phone_number", "email"]) }
    }

    // MARK: Trulioo

    private mutating func trulioo(_ values: inout InputValues, _ outcome: inout RowOutcome) {
        var issues: [RowIssue] = []
        if hasParts {
            composeDate("dob", &values, &issues)
            composeSurnames(&values)
        }
        var country: String?
        if let value = values["address_country"] {
            if let code = ValueText.country(value.text), code != "ALL" {
                country = code
                values["address_country"]?.text = code
            } else {
                issues.append(RowIssue(.valueNotAllowed, column: value.column,
                                       Message(.addressCountryInvalid, String(value.text.prefix(20)))))
            }
        } else if let fallback = settings.country?.uppercased(), fallback != "ALL" {
            country = fallback
            values["address_country"] = Value(text: fallback, type: .text, precisionLost: false,
                                              column: "address_country", columnIndex: nil)
        }
        var inputs: [RowOutcome.Input] = []
        for field in TruliooField.all {
            guard let value = values[field.role] else { continue }
            switch field.format {
            case .text, .country:
                inputs.append(RowOutcome.Input(field.role, value.text))
            case .date:
                switch date(value, input: field.role) {
                case .success(let iso): inputs.append(RowOutcome.Input(field.role, iso))
                case .failure(let issue): issues.append(issue)
                }
            case .email:
                if ValueText.isEmail(value.text) {
                    inputs.append(RowOutcome.Input(field.role, value.text))
                } else {
                    issues.append(RowIssue(.emailInvalid, column: value.column, Message(.emailInvalid, "email")))
                }
            case .phone:
                if let phone = ValueText.phone(value.text) {
                    inputs.append(RowOutcome.Input(field.role, phone))
                } else {
                    issues.append(RowIssue(.phoneInvalid, column: value.column,
                                           Message(.phoneInvalid, "phone")))
                }
            case .identifier:
                let kind = field.role == "national_id_nr" ? IDKind.forInput("national_id", country: country) : nil
                let (id, issue) = identifier(value, input: field.role, kind: kind)
                if let id { inputs.append(RowOutcome.Input(field.role, id)) }
                if let issue { issues.append(issue) }
            }
        }
        if inputs.isEmpty {
            issues.append(RowIssue(.emptyRow, column: mapping.matches.first?.column ?? "",
                                   Message(.emptyRow)))
        }
        outcome.inputs = inputs
        outcome.issues = issues
        if outcome.isValid { checkDuplicate(&outcome, keyInputs: ["national_id_nr", "external_customer_id", "email"]) }
    }
}
