/// Truora's table of inputs per country and check kind (the API reference's "Create check" table).
public enum TruoraRequirements {
    /// The five columns of the table.
    public enum CheckKind: String, Sendable, CaseIterable {
        case personNational = "person-national"
        case personForeigner = "person-foreigner"
        case company
        case vehicleNational = "vehicle-national"
        case vehicleForeigner = "vehicle-foreigner"

        /// The `type` sent to the API.
        public var type: String {
            switch self {
            case .personNational, .personForeigner: return "person"
            case .company: return "company"
            case .vehicleNational, .vehicleForeigner: return "vehicle"
            }
        }
    }

    /// What one cell of the table asks for.
    public struct Requirement: Sendable, Equatable {
        /// Each group must be satisfied by one of its inputs (`[["foreign_id", "ptp"]]` = foreign_id or PPT).
        public var required: [[String]]
        public var optional: [String]
        /// Restrictions the table notes next to an input (`driver_license`: "Santiago only").
        public var notes: [String: String]

        init(_ required: [[String]], optional: [String] = [], notes: [String: String] = [:]) {
            self.required = required
            self.optional = optional
            self.notes = notes
        }

        /// Every input the cell names.
        public var inputs: [String] { required.flatMap { $0 } + optional }

        /// The required groups no input of `present` satisfies.
        public func missing(given present: Set<String>) -> [[String]] {
            missing { present.contains($0) }
        }

        /// The required groups with no input for which `isPresent` holds.
        public func missing(where isPresent: (String) -> Bool) -> [[String]] {
            required.filter { group in !group.contains(where: isPresent) }
        }
    }

    /// The table's countries, `ALL` being the international search.
    public static let countries = ["CL", "CO", "MX", "BR", "CR", "PE", "ALL"]

    /// The table cell for a country and kind; nil where the table says N/A.
    public static func requirement(country: String, kind: CheckKind) -> Requirement? {
        table[country.uppercased()]?[kind]
    }

    private static let table: [String: [CheckKind: Requirement]] = [
        "CL": [
            .personNational: Requirement([["national_id"]], optional: ["date_of_birth", "phone_number", "issue_number"]),
            .personForeigner: Requirement([["foreign_id"], ["date_of_birth"], ["first_name"], ["last_name"],
                                           ["native_country"]], optional: ["phone_number", "issue_number"]),
            .vehicleNational: Requirement([["national_id"], ["license_plate"]], optional: ["driver_license"],
                                          notes: ["driver_license": "Santiago only"]),
            .vehicleForeigner: Requirement([["foreign_id"], ["first_name"], ["last_name"], ["date_of_birth"],
                                            ["native_country"], ["license_plate"]], optional: ["driver_license"],
                                           notes: ["driver_license": "Santiago only"]),
        ],
        "CO": [
            .personNational: Requirement([["national_id"]], optional: ["date_of_birth", "issue_date", "phone_number"]),
            .personForeigner: Requirement([["foreign_id", "ptp"], ["date_of_birth"], ["issue_date"]],
                                          optional: ["phone_number"], notes: ["ptp": "PPT, Permiso de Protección Temporal"]),
            .company: Requirement([["tax_id"]], optional: ["national_id"]),
            .vehicleNational: Requirement([["national_id"], ["license_plate"]],
                                          optional: ["date_of_birth", "phone_number", "owner_document_type",
                                                     "owner_document_id"]),
            .vehicleForeigner: Requirement([["foreign_id"], ["license_plate"], ["issue_date"]],
                                           optional: ["date_of_birth", "phone_number"]),
        ],
        "MX": [
            .personNational: Requirement([["national_id"]], optional: ["phone_number"]),
            .personForeigner: Requirement([["foreign_id"]]),
            .company: Requirement([["tax_id"]]),
            .vehicleNational: Requirement([["license_plate"]], optional: ["national_id", "vehicle_id", "driver_license"],
                                          notes: ["driver_license": "Estado de México only"]),
        ],
        "BR": [
            .personNational: Requirement([["national_id"], ["date_of_birth"], ["region"]], optional: ["phone_number"]),
            .company: Requirement([["tax_id"]]),
            .vehicleNational: Requirement([["license_plate"]]),
        ],
        "CR": [
            .personNational: Requirement([["national_id"]], optional: ["phone_number"]),
            .personForeigner: Requirement([["foreign_id"]], optional: ["phone_number"]),
            .vehicleNational: Requirement([["license_plate"]]),
        ],
        "PE": [
            .personNational: Requirement([["national_id"], ["date_of_birth"]], optional: ["phone_number"]),
            .personForeigner: Requirement([["foreign_id"], ["phone_number"]], optional: ["ptp", "date_of_birth"]),
            .vehicleNational: Requirement([["national_id"], ["date_of_birth"], ["license_plate"]]),
            .vehicleForeigner: Requirement([["foreign_id"], ["date_of_birth"], ["license_plate"]], optional: ["ptp"]),
        ],
        "ALL": [
            .personNational: Requirement([["name"]]),
            .personForeigner: Requirement([["name"]]),
            .company: Requirement([["company_name"]]),
        ],
    ]
}
