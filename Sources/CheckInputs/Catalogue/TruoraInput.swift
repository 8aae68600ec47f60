/// Every input of Truora's create-check call (`POST /v1/checks`), as the API reference lists them
/// (`../shared/seeds/003_…txt`, "Create check"): one source of truth for validation, templates,
/// reports and the sandbox.
public struct TruoraInput: Sendable, Hashable, Identifiable {
    /// What values an input takes.
    public enum Format: Sendable, Hashable {
        case text
        case boolean
        /// `YYYY-MM-DD`.
        case date
        /// One of a fixed set of codes.
        case oneOf([String])
        /// `daily|weekly|monthly|yearly` or a number with d, w, m or y (`3d`, `2w`).
        case frequency
    }

    /// The form field name (`national_id`).
    public let name: String
    public let format: Format
    /// The reference's description, for template notes and `--help`.
    public let summary: String
    /// Holds an identity document number (formatted as text in templates, masked in logs).
    public let isIdentifier: Bool

    public var id: String { name }

    init(_ name: String, _ format: Format, identifier: Bool = false, _ summary: String) {
        self.name = name
        self.format = format
        self.isIdentifier = identifier
        self.summary = summary
    }

    /// A free-text input.
    init(_ name: String, identifier: Bool = false, _ summary: String) {
        self.init(name, .text, identifier: identifier, summary)
    }
}

extension TruoraInput {
    /// Brazil's regions for `region` (the person's state, or `ALL` for a nation-wide search).
    public static let brazilRegions = [
        "DF", "AC", "AL", "AP", "AM", "BA", "CE", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ",
        "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO", "ALL",
    ]

    /// Every create-check input, in the reference's order.
    public static let all: [TruoraInput] = [
        TruoraInput("type", .oneOf(["person", "vehicle", "company"]),
                    "Background check type: person, vehicle, company or the name of a custom type"),
        TruoraInput("country", .oneOf(["ALL", "BR", "CO", "CL", "MX", "PE", "CR"]), "Document country"),
        TruoraInput("user_authorized", .boolean,
                    "Whether the person checked authorized the validation; must be true to proceed"),
        TruoraInput("date_of_birth", .date, "Person birthdate (YYYY-MM-DD); filters homonyms"),
        TruoraInput("owner_document_id", identifier: true, "ID of the vehicle owner"),
        TruoraInput("national_id", identifier: true, "National ID"),
        TruoraInput("foreign_id", identifier: true, "Person foreign ID"),
        TruoraInput("passport", identifier: true, "Person passport"),
        TruoraInput("watch", .frequency, "How often the check score is revised (daily, weekly, monthly, yearly, 3d, 2w...)"),
        TruoraInput("license_plate", "Vehicle license plate"),
        TruoraInput("payment_date", .date, "Payment day of a vehicle circulation permit (Chile only)"),
        TruoraInput("region", .oneOf(brazilRegions),
                    "Brazilian region to search besides the person's own; ALL is nation-wide (over 24 hours)"),
        TruoraInput("tax_id", identifier: true, "Company ID used for tax payments"),
        TruoraInput("verification_code", "Verification code registered for criminal records in Peru and Chile"),
        TruoraInput("birth_certificate", identifier: true, "Person birth certificate"),
        TruoraInput("driver_license", identifier: true, "Driver's license number"),
        TruoraInput("pep", identifier: true, "ID for Venezuelans working in Colombia (PEP)"),
        TruoraInput("vehicle_id", "Vehicle NIV number"),
        TruoraInput("owner_document_type", .oneOf(["national-id", "foreign-id", "tax-id", "passport"]),
                    "Document type of the vehicle owner"),
        TruoraInput("native_country", .oneOf(["CO", "MX", "PE", "BR", "EC", "CL", "VE"]),
                    "Country of birth; required with native_national_id"),
        TruoraInput("state_id", identifier: true, "Brazilian RG (Registro Geral); letters and digits only"),
        TruoraInput("last_name", "Person or entity last name; without a document, results may include homonyms"),
        TruoraInput("force_creation", .boolean, "Create a new check even if an identical one was created recently"),
        TruoraInput("certificate_folio", "Folio for Chilean certificate search (Chile only)"),
        TruoraInput("diplomatic_id", identifier: true, "Diplomatic ID"),
        TruoraInput("imei", "15-digit IMEI to be validated"),
        TruoraInput("report_id", "Report the check is inserted into"),
        TruoraInput("native_national_id", identifier: true,
                    "National ID from the person's native country; needs native_country"),
        TruoraInput("phone_number", "Person phone number; required by law to notify the person"),
        TruoraInput("company_name", "Company name"),
        TruoraInput("escrow", "Colombian escrow"),
        TruoraInput("first_name", "Person or entity first name; without a document, results may include homonyms"),
        TruoraInput("issue_number", "Document number of Chilean identity (Chile only)"),
        TruoraInput("issue_date", .date, "Document issue date (YYYY-MM-DD)"),
        TruoraInput("professional_card", identifier: true, "Professional ID card"),
        TruoraInput("ptp", identifier: true, "ID for Venezuelans working in Peru (PTP); also Colombia's PPT"),
        // The international search takes a name.
        TruoraInput("name", "Full name, for international (ALL) searches"),
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The input with this field name.
    public static func named(_ name: String) -> TruoraInput? { byName[name] }

    /// Each input's place in ``all``: the order inputs are sent in.
    public static let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.name, $0) })
}
