/// A per-row input of the Digital Identity and WhatsApp modes (`../shared/seeds/003_…txt`,
/// "Generate Token" and "Send Outbound Message"). What applies to the whole file (the flow, the
/// outbound message, the redirect URL) comes from the job file or the flags instead.
public struct IdentityInput: Sendable, Hashable {
    public enum Format: Sendable, Hashable {
        /// `[a-zA-Z0-9_.-]+`, Truora's account id rule.
        case accountID
        /// Normalised to `+` and the country's calling code.
        case phone
        case email
        /// `national-id`, `foreign-id`, `passport`, `driver-license` or `pep`.
        case documentType
        /// The flow's country: `ALL` or one of Truora's Digital Identity countries.
        case country
        /// yes/no: the person agreed to be contacted.
        case consent
    }

    public let name: String
    public let format: Format
    public let summary: String

    init(_ name: String, _ format: Format, _ summary: String) {
        self.name = name
        self.format = format
        self.summary = summary
    }

    static let accountID = IdentityInput("account_id", .accountID, "The person's account at Truora (letters, digits, _ . -); made from the row when empty")
    static let phone = IdentityInput("phone_number", .phone, "Mobile number; without + it takes the country's calling code")
    static let email = IdentityInput("email", .email, "Email address to validate in the flow")
    static let documentType = IdentityInput("document_type", .documentType, "national-id, foreign-id, passport, driver-license or pep")
    static let country = IdentityInput("country", .country, "The flow's country (ALL, AR, BR, CL, CO, CR, EC, MX, PE)")
    static let consent = IdentityInput("user_authorized", .consent, "yes when the person agreed to be contacted on WhatsApp")

    /// The inputs of a mode, in the order templates list them.
    public static func inputs(for provider: Provider) -> [IdentityInput] {
        switch provider {
        case .truoraDI: [accountID, phone, email, documentType, country]
        case .truoraWhatsApp: [phone, accountID, country, consent]
        default: []
        }
    }

    /// Countries a Digital Identity flow may be for.
    public static let countries: Set<String> = ["ALL", "AR", "BR", "CL", "CO", "CR", "EC", "MX", "PE"]

    /// Document types, and the ways a person writes them.
    public static let documentTypes = ["national-id", "foreign-id", "passport", "driver-license", "pep"]
    static let documentTypeWords: [String: String] = [
        "nationalid": "national-id", "national": "national-id", "cedula": "national-id", "cc": "national-id",
        "dni": "national-id", "ci": "national-id", "cedula de ciudadania": "national-id", "rut": "national-id",
        "cpf": "national-id", "curp": "national-id", "ine": "national-id", "rg": "national-id",
        "documento nacional": "national-id", "foreignid": "foreign-id", "foreign": "foreign-id",
        "ce": "foreign-id", "cedula de extranjeria": "foreign-id", "extranjeria": "foreign-id",
        "ppt": "foreign-id", "ptp": "foreign-id", "dimex": "foreign-id", "rne": "foreign-id",
        "pasaporte": "passport", "passaporte": "passport", "pa": "passport", "driverlicense": "driver-license",
        "licencia": "driver-license", "licencia de conduccion": "driver-license", "cnh": "driver-license",
        "pep": "pep", "permiso especial de permanencia": "pep",
    ]

    /// A document type as Truora spells it, from what a person wrote; nil when not one.
    public static func documentType(_ text: String) -> String? {
        let key = HeaderText.normalise(text)
        let joined = key.replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
        if documentTypes.contains(joined) { return joined }
        return documentTypeWords[key] ?? documentTypeWords[joined.replacingOccurrences(of: "-", with: "")]
    }

    /// Whether `text` is an account id Truora takes.
    public static func isAccountID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128 && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                true
            default: false
            }
        }
    }

    /// A message variable input: `var.NAME` with NAME of letters, digits and `_`.
    public static func isVariable(_ name: String) -> Bool {
        guard name.hasPrefix("var.") else { return false }
        let variable = name.dropFirst(4)
        return !variable.isEmpty && variable.utf8.count <= 64
            && variable.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The variable a header names when written as the message writes it (`{{.name}}`) or as the
    /// input (`var.name`); nil otherwise.
    public static func variable(inHeader header: String) -> String? {
        var text = header.trimmed
        if text.hasPrefix("{{") && text.hasSuffix("}}") {
            text = String(text.dropFirst(2).dropLast(2)).trimmed
            if text.hasPrefix(".") { text.removeFirst() }
            text = "var." + text
        }
        return isVariable(text) ? text : nil
    }
}

/// Calling codes of the countries idbatch's users send from, for phones written without one.
public enum CallingCode {
    public static let byCountry: [String: String] = [
        "AR": "54", "BO": "591", "BR": "55", "CL": "56", "CO": "57", "CR": "506", "EC": "593", "ES": "34",
        "GT": "502", "HN": "504", "MX": "52", "NI": "505", "PA": "507", "PE": "51", "PY": "595", "SV": "503",
        "US": "1", "UY": "598", "VE": "58", "DO": "1",
    ]

    /// Longest first, so `+506…` is Costa Rica and not `+5` anything.
    static let codes: [String] = Set(byCountry.values).sorted { $0.count > $1.count }

    /// A phone as `+CODE` and the number without it. Without `+`, the number takes `country`'s code
    /// (a leading 0 of a national trunk prefix dropped); nil when it cannot be told.
    public static func split(_ phone: String, country: String?) -> (code: String, number: String)? {
        if phone.hasPrefix("+") {
            let digits = phone.dropFirst()
            guard let code = codes.first(where: { digits.hasPrefix($0) }) else { return nil }
            let number = String(digits.dropFirst(code.count))
            return number.count >= 6 ? ("+" + code, number) : nil
        }
        guard let country, let code = byCountry[country.uppercased()] else { return nil }
        var number = Substring(phone)
        // A number written with its code but no + (573001234567 for a Colombian mobile).
        if number.hasPrefix(code), number.count - code.count >= 8, number.count > 10 { number = number.dropFirst(code.count) }
        while number.hasPrefix("0") { number = number.dropFirst() }
        return number.count >= 6 ? ("+" + code, String(number)) : nil
    }
}
