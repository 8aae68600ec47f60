/// The header texts each mapping target is known by, in Spanish, Portuguese and English.
///
/// Targets are Truora input names, Trulioo roles, and parts of composite inputs:
/// `document_type` and `document_number` (a type column routing one number column),
/// `date_of_birth.day|month|year`, `last_name.1|2` (two surname columns joined) and
/// `national_id.dv` (a Chilean RUT split into a number and a check-digit column).
public enum HeaderAliases {
    /// Targets that are parts of another input, with the input they make up.
    public static let parts: [String: String] = [
        "date_of_birth.day": "date_of_birth", "date_of_birth.month": "date_of_birth",
        "date_of_birth.year": "date_of_birth", "last_name.1": "last_name", "last_name.2": "last_name",
        "national_id.dv": "national_id", "document_type": "national_id", "document_number": "national_id",
    ]

    /// Truora targets that are not sent with the check: a row's own continuous-check frequency and
    /// end date (`--continuous` for that row).
    public static let followUps: Set<String> = ["frequency", "end_date"]

    /// Concept → aliases. Concept names are Truora's where Truora has the input; ``truliooRole(for:)``
    /// translates them for Trulioo.
    static let table: [(target: String, aliases: [String])] = [
        ("document_type", ["tipo de documento", "tipo documento", "tipo doc", "TIPO_DOC", "tp doc", "tipo de identificación",
                           "tipo identificacion", "tipo id", "tipo do documento", "document type", "doc type", "id type",
                           "clase de documento"]),
        ("document_number", ["documento", "número de documento", "No. documento", "Nro. documento", "N° documento",
                             "NRO_DOC", "NUM_DOC", "NUMERO_DOCUMENTO", "doc", "número do documento", "document number",
                             "document", "id number", "identificación", "número de identificación", "identificacion nro",
                             "documento de identidad", "documento identidad", "nro identificacion", "documento de identidade"]),
        ("national_id", ["national_id", "cédula", "cedula de ciudadania", "CC", "C.C.", "cedula de identidad", "CI",
                         "RUT", "RUN", "RUT/RUN", "RUN/RUT", "CPF", "CURP", "DNI", "id nacional", "national id",
                         "NationalID", "national_id_nr", "numero cpf", "numero de cedula", "cedula ciudadania",
                         "documento nacional de identidad", "documento nacional de identidade"]),
        ("national_id.dv", ["DV", "D.V.", "dígito verificador", "digito de verificacion", "dig verif", "dv rut"]),
        ("foreign_id", ["foreign_id", "cédula de extranjería", "CE", "carné de extranjería", "carnet de extranjeria",
                        "foreign id", "RNE", "RNM", "DIMEX", "documento de extranjero", "documento de estrangeiro",
                        "documento de extranjería"]),
        ("passport", ["passport", "pasaporte", "passaporte", "PassportNumber", "numero de pasaporte"]),
        ("ptp", ["ptp", "PPT", "permiso por proteccion temporal", "permiso temporal de permanencia"]),
        ("pep", ["pep", "permiso especial de permanencia"]),
        ("tax_id", ["tax_id", "NIT", "CNPJ", "RFC", "RUC", "tax id", "identificación tributaria", "numero tributario",
                    "NIT empresa", "CNPJ da empresa", "identificação fiscal",
                    "número de identificação fiscal"]),
        ("state_id", ["state_id", "RG", "registro geral", "carteira de identidade"]),
        ("first_name", ["first_name", "nombre", "nombres", "primer nombre", "nome", "prenome", "first name",
                        "given name", "FirstGivenName"]),
        ("middle_name", ["middle_name", "segundo nombre", "middle name", "MiddleName", "nome do meio"]),
        ("last_name", ["last_name", "apellido", "apellidos", "sobrenome", "sobrenomes", "last name", "surname",
                       "FirstSurName", "apelido"]),
        ("last_name.1", ["primer apellido", "apellido paterno", "1er apellido"]),
        ("last_name.2", ["segundo apellido", "apellido materno", "2do apellido"]),
        ("name", ["name", "nombre completo", "nome completo", "full name", "nombres y apellidos", "nombre y apellido",
                  "nombre y apellidos"]),
        ("company_name", ["company_name", "razón social", "razão social", "empresa", "company name", "company",
                          "nombre de la empresa", "nome da empresa"]),
        ("date_of_birth", ["date_of_birth", "fecha de nacimiento", "F. Nac.", "FECHA_NAC", "fec nac", "fecha nac",
                           "fecha nacimiento", "nacimiento", "data de nascimento", "DT_NASCIMENTO", "dt nasc",
                           "data nasc", "data nascimento", "date of birth", "dob", "birth date", "birthdate",
                           "DateOfBirth", "fec_nacimiento"]),
        ("date_of_birth.day", ["día de nacimiento", "dia nacimiento", "dia nac", "DayOfBirth", "dia de nascimento",
                               "dia nasc"]),
        ("date_of_birth.month", ["mes de nacimiento", "mes nacimiento", "mes nac", "MonthOfBirth", "mes de nascimento",
                                 "mes nasc"]),
        ("date_of_birth.year", ["año de nacimiento", "ano nacimiento", "año nac", "YearOfBirth", "ano de nascimento",
                                "ano nasc"]),
        ("issue_date", ["issue_date", "fecha de expedición", "fecha expedicion", "fecha de expedicion del documento",
                        "FECHA_EXP", "fecha exp", "fecha de emisión", "data de emissão", "data emissao", "issue date",
                        "date of issue"]),
        ("phone_number", ["phone_number", "teléfono", "celular", "móvil", "telefono celular", "número de celular",
                          "numero de telefono", "whatsapp", "telefone", "fone", "celular whatsapp", "phone",
                          "phone number", "mobile", "MobileNumber", "Telephone", "tel", "cel"]),
        ("email", ["email", "correo", "correo electrónico", "e-mail", "mail", "EmailAddress", "correo electronico personal"]),
        ("license_plate", ["license_plate", "placa", "placas", "patente", "placa del vehículo", "placa vehiculo",
                           "license plate", "plate", "placa do veículo"]),
        ("vehicle_id", ["vehicle_id", "NIV", "VIN", "número de serie del vehículo", "número de série do veículo",
                        "chassi", "vehicle id"]),
        ("driver_license", ["driver_license", "licencia de conducir", "licencia de conducción", "número de licencia",
                            "CNH", "driver license", "DriverLicenceNumber", "licencia"]),
        ("owner_document_type", ["owner_document_type", "tipo de documento del propietario",
                                 "tipo documento propietario", "tipo de documento do proprietário",
                                 "owner document type"]),
        ("owner_document_id", ["owner_document_id", "documento del propietario", "documento propietario",
                               "cédula del propietario", "documento do proprietário", "owner document id",
                               "owner id"]),
        ("region", ["region", "UF", "região", "estado UF"]),
        ("country", ["country", "país", "pais del documento", "país de emisión", "CountryCode", "address_country",
                     "country of residence", "país de residencia", "país de residência"]),
        ("native_country", ["native_country", "país de nacimiento", "nacionalidad", "país de origen", "native country",
                            "nationality", "país de nascimento", "nacionalidade"]),
        ("native_national_id", ["native_national_id", "documento del país de origen", "id país de origen"]),
        ("type", ["type", "tipo de chequeo", "tipo de consulta", "tipo de verificación", "check type",
                  "tipo de búsqueda", "tipo de verificação"]),
        ("user_authorized", ["user_authorized", "autorización", "autorizo", "autorizado", "consentimiento",
                             "autorización tratamiento de datos", "acepta tratamiento de datos",
                             "autoriza tratamiento de datos", "autoriza", "acepta", "autoriza consulta", "habeas data",
                             "consentimento", "autorização", "user authorized", "consent"]),
        ("issue_number", ["issue_number", "número de serie", "numero de serie cedula", "issue number", "n serie"]),
        ("verification_code", ["verification_code", "código de verificación", "verification code"]),
        ("birth_certificate", ["birth_certificate", "acta de nacimiento", "registro civil de nacimiento",
                               "certidão de nascimento", "birth certificate"]),
        ("professional_card", ["professional_card", "tarjeta profesional", "professional card"]),
        ("diplomatic_id", ["diplomatic_id", "carné diplomático", "diplomatic id"]),
        ("certificate_folio", ["certificate_folio", "folio", "folio certificado"]),
        ("payment_date", ["payment_date", "fecha de pago", "payment date"]),
        ("imei", ["imei"]),
        ("escrow", ["escrow"]),
        ("report_id", ["report_id", "report id"]),
        ("watch", ["watch", "frecuencia de monitoreo"]),
        ("frequency", ["frequency", "frecuencia", "frequência", "periodicidad", "periodicidade",
                       "frecuencia del chequeo continuo", "continuous frequency"]),
        ("end_date", ["end_date", "fecha fin", "fecha de fin", "fecha final", "fecha de término", "hasta",
                      "data final", "data de término", "data fim", "end date", "until"]),
        ("force_creation", ["force_creation"]),
        ("address_1", ["address_1", "dirección", "direccion de residencia", "endereço", "address", "domicilio",
                       "address 1", "Address1", "StreetName"]),
        ("address_city", ["address_city", "ciudad", "cidade", "municipio", "city", "ciudad de residencia"]),
        ("address_state", ["address_state", "estado", "provincia", "departamento", "state", "StateProvinceCode"]),
        ("address_zip", ["address_zip", "código postal", "CEP", "postal code", "zip", "PostalCode", "ZipPostalCode"]),
        ("social_service_number", ["social_service_number", "SSN", "social service number", "SocialService",
                                   "número de seguridad social", "seguridad social", "número da previdência social",
                                   "previdência social", "NIS", "PIS"]),
        ("account_id", ["account_id", "account id", "id de cuenta", "id cuenta", "id de la cuenta", "cuenta truora",
                        "id da conta", "conta truora", "truora account"]),
        ("external_customer_id", ["external_customer_id", "id cliente", "id externo", "referencia", "external id",
                                  "CustomerReferenceID", "client_reference_id", "código de cliente", "customer id"]),
    ]

    /// Whether a target holds an identity-document number (checked as an ID, written as text).
    public static func holdsIdentifier(_ target: String) -> Bool {
        TruoraInput.named(target)?.isIdentifier == true || TruliooField.named(target)?.isIdentifier == true
            || target == "document_number" || target == "national_id.dv"
    }

    /// Concepts Trulioo calls differently.
    private static let truliooNames: [String: String] = [
        "date_of_birth": "dob", "date_of_birth.day": "dob.day", "date_of_birth.month": "dob.month",
        "date_of_birth.year": "dob.year", "national_id": "national_id_nr", "document_number": "national_id_nr",
        "phone_number": "phone", "country": "address_country", "region": "address_state",
    ]

    /// The target a provider knows `concept` as, or nil when the provider has no such input.
    public static func target(for concept: String, provider: Provider) -> String? {
        switch provider {
        case .truoraChecks, .truoraBatch:
            if TruoraInput.named(concept) != nil || parts[concept] != nil || followUps.contains(concept) {
                return concept
            }
            return nil
        case .trulioo:
            if let renamed = truliooNames[concept] { return renamed }
            if concept == "last_name.1" || concept == "last_name.2" { return concept }
            return TruliooField.named(concept) != nil ? concept : nil
        case .truoraDI, .truoraWhatsApp:
            // The person's own reference is the natural account id.
            if concept == "external_customer_id" { return "account_id" }
            return provider.accepts(concept) ? concept : nil
        }
    }

    /// Whether `target` is a valid mapping target for `provider` (an input or a composite part).
    public static func isTarget(_ target: String, provider: Provider) -> Bool {
        if provider.accepts(target) { return true }
        switch provider {
        case .truoraChecks, .truoraBatch: return parts[target] != nil || followUps.contains(target)
        case .trulioo: return ["dob.day", "dob.month", "dob.year", "last_name.1", "last_name.2"].contains(target)
        case .truoraDI, .truoraWhatsApp: return false
        }
    }

    /// Exact alias (trimmed, case-insensitive) → concept.
    static let byExactAlias: [String: String] = {
        var result: [String: String] = [:]
        for (target, aliases) in table {
            for alias in aliases + [target] where result[alias.lowercased()] == nil {
                result[alias.lowercased()] = target
            }
        }
        return result
    }()
}
