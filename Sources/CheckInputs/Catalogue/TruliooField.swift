/// A Trulioo Workflow Studio field, keyed by the element `role` that `init` prefill data uses
/// (`../shared/api-notes/trulioo.md` §2), with the GlobalGateway names accepted as aliases (§6).
public struct TruliooField: Sendable, Hashable {
    public enum Format: Sendable, Hashable {
        case text
        /// `YYYY-MM-DD`.
        case date
        /// ISO 3166-1 alpha-2.
        case country
        case email
        case phone
        /// A national ID, checked by the country's rules when the country is known.
        case identifier
    }

    public let role: String
    public let format: Format
    public let summary: String
    /// GlobalGateway field names for the same value (`FirstGivenName`).
    public let globalGatewayNames: [String]

    init(_ role: String, _ format: Format, _ summary: String, gg: [String] = []) {
        self.role = role
        self.format = format
        self.summary = summary
        self.globalGatewayNames = gg
    }

    init(_ role: String, _ summary: String, gg: [String] = []) {
        self.init(role, .text, summary, gg: gg)
    }

    public var isIdentifier: Bool { format == .identifier }
}

extension TruliooField {
    /// Every prefill role idbatch maps; `email` and `phone` are the notes' proposal (roles not seen in
    /// real responses).
    public static let all: [TruliooField] = [
        TruliooField("first_name", "Given name", gg: ["FirstGivenName"]),
        TruliooField("middle_name", "Middle name", gg: ["MiddleName"]),
        TruliooField("last_name", "Surname", gg: ["FirstSurName"]),
        TruliooField("dob", .date, "Date of birth (YYYY-MM-DD)", gg: ["DateOfBirth"]),
        TruliooField("address_country", .country, "Country of residence (ISO 3166 alpha-2, such as CO)",
                     gg: ["Country", "CountryCode"]),
        TruliooField("address_1", "Street address", gg: ["Address1", "StreetName"]),
        TruliooField("address_city", "City", gg: ["City"]),
        TruliooField("address_state", "State or province", gg: ["StateProvinceCode"]),
        TruliooField("address_zip", "Postal code", gg: ["PostalCode", "ZipPostalCode"]),
        TruliooField("national_id_nr", .identifier, "National ID number", gg: ["NationalID", "NationalIds"]),
        TruliooField("social_service_number", .identifier, "Social service number", gg: ["SocialService"]),
        TruliooField("email", .email, "Email address", gg: ["EmailAddress"]),
        TruliooField("phone", .phone, "Phone number with country code (+57…)", gg: ["MobileNumber", "Telephone"]),
        TruliooField("external_customer_id", "Your own reference for the person", gg: ["CustomerReferenceID"]),
    ]

    private static let byRole = Dictionary(uniqueKeysWithValues: all.map { ($0.role, $0) })

    public static func named(_ role: String) -> TruliooField? { byRole[role] }
}

/// Inputs of Truora's batch and continuous-check calls (`../shared/seeds/003_…txt`, "Batch" and
/// "Continuous"), which apply to a whole file rather than to a row.
public enum TruoraFileInputs {
    /// `POST /v1/batches`: `columns_mapping.{input}` is sent per mapped column (0-based index).
    public static let batch: [TruoraInput] = [
        TruoraInput("type", .text, "person, vehicle, company or a custom type name"),
        TruoraInput("service", .oneOf(["checks"]), "Always checks"),
        TruoraInput("country", .oneOf(["ALL", "BR", "CO", "CL", "MX", "PE", "CR"]), "The country of the batch's checks"),
        TruoraInput("end_date", .date, "Date continuous checks stop (YYYY-MM-DD); with frequency"),
        TruoraInput("frequency", .frequency, "Time between checks for a batch of continuous checks"),
    ]

    /// `POST /v1/continuous-checks`.
    public static let continuous: [TruoraInput] = [
        TruoraInput("frequency", .frequency, "Time between background checks"),
        TruoraInput("end_date", .date, "Date the checks stop (YYYY-MM-DD); must leave room for one run"),
        TruoraInput("check_id", "The check to repeat"),
    ]

    /// The form key that maps an input to a 0-based column of the uploaded xlsx.
    public static func columnsMappingKey(_ input: String) -> String { "columns_mapping.\(input)" }
}
