/// The language of what a person reads inside an output file: error messages, header notes,
/// instructions, dropdown prompts and Summary labels. Codes and `idbatch_*` column names are the
/// same in every language; console output and `--help` stay English.
public enum Language: String, Sendable, CaseIterable, Codable {
    case es
    case pt
    case en

    /// The language people in `country` read: Brazil Portuguese, the other LATAM countries
    /// Spanish, anything else (`ALL`, none) English.
    public static func forCountry(_ country: String?) -> Language {
        switch country?.uppercased() {
        case "BR": return .pt
        case "CO", "CL", "MX", "PE", "CR", "EC", "AR", "UY", "PY", "BO", "VE", "PA", "GT", "HN", "SV", "NI", "DO":
            return .es
        default: return .en
        }
    }

    /// `es`, `Spanish`, `español`, `pt-BR`, … → the language; nil for one idbatch has no table for.
    public init?(argument: String) {
        let text = argument.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        switch text {
        case "es", "spa", "spanish", "español", "espanol": self = .es
        case "pt", "por", "portuguese", "português", "portugues": self = .pt
        case "en", "eng", "english", "inglés", "ingles", "inglês": self = .en
        default: return nil
        }
    }

    /// The message table of this language.
    var table: [String: String] {
        switch self {
        case .es: return Messages.spanish
        case .pt: return Messages.portuguese
        case .en: return Messages.english
        }
    }
}
