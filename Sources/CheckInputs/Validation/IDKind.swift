/// The national and tax IDs idbatch can check before any paid call.
public enum IDKind: String, Sendable, CaseIterable, Codable {
    /// Chile RUT/RUN: 7-8 digits and a check digit 0-9 or K.
    case chileRUT = "cl_rut"
    /// Brazil CPF: 11 digits, two check digits.
    case brazilCPF = "br_cpf"
    /// Brazil CNPJ: 12 base characters (letters allowed from July 2026) and two check digits.
    case brazilCNPJ = "br_cnpj"
    /// Mexico CURP: 18 characters with a birth date, a state and a check digit.
    case mexicoCURP = "mx_curp"
    /// Mexico RFC: 12 (companies) or 13 (people) characters; a failed check digit is only a warning.
    case mexicoRFC = "mx_rfc"
    /// Colombia NIT: 8-16 digits including the check digit.
    case colombiaNIT = "co_nit"
    /// Colombia cédula de ciudadanía: 6-10 digits, no check digit exists.
    case colombiaCedula = "co_cc"
    /// Peru DNI: 8 digits (leading zeros matter) and an optional check character.
    case peruDNI = "pe_dni"

    /// A short name people recognise, for messages.
    public var label: String {
        switch self {
        case .chileRUT: return "RUT"
        case .brazilCPF: return "CPF"
        case .brazilCNPJ: return "CNPJ"
        case .mexicoCURP: return "CURP"
        case .mexicoRFC: return "RFC"
        case .colombiaNIT: return "NIT"
        case .colombiaCedula: return "cédula"
        case .peruDNI: return "DNI"
        }
    }

    /// The digit count of an all-digit ID whose leading zeros a spreadsheet may have dropped.
    var fixedDigits: Int? {
        switch self {
        case .brazilCPF: return 11
        case .brazilCNPJ: return 14
        case .peruDNI: return 8
        default: return nil
        }
    }
}
