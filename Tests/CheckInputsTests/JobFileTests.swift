import CheckInputs
import Testing

@Suite("Job files and templates")
struct JobFileTests {
    @Test("a full job file")
    func full() throws {
        let job = try JobFile.parse("""
            version: 1
            provider: truora-checks
            country: co
            type: person
            dates: day-first
            mapping:
              national_id: "Identificador"
              last_name: ["Apellido 1", "Apellido 2"]
              date_of_birth: {day: D, month: E, year: 6}
            ignore: [Observaciones]
            constants:
              phone_number: "+570000000"
            consent:
              attested_by: "Ana, Compliance"
              reference: "Contrato 114"
            report:
              format: csv
            batch_size: 250
            """, file: "job.yaml")
        let settings = job.settings
        #expect(settings.country == "CO" && settings.type == "person" && settings.dateOrder == .dayFirst)
        #expect(settings.bindings.map(\.target) == ["national_id", "last_name.1", "last_name.2", "date_of_birth.day",
                                                    "date_of_birth.month", "date_of_birth.year", "-"])
        #expect(settings.consent == ConsentAttestation(attestedBy: "Ana, Compliance", reference: "Contrato 114"))
        #expect(job.reportFormat == .csv)
        #expect(job.batchSize == 250)
    }

    @Test("each wrong key gets its own message and line", arguments: [
        ("version: 1\nprovder: trulioo\n", "unknown key 'provder' (did you mean provider?)", 2),
        ("version: 2\n", "version 2 is not supported", 1),
        ("provider: trulioo\n", "version is missing", nil),
        ("version: 1\nprovider: acme\n", "provider 'acme' is not one of", 2),
        ("version: 1\nmapping:\n  nationl_id: B\n", "did you mean national_id?", 3),
        ("version: 1\nconstants:\n  user_authorized: true\n", "consent is not a constant", 3),
        ("version: 1\nconsent:\n  reference: x\n", "consent needs attested_by", 3),
        ("version: 1\ncountry: AR\n", "Truora checks these countries", 2),
        ("version: 1\nmapping: [a, b]\n", "mapping holds input: column pairs", 2),
        ("version: [1\n", "not valid YAML", nil),
        ("version: 1\nbatch_size: 0\n", "batch_size is a number of rows from 1 to 10000", 2),
        ("version: 1\nbatch_size: mil\n", "batch_size is a number of rows", 2),
    ] as [(String, String, Int?)])
    func problems(text: String, message: String, line: Int?) {
        do {
            _ = try JobFile.parse(text, file: "job.yaml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.line == line)
        }
    }

    @Test("a sweep's rules: globs to job files beside this one, a default, retention")
    func sweepRules() throws {
        let job = try JobFile.parse("""
            version: 1
            files:
              - match: "pessoas-*.csv"
                job: br.yaml
              - {match: "*.xlsx", job: /etc/idbatch/co.yaml}
            default: otros.yaml
            keep: 30d
            """, file: "/srv/jobs/sweep.yaml")
        #expect(job.files == [JobFile.FileRule(match: "pessoas-*.csv", job: "/srv/jobs/br.yaml"),
                              JobFile.FileRule(match: "*.xlsx", job: "/etc/idbatch/co.yaml")])
        #expect(job.defaultJob == "/srv/jobs/otros.yaml" && job.keep == "30d")
        #expect(throws: JobFile.Problem.self) { try JobFile.parse("version: 1\nfiles:\n  - match: a\n", file: "x.yaml") }
        #expect(throws: JobFile.Problem.self) { try JobFile.parse("version: 1\nkeep: forever\n", file: "x.yaml") }
    }

    @Test("every shipped template's job skeleton is a valid job file for it")
    func skeletons() throws {
        let templates = Language.allCases.flatMap { Template.all(language: $0) }
        #expect(templates.count == 3 * 55)
        for template in templates {
            let job = try JobFile.parse(JobSkeleton.text(for: template), file: template.name)
            #expect(job.settings.provider == template.provider)
            #expect(job.settings.country == template.country)
        }
    }

    @Test("CO person-foreigner: one document type and number column for foreign_id or ptp")
    func alternatives() throws {
        let template = try Template(provider: .truoraChecks, country: "CO", kind: .personForeigner, language: .en)
        #expect(template.columns.map(\.header) == ["Document type *", "Document number *", "Date of birth *",
                                                   "Issue date *", "Phone number", "Consent *"])
        #expect(template.columns[0].note.contains("CE: Cédula o carné de extranjería"))
        #expect(throws: Template.Problem.self) { try Template(provider: .truoraChecks, country: "BR", kind: .personForeigner) }
    }
}
