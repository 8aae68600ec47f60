import CheckInputs
import Spreadsheet
import Testing

/// Rows for truora-di and truora-whatsapp: what the mapper finds, how phones get their calling
/// code, account ids, document types, consent and the message's variables.
@Suite("Digital Identity and WhatsApp rows")
struct IdentityInputTests {
    func validator(_ header: [String], provider: Provider, country: String? = "CO", consent: Bool = false)
        throws -> (RowValidator, ColumnMapping)
    {
        var settings = CheckSettings(provider: provider)
        settings.country = country
        if consent { settings.consent = ConsentAttestation(attestedBy: "Compliance") }
        let mapping = try ColumnMapper(provider: provider).map(header: header)
        return (RowValidator(settings: settings, mapping: mapping, dateEvidence: [:]), mapping)
    }

    func row(_ values: String...) -> Row {
        Row(number: 2, cells: values.map { Cell(text: $0, type: $0.isEmpty ? .empty : .text) })
    }

    @Test("headers people write map to the inputs; the person's own reference becomes the account id")
    func mapping() throws {
        let (_, di) = try validator(["Nombre", "Celular", "Correo electrónico", "Tipo de documento", "Código de cliente",
                                     "Número de documento"], provider: .truoraDI)
        #expect(di.matches.map(\.input) == ["phone_number", "email", "document_type", "account_id"])
        #expect(di.unmapped.map(\.column) == ["Nombre", "Número de documento"])
        let (_, whatsapp) = try validator(["Teléfono", "{{.name}}", "var.empresa", "{{ .ciudad }}", "Autoriza", "ID de cuenta"],
                                          provider: .truoraWhatsApp)
        #expect(whatsapp.matches.map(\.input) == ["phone_number", "var.name", "var.empresa", "var.ciudad",
                                                  "user_authorized", "account_id"])
        // Only WhatsApp has variables; a link has no message.
        let (_, link) = try validator(["Celular", "{{.name}}"], provider: .truoraDI)
        #expect(link.matches.map(\.input) == ["phone_number"])
    }

    @Test("phones get the country's calling code; one without + or country is named")
    func phones() throws {
        var (co, _) = try validator(["Celular"], provider: .truoraDI)
        #expect(co.validate(row("300 123 4567")).value("phone_number") == "+573001234567")
        #expect(co.validate(row("+55 11 91234-5678")).value("phone_number") == "+5511912345678")
        #expect(co.validate(row("573001234567")).value("phone_number") == "+573001234567")
        #expect(co.validate(row("12")).issues.first?.code == "phone_invalid")
        var (none, _) = try validator(["Celular", "País"], provider: .truoraWhatsApp, country: nil, consent: true)
        let outcome = none.validate(row("3001234567", ""))
        #expect(outcome.issues.first?.code == "phone_invalid")
        #expect(outcome.issues.first?.message.text(.en).contains("no + and country code") == true)
        #expect(none.validate(row("3001234567", "Costa Rica")).value("phone_number") == "+5063001234567")
        #expect(CallingCode.split("+50688123456", country: nil)! == ("+506", "88123456"))
    }

    @Test("account ids follow Truora's rule; document types take people's spellings; the flow's country")
    func values() throws {
        var (v, _) = try validator(["ID de cuenta", "Tipo de documento", "País"], provider: .truoraDI)
        let good = v.validate(row("cliente_01.a-b", "Cédula", "ar"))
        #expect(good.isValid, "\(good.issues)")
        #expect(good.value("document_type") == "national-id" && good.value("country") == "AR")
        #expect(v.validate(row("con espacio", "", "")).issues.first?.code == "account_id_invalid")
        #expect(v.validate(row("", "Pasaporte", "")).value("document_type") == "passport")
        #expect(v.validate(row("", "PPT", "")).value("document_type") == "foreign-id")
        #expect(v.validate(row("", "NIT", "")).issues.first?.code == "value_not_allowed")
        #expect(v.validate(row("", "", "US")).issues.first?.code == "value_not_allowed")
        // A link needs nothing from the row but the country (here the settings').
        #expect(v.validate(row("", "", "")).isValid)
        var (noCountry, _) = try validator(["Celular"], provider: .truoraDI, country: nil)
        #expect(noCountry.validate(row("+573001234567")).issues.first?.code == "input_missing")
    }

    @Test("WhatsApp: a phone and consent are required; variables are sent as typed; duplicates are caught")
    func whatsApp() throws {
        var (v, _) = try validator(["Celular", "Autoriza", "{{.name}}"], provider: .truoraWhatsApp)
        let outcome = v.validate(row("3001234567", "sí", "Ana María"))
        #expect(outcome.isValid)
        #expect(outcome.inputs.map(\.name) == ["phone_number", "country", "user_authorized", "var.name"])
        #expect(outcome.value("var.name") == "Ana María")
        #expect(v.validate(row("3001234568", "no", "Eva")).issues.first?.code == "consent_refused")
        #expect(v.validate(row("3001234569", "quizás", "Eva")).issues.first?.code == "value_not_allowed")
        #expect(v.validate(row("", "sí", "Eva")).issues.first?.code == "input_missing")
        #expect(v.validate(row("+57 300 123 4567", "sí", "Otra")).issues.first?.code == "duplicate_row")
        var (attested, _) = try validator(["Celular"], provider: .truoraWhatsApp, consent: true)
        #expect(attested.validate(row("3001234567")).value("user_authorized") == "true")
        var (unattested, _) = try validator(["Celular"], provider: .truoraWhatsApp)
        #expect(unattested.validate(row("3001234567")).issues.first?.code == "consent_missing")
    }

    @Test("job files: digital_identity and whatsapp sections, and their mistakes named")
    func jobFile() throws {
        let job = try JobFile.parse("""
            version: 1
            provider: truora-whatsapp
            country: CO
            mapping:
              var.name: Nombre
            whatsapp:
              outbound_id: OTB123
              flow_id: IPF456
            """, file: "wa.yaml")
        #expect(job.whatsApp?.outboundID == "OTB123" && job.whatsApp?.flowID == "IPF456")
        #expect(job.settings.bindings.first?.target == "var.name")
        let di = try JobFile.parse("""
            version: 1
            provider: truora-di
            digital_identity: {flow_id: IPF1, redirect_url: "https://example.com"}
            """, file: "di.yaml")
        #expect(di.digitalIdentity?.redirectURL == "https://example.com")
        #expect(throws: JobFile.Problem.self) {
            try JobFile.parse("version: 1\nprovider: truora-di\ndigital_identity: {flow: IPF1}\n", file: "x.yaml")
        }
        do {
            _ = try JobFile.parse("version: 1\nprovider: truora-whatsapp\nwhatsapp: {outbound: OTB1}\n", file: "x.yaml")
        } catch {
            #expect(error.message.contains("outbound_id"))
        }
    }
}
