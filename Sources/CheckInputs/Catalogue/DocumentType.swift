/// The document-type codes people put in a `Tipo de documento` column, and what each one means:
/// which provider input the row's number goes to and whether the person is checked as a national
/// or a foreigner.
///
/// Codes are country-dependent where the same letters mean different documents (`RUT` is a
/// Chilean personal ID but a Colombian tax registration).
public struct DocumentType: Sendable, Hashable {
    /// Who the document identifies, which picks the requirement table's column.
    public enum Holder: String, Sendable, Hashable {
        case national
        case foreigner
        case company
    }

    /// The canonical code (`CC`).
    public let code: String
    /// What the code stands for, for messages and templates.
    public let name: String
    /// The Truora input that receives the number (`national_id`).
    public let input: String
    public let holder: Holder
    /// The countries where the code means this; nil for any country.
    public let countries: Set<String>?
    /// Other spellings (`C.C.`, `Cédula de ciudadanía`), matched after ``HeaderText/normalise(_:)``.
    let spellings: [String]

    init(_ code: String, _ name: String, _ input: String, _ holder: Holder, countries: Set<String>? = nil,
         spellings: [String] = []) {
        self.code = code
        self.name = name
        self.input = input
        self.holder = holder
        self.countries = countries
        self.spellings = spellings
    }
}

extension DocumentType {
    /// Every known code. Where a code has country-specific meanings, the specific entries come first.
    public static let all: [DocumentType] = [
        DocumentType("CC", "Cédula de ciudadanía", "national_id", .national, countries: ["CO"],
                     spellings: ["C.C.", "Cédula de ciudadanía", "Cedula ciudadania", "Cédula", "Cedula"]),
        DocumentType("CE", "Cédula o carné de extranjería", "foreign_id", .foreigner,
                     spellings: ["C.E.", "Cédula de extranjería", "Carné de extranjería", "Carnet de extranjería",
                                 "Extranjería"]),
        DocumentType("TI", "Tarjeta de identidad", "national_id", .national, countries: ["CO"],
                     spellings: ["T.I.", "Tarjeta de identidad"]),
        DocumentType("PA", "Pasaporte", "passport", .foreigner,
                     spellings: ["PAS", "PP", "Pasaporte", "Passaporte", "Passport"]),
        DocumentType("PPT", "Permiso por Protección Temporal", "ptp", .foreigner, countries: ["CO"],
                     spellings: ["Permiso por protección temporal", "Permiso de protección temporal"]),
        DocumentType("PTP", "Permiso Temporal de Permanencia", "ptp", .foreigner,
                     spellings: ["Permiso temporal de permanencia", "CPP", "Carné de permiso temporal de permanencia"]),
        DocumentType("PEP", "Permiso Especial de Permanencia", "pep", .foreigner, countries: ["CO"],
                     spellings: ["Permiso especial de permanencia"]),
        DocumentType("NIT", "Número de Identificación Tributaria", "tax_id", .company, countries: ["CO"],
                     spellings: ["N.I.T."]),
        DocumentType("RUT", "Registro Único Tributario", "tax_id", .company, countries: ["CO"]),
        DocumentType("RUT", "Rol Único Tributario", "national_id", .national, countries: ["CL"],
                     spellings: ["R.U.T."]),
        DocumentType("RUN", "Rol Único Nacional", "national_id", .national, countries: ["CL"], spellings: ["R.U.N."]),
        DocumentType("CI", "Cédula de identidad", "national_id", .national, countries: ["CL", "CR"],
                     spellings: ["C.I.", "Cédula de identidad", "Cedula identidad", "Cédula"]),
        DocumentType("DIMEX", "Documento de Identidad Migratorio para Extranjeros", "foreign_id", .foreigner,
                     countries: ["CR"], spellings: ["Cédula de residencia"]),
        DocumentType("DNI", "Documento Nacional de Identidad", "national_id", .national, countries: ["PE"],
                     spellings: ["D.N.I."]),
        DocumentType("RUC", "Registro Único de Contribuyentes", "tax_id", .company, countries: ["PE"],
                     spellings: ["R.U.C."]),
        DocumentType("CPF", "Cadastro de Pessoas Físicas", "national_id", .national, countries: ["BR"],
                     spellings: ["C.P.F."]),
        DocumentType("CNPJ", "Cadastro Nacional da Pessoa Jurídica", "tax_id", .company, countries: ["BR"],
                     spellings: ["C.N.P.J."]),
        DocumentType("RG", "Registro Geral", "state_id", .national, countries: ["BR"],
                     spellings: ["R.G.", "Registro geral", "Carteira de identidade"]),
        DocumentType("RNE", "Registro Nacional de Estrangeiros", "foreign_id", .foreigner, countries: ["BR"],
                     spellings: ["RNM", "CRNM"]),
        DocumentType("CURP", "Clave Única de Registro de Población", "national_id", .national, countries: ["MX"]),
        DocumentType("RFC", "Registro Federal de Contribuyentes", "tax_id", .company, countries: ["MX"]),
    ]

    /// The meaning of `text` in `country` (nil when unknown; `country` nil accepts any country's meaning
    /// when only one exists).
    public static func lookup(_ text: String, country: String?) -> DocumentType? {
        let key = HeaderText.normalise(text)
        guard let matches = byKey[key] else { return nil }
        if let country = country?.uppercased() {
            return matches.first { $0.countries?.contains(country) ?? true }
                ?? matches.first { $0.countries == nil }
        }
        let meanings = Set(matches.map { "\($0.input)/\($0.holder)" })
        return meanings.count == 1 ? matches.first : nil
    }

    /// Normalised code or spelling → the types it may mean, in ``all``'s order (built once: lookups run per row).
    private static let byKey: [String: [DocumentType]] = {
        var table: [String: [DocumentType]] = [:]
        for type in all {
            for key in Set(([type.code] + type.spellings).map(HeaderText.normalise)) { table[key, default: []].append(type) }
        }
        return table
    }()

    /// The codes valid in `country`, for dropdowns and messages.
    public static func codes(for country: String?) -> [String] {
        var seen = Set<String>()
        return all.filter { type in
            guard let country else { return true }
            return type.countries?.contains(country.uppercased()) ?? true
        }.compactMap { seen.insert($0.code).inserted ? $0.code : nil }
    }
}
