@testable import CheckInputs
import Testing

/// Mapping on headers as people write them.
@Suite("Column mapping")
struct ColumnMapperTests {
    func map(_ header: [String], provider: Provider = .truoraChecks, bindings: [ColumnBinding] = []) throws -> ColumnMapping {
        try ColumnMapper(provider: provider, bindings: bindings).map(header: header)
    }

    @Test("header normalisation drops marks, notes, accents and footnotes", arguments: [
        ("N° de Documento (obligatorio)*", "n de documento"),
        ("  Fecha de Nacimiento: ", "fecha de nacimiento"),
        ("NRO_DOC", "nro doc"),
        ("C.C.", "cc"),
        ("Teléfono 10/", "telefono"),
        ("Razão Social [1]", "razao social"),
        ("F. Nac.", "f nac"),
    ])
    func normalise(raw: String, expected: String) {
        #expect(HeaderText.normalise(raw) == expected)
    }

    @Test("a Colombian onboarding sheet")
    func colombian() throws {
        let mapping = try map(["Tipo de documento*", "No. Documento", "Nombres", "Primer apellido", "Segundo apellido",
                               "F. Nac.", "Celular", "Autorización tratamiento de datos", "Observaciones"])
        #expect(mapping.matches.map(\.input) == ["document_type", "document_number", "first_name", "last_name.1",
                                                 "last_name.2", "date_of_birth", "phone_number", "user_authorized"])
        #expect(mapping.matches.map(\.how) == [.normalised] + Array(repeating: .alias, count: 7))
        #expect(mapping.unmapped.map(\.column) == ["Observaciones"])
    }

    @Test("Brazilian and Mexican abbreviations", arguments: [
        (["CPF", "Nome", "Sobrenome", "DT_NASCIMENTO", "UF"], ["national_id", "first_name", "last_name", "date_of_birth", "region"]),
        (["CURP", "RFC", "Apellido paterno", "Apellido materno", "Placas"],
         ["national_id", "tax_id", "last_name.1", "last_name.2", "license_plate"]),
        (["NIT", "Razón social", "Teléfono"], ["tax_id", "company_name", "phone_number"]),
        (["Cédula del colaborador", "Número de celular del empleado"], ["national_id", "phone_number"]),
    ])
    func abbreviations(header: [String], inputs: [String]) throws {
        #expect(try map(header).matches.map(\.input) == inputs)
    }

    @Test("headers naming someone or something else are never mapped loosely", arguments: [
        "Nombre de la madre", "Teléfono de emergencia", "Celular contacto de emergencia", "Cédula del cónyuge",
        "Código postal", "Documento del acudiente", "Nome da mãe",
    ])
    func otherPeople(header: String) throws {
        let mapping = try map([header])
        #expect(mapping.matches.isEmpty, "\(header) → \(mapping.matches.map(\.input))")
    }

    @Test("a check-digit column alone is not an ID; beside a RUT it completes it")
    func checkDigit() throws {
        let alone = try map(["DV", "Nombre"])
        #expect(!alone.has("national_id.dv") && !alone.has("national_id"))
        #expect(alone.unmapped.first?.reason?.contains("check-digit") == true)
        let split = try map(["RUT", "DV", "Nombre"])
        #expect(split.matches.map(\.input) == ["national_id", "national_id.dv", "first_name"])
    }

    @Test("a document number without a type column is the national ID")
    func numberWithoutType() throws {
        #expect(try map(["Número de documento", "Nombre"]).matches.first?.input == "national_id")
    }

    @Test("day, month and year columns compose a date only together")
    func dateParts() throws {
        #expect(try map(["Día de nacimiento", "Mes de nacimiento", "Año de nacimiento"]).matches.map(\.input)
                == ["date_of_birth.day", "date_of_birth.month", "date_of_birth.year"])
        let partial = try map(["Día de nacimiento", "Mes de nacimiento"])
        #expect(partial.matches.isEmpty)
    }

    @Test("explicit bindings win, by header, letter or number")
    func explicit() throws {
        let mapping = try map(["Identificador", "Cliente", "X"], bindings: [
            ColumnBinding(column: ColumnReference("Identificador"), target: "national_id"),
            ColumnBinding(column: ColumnReference("B"), target: "first_name"),
            ColumnBinding(column: ColumnReference("3"), target: "-"),
        ])
        #expect(mapping.matches.map(\.input) == ["national_id", "first_name"])
        #expect(mapping.matches.allSatisfy { $0.how == .explicit })
        #expect(mapping.unmapped.first?.reason == "ignored by the mapping")
    }

    @Test("an explicit binding to an unknown input or column is an error with a suggestion")
    func explicitErrors() {
        #expect(throws: ColumnMapper.Problem.self) {
            try map(["A"], bindings: [ColumnBinding(column: ColumnReference("Nope"), target: "national_id")])
        }
        do {
            _ = try map(["Doc"], bindings: [ColumnBinding(column: ColumnReference("Doc"), target: "nationl_id")])
            Issue.record("no error")
        } catch let problem as ColumnMapper.Problem {
            #expect(problem.message.contains("did you mean national_id"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Trulioo takes roles and GlobalGateway names")
    func trulioo() throws {
        let mapping = try map(["FirstGivenName", "FirstSurName", "DateOfBirth", "NationalID", "EmailAddress",
                               "MobileNumber", "País", "CustomerReferenceID"], provider: .trulioo)
        #expect(mapping.matches.map(\.input) == ["first_name", "last_name", "dob", "national_id_nr", "email", "phone",
                                                 "address_country", "external_customer_id"])
    }

    @Test("idbatch_ columns from an earlier error file are ignored")
    func idbatchColumns() throws {
        let mapping = try map(["Cédula", "idbatch_error_code", "idbatch_error_message"])
        #expect(mapping.matches.map(\.input) == ["national_id"])
        #expect(mapping.unmapped.isEmpty)
    }
}

@Suite("Document types")
struct DocumentTypeTests {
    @Test("spellings and country meanings", arguments: [
        ("C.C.", "CO", "national_id"), ("Cédula de extranjería", "CO", "foreign_id"), ("PPT", "CO", "ptp"),
        ("Pasaporte", "PE", "passport"), ("RUT", "CL", "national_id"), ("RUT", "CO", "tax_id"), ("nit", "CO", "tax_id"),
        ("CPF", "BR", "national_id"), ("Cédula", "CL", "national_id"), ("DNI", "PE", "national_id"),
    ])
    func lookup(text: String, country: String, input: String) throws {
        #expect(try #require(DocumentType.lookup(text, country: country)).input == input)
    }

    @Test("an unknown code is nil")
    func unknown() {
        #expect(DocumentType.lookup("XX", country: "CO") == nil)
        #expect(DocumentType.lookup("", country: nil) == nil)
    }
}

/// Headers as people write them, mapped by rules on their words, never onto a wrong input.
@Suite("headers as people really write them")
struct HeaderRuleTests {
    func explain(_ header: String) -> ColumnMapper.Explanation { ColumnMapper.explain(header) }

    @Test("abbreviations, ordinals, qualifiers, parties and one-letter typos map, and say how", arguments: [
        ("AP_MATERNO", "last_name.2"), ("AP_PATERNO", "last_name.1"), ("NUM_DOC", "document_number"),
        ("TIPO_DOC_IDENT", "document_type"), ("Tel", "phone_number"), ("Fono", "phone_number"),
        ("Cel", "phone_number"), ("FEC_NAC", "date_of_birth"), ("2do Apellido", "last_name.2"),
        ("1º Nombre", "first_name"), ("1er Nombre", "first_name"), ("Nº documento del cliente", "document_number"),
        ("RUT empresa contratante", "tax_id"), ("Celular de contacto", "phone_number"),
        ("Razón social del proveedor", "company_name"), ("NIT de la empresa", "tax_id"),
        ("Nombre de la empresa", "company_name"), ("Fecha de nacimeinto", "date_of_birth"),
        ("Apelidos", "last_name"), ("Correo electronicp", "email"), ("Cedula ", "national_id"),
        ("Número de documento de identidad", "document_number"),
    ])
    func mapped(header: String, concept: String) {
        guard case .mapped(let found, let how) = explain(header) else {
            Issue.record("'\(header)' is not mapped: \(explain(header))")
            return
        }
        #expect(found == concept, "'\(header)' → \(found) (\(how.rawValue))")
    }

    @Test("someone else's field, a second one, or a typo between two inputs stays unmapped", arguments: [
        "Teléfono de la madre", "Teléfono 2", "Celular de emergencia", "Teléfono de la empresa", "Código postal del cliente",
        "Observaciones", "Estado civil", "Sexo",
    ])
    func unmapped(header: String) {
        if case .mapped(let concept, let how) = explain(header), !(header == "Código postal del cliente" && concept == "address_zip") {
            Issue.record("'\(header)' maps to \(concept) (\(how.rawValue))")
        }
    }

    @Test("a second phone and a company's phone say why they are left out")
    func hints() throws {
        let mapping = try ColumnMapper(provider: .truoraChecks).map(header: ["Cédula", "Teléfono", "Teléfono 2",
                                                                              "Teléfono de la empresa"])
        #expect(mapping.matches.map(\.input) == ["national_id", "phone_number"])
        #expect(mapping.unmapped.map(\.reason) == ["a second phone_number column (number 2); map it with --map if it is the one to send",
                                                   "it names the company's phone_number, not the person's"])
        let typo = try ColumnMapper(provider: .truoraChecks).map(header: ["Fecha de nacimeinto"])
        #expect(typo.matches.first?.how == .corrected)
        #expect(try ColumnMapper(provider: .truoraChecks).map(header: ["AP_MATERNO", "AP_PATERNO"]).matches.allSatisfy { $0.how == .rules })
    }
}
