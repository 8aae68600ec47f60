import CheckInputs
import Spreadsheet
import Testing

/// Row validation against the requirement table, the ID rules, dates, phones, consent and duplicates.
@Suite("Row validation")
struct RowValidatorTests {
    func validator(_ header: [String], country: String? = "CO", consent: Bool = true, provider: Provider = .truoraChecks,
                   evidence: [Int: DateOrder.Evidence] = [:]) throws -> RowValidator {
        var settings = CheckSettings(provider: provider)
        settings.country = country
        if consent { settings.consent = ConsentAttestation(attestedBy: "Compliance") }
        let mapping = try ColumnMapper(provider: provider).map(header: header)
        return RowValidator(settings: settings, mapping: mapping, dateEvidence: evidence)
    }

    func row(_ number: Int, _ cells: [Cell]) -> Row { Row(number: number, cells: cells) }
    func text(_ values: String...) -> [Cell] { values.map { Cell(text: $0, type: $0.isEmpty ? .empty : .text) } }

    @Test("a valid Colombian row becomes Truora inputs")
    func valid() throws {
        var validator = try validator(["Tipo de documento", "Número de documento", "Fecha de nacimiento", "Celular"])
        let outcome = validator.validate(row(2, text("C.C.", "1.020.304.050", "14/07/1990", "+57 300 123 4567")))
        #expect(outcome.isValid, "\(outcome.issues)")
        #expect(outcome.kind == .personNational)
        #expect(outcome.inputs.map(\.name) == ["type", "country", "date_of_birth", "national_id", "phone_number",
                                               "user_authorized"])
        #expect(outcome.value("national_id") == "1020304050")
        #expect(outcome.value("date_of_birth") == "1990-07-14")
        #expect(outcome.value("phone_number") == "+573001234567")
    }

    @Test("a custom type: the account's list decides, and it needs the inputs of a person check")
    func customTypes() throws {
        func validate(_ type: String, known: [String: Set<String>]?, _ cells: [Cell]) throws -> RowOutcome {
            var settings = CheckSettings(provider: .truoraChecks)
            settings.country = "CO"
            settings.consent = ConsentAttestation(attestedBy: "Compliance")
            settings.customTypes = known
            let mapping = try ColumnMapper(provider: .truoraChecks).map(header: ["Tipo de chequeo", "Cédula", "Nombre"])
            var validator = RowValidator(settings: settings, mapping: mapping, dateEvidence: [:])
            return validator.validate(row(2, text(type, cells[0].text, cells[1].text)))
        }
        let known: [String: Set<String>] = ["CO": ["identity-alert"], "MX": ["beat"]]
        let ok = try validate("identity-alert", known: known, text("1020304050", "Ana"))
        #expect(ok.isValid && ok.value("type") == "identity-alert" && ok.kind == .personNational)
        let unknown = try validate("beat", known: known, text("1020304050", "Ana"))
        #expect(unknown.errors.map(\.code) == ["value_not_allowed"])
        #expect(unknown.errors[0].text(.en).contains("(identity-alert)"))
        // Without the account's list any name is taken, but never without the inputs it needs.
        #expect(try validate("beat", known: nil, text("1020304050", "Ana")).isValid)
        #expect(try validate("identity-alert", known: known, text("", "Ana")).errors.map(\.code) == ["input_missing"])
    }

    @Test("a foreigner's document picks the foreigner requirements")
    func foreigner() throws {
        var validator = try validator(["Tipo doc", "Documento", "Fecha de nacimiento"])
        let outcome = validator.validate(row(2, text("CE", "345678", "1978-11-02")))
        #expect(outcome.kind == .personForeigner)
        #expect(outcome.errors.map(\.code) == ["input_missing"])
        #expect(outcome.errors.first?.column == "issue_date")
        #expect(outcome.value("foreign_id") == "345678")
    }

    @Test("unknown document type names the code and lists the known ones")
    func unknownType() throws {
        var validator = try validator(["Tipo de documento", "Número de documento"])
        let outcome = validator.validate(row(2, text("XX", "123")))
        #expect(outcome.errors.map(\.code) == ["document_type_unknown"])
        #expect(outcome.errors[0].text(.en).contains("'XX'") && outcome.errors[0].text(.en).contains("CC, CE"))
    }

    @Test("a check Truora does not offer", arguments: [("BR", "RNE")])
    func notOffered(country: String, code: String) throws {
        var validator = try validator(["Tipo de documento", "Número de documento"], country: country)
        #expect(validator.validate(row(2, text(code, "123456"))).errors.map(\.code) == ["check_not_offered"])
    }

    @Test("consent: a column saying no, no column and no attestation, an attestation")
    func consent() throws {
        var withColumn = try validator(["Cédula", "Autoriza"], consent: false)
        #expect(withColumn.validate(row(2, text("1020304050", "No"))).errors.map(\.code) == ["consent_refused"])
        #expect(withColumn.validate(row(3, text("1020304051", "Sí"))).isValid)
        #expect(withColumn.validate(row(4, text("1020304052", ""))).errors.map(\.code) == ["consent_missing"])
        var attested = try validator(["Cédula"], consent: true)
        #expect(attested.validate(row(2, text("1020304050"))).value("user_authorized") == "true")
    }

    @Test("a second row with the same ID is a duplicate naming the first")
    func duplicates() throws {
        var validator = try validator(["Cédula"])
        #expect(validator.validate(row(2, text("1.020.304.050"))).isValid)
        let second = validator.validate(row(7, text("1020304050")))
        #expect(second.errors.map(\.code) == ["duplicate_row"])
        #expect(second.errors[0].text(.en).contains("row 2"))
        #expect(!second.errors[0].text(.en).contains("1020304050"))
    }

    @Test("IDs: lost leading zeros flagged, check digits, precision lost")
    func ids() throws {
        var brazil = try validator(["CPF", "Data de nascimento", "UF"], country: "BR")
        let zeros = brazil.validate(row(2, [Cell(text: "6789012345", type: .number), Cell(text: "1969-10-03", type: .date),
                                            Cell(text: "MG", type: .text)]))
        #expect(zeros.errors.map(\.code) == ["id_leading_zeros_lost"])
        let check = brazil.validate(row(3, text("231.002.999-00", "1990-04-22", "BA")))
        #expect(check.errors.map(\.code) == ["id_check_digit"])
        var colombia = try validator(["Cédula"])
        let lost = colombia.validate(row(2, [Cell(text: "1234567890123460000", type: .number, precisionLost: true)]))
        #expect(lost.errors.map(\.code) == ["id_precision_lost"])
    }

    @Test("a Mexican RFC with a wrong check digit is a warning, the row stays valid")
    func rfcWarning() throws {
        var validator = try validator(["RFC"], country: "MX")
        let outcome = validator.validate(row(2, text("GODE561231GR9")))
        #expect(outcome.isValid)
        #expect(outcome.issues.map(\.code) == ["id_check_digit"])
        #expect(outcome.value("tax_id") == "GODE561231GR9")
    }

    @Test("dates: the column decides day or month first; mixed columns are refused")
    func dates() throws {
        var dayFirst = DateOrder.Evidence()
        dayFirst.record("25/12/1990")
        var first = try validator(["Cédula", "Fecha de nacimiento"], evidence: [1: dayFirst])
        #expect(first.validate(row(2, text("1020304050", "03/04/1990"))).value("date_of_birth") == "1990-04-03")
        var monthFirst = DateOrder.Evidence()
        monthFirst.record("12/25/1990")
        var second = try validator(["Cédula", "Fecha de nacimiento"], evidence: [1: monthFirst])
        #expect(second.validate(row(2, text("1020304050", "03/04/1990"))).value("date_of_birth") == "1990-03-04")
        var mixed = dayFirst
        mixed.record("12/25/1990")
        var third = try validator(["Cédula", "Fecha de nacimiento"], evidence: [1: mixed])
        #expect(third.validate(row(2, text("1020304050", "03/04/1990"))).errors.map(\.code) == ["date_order_mixed"])
        #expect(third.validate(row(3, text("1020304051", "1990-04-03"))).isValid)
    }

    @Test("date text forms", arguments: [
        ("1990-04-12", "1990-04-12"), ("12/04/1990", "1990-04-12"), ("12-abr-1990", "1990-04-12"),
        ("12 de abril de 1990", "1990-04-12"), ("19900412", "1990-04-12"), ("1990-04-12T00:00:00", "1990-04-12"),
    ])
    func dateForms(text: String, iso: String) throws {
        #expect(try DateText.parse(text, type: .text, order: .dayFirst).get() == iso)
    }

    @Test("Excel serials in a general-format column; impossible dates", arguments: [
        ("45292", CellType.number, "2024-01-01"), ("31/02/1980", .text, nil), ("12/04/90", .text, nil), ("60", .number, nil),
    ] as [(String, CellType, String?)])
    func serials(text: String, type: CellType, iso: String?) {
        let result = try? DateText.parse(text, type: type, order: .dayFirst).get()
        #expect(result == iso)
    }

    @Test("Trulioo: roles, country from a name, email and phone checked")
    func trulioo() throws {
        var validator = try validator(["Nombre", "Apellido", "Fecha de nacimiento", "País", "Cédula", "Correo", "Celular"],
                                      country: nil, consent: false, provider: .trulioo)
        let ok = validator.validate(row(2, text("Ana", "Pérez", "14/07/1990", "Colombia", "1020304050", "a@b.co",
                                                "+57 300 1234567")))
        #expect(ok.isValid, "\(ok.issues)")
        #expect(ok.value("address_country") == "CO" && ok.value("dob") == "1990-07-14")
        #expect(ok.value("national_id_nr") == "1020304050")
        let bad = validator.validate(row(3, text("Ana", "Pérez", "", "CO", "", "not-an-email", "12")))
        #expect(bad.errors.map(\.code) == ["email_invalid", "phone_invalid"])
    }

    @Test("a Chilean RUT split over a number and a DV column")
    func rutAndDV() throws {
        var validator = try validator(["RUT", "DV"], country: "CL")
        #expect(validator.validate(row(2, text("12.531.909", "2"))).value("national_id") == "125319092")
        #expect(validator.validate(row(3, text("12.531.909", "3"))).errors.map(\.code) == ["id_check_digit"])
    }
}
