/// Everything about a file's checks that is not in its cells: the provider, the country and type
/// for rows without those columns, explicit column bindings, constants and the consent
/// attestation. Built from the job file, then overridden by flags.
public struct CheckSettings: Sendable, Equatable {
    public var provider: Provider = .truoraChecks
    /// For rows without a country column (`CO`).
    public var country: String?
    /// For rows without a type column: `person`, `vehicle`, `company` or a custom type name.
    public var type: String?
    public var bindings: [ColumnBinding] = []
    /// Values for inputs no column holds, the same for every row (`region: ALL`).
    public var constants: [String: String] = [:]
    public var consent: ConsentAttestation?
    /// Forces the order of `a/b/yyyy` dates; nil decides it per column from the values (day-first
    /// when nothing decides, as LATAM spreadsheets write them).
    public var dateOrder: DateOrder?
    /// The 1-based row holding the header; nil finds it.
    public var headerRow: Int?
    /// The sheet to read (name or 1-based index).
    public var sheet: String?
    /// The account's custom types by country (from Truora's `/v1/config`), when they were looked
    /// up; a type that is not built in must then be one of its country's. Nil accepts any name.
    public var customTypes: [String: Set<String>]?

    public init(provider: Provider = .truoraChecks) {
        self.provider = provider
    }
}

/// A person's statement, in the job file, that every row's subject authorised the check: it is
/// what lets Truora's `user_authorized` be true for rows without a consent column.
public struct ConsentAttestation: Sendable, Equatable {
    /// Who attests (a name or role).
    public var attestedBy: String
    /// Where the authorisations are kept (a contract, a form, a case number).
    public var reference: String?

    public init(attestedBy: String, reference: String? = nil) {
        self.attestedBy = attestedBy
        self.reference = reference
    }
}

extension IDKind {
    /// The ID rules for a Truora input in a country, where the country has a checkable ID.
    public static func forInput(_ input: String, country: String?, documentType: DocumentType? = nil) -> IDKind? {
        switch (country?.uppercased(), input) {
        case ("CL", "national_id"), ("CL", "foreign_id"), ("CL", "owner_document_id"): return .chileRUT
        case ("CO", "national_id") where documentType == nil || documentType?.code == "CC": return .colombiaCedula
        case ("CO", "tax_id"): return .colombiaNIT
        case ("BR", "national_id"): return .brazilCPF
        case ("BR", "tax_id"): return .brazilCNPJ
        case ("MX", "national_id"): return .mexicoCURP
        case ("MX", "tax_id"): return .mexicoRFC
        case ("PE", "national_id"): return .peruDNI
        default: return nil
        }
    }
}
