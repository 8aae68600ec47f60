import Testing

@testable import CheckInputs

/// The templates people fill: in their language, and mapped back by the header mapper with no flags.
@Suite("templates in every language")
struct TemplateTests {
    @Test("a filled template maps with no flags: every column to the input it was made for", arguments: Language.allCases)
    func templatesMapThemselves(language: Language) throws {
        let templates = Template.all(language: language)
        #expect(templates.count == 55)
        for template in templates {
            let mapping = try ColumnMapper(provider: template.provider).map(header: template.columns.map(\.header))
            let mapped = Dictionary(mapping.matches.map { ($0.index - 1, $0.input) }, uniquingKeysWith: { a, _ in a })
            for (index, column) in template.columns.enumerated() {
                #expect(mapped[index] == column.input,
                        "\(language.rawValue) \(template.provider.rawValue) \(template.name): '\(column.header)' maps to \(mapped[index] ?? "nothing"), not \(column.input)")
            }
            #expect(mapping.unmapped.isEmpty, "\(template.name): \(mapping.unmapped)")
        }
    }

    @Test("the Colombian person template asks for the document type and the consent, in Spanish")
    func colombianPerson() throws {
        let template = try Template(provider: .truoraChecks, country: "CO", kind: .personNational)
        #expect(template.language == .es)
        #expect(template.columns.map(\.header).prefix(2) == ["Tipo de documento *", "Número de documento *"])
        #expect(template.columns[0].choices == ["CC", "TI"])
        let consent = try #require(template.columns.last)
        #expect(consent.header == "Autoriza consulta *" && consent.choices == ["sí", "no"])
        #expect(template.columns.allSatisfy { !$0.note.isEmpty })
        #expect(template.columns[1].note.contains("Ejemplo: 1020304050"))
        #expect(template.instructions[0][0] == "Plantilla de idbatch: Consultas Truora, CO person-national")
        // Foreigners choose among the documents that go to different inputs.
        let foreigner = try Template(provider: .truoraChecks, country: "CO", kind: .personForeigner)
        #expect(Set(foreigner.columns[0].choices) == ["CE", "PPT", "PTP"])
        // One ID says it all in Chile and Brazil: the column is named after it.
        #expect(try Template(provider: .truoraBatch, country: "CL", kind: .personNational).columns[0].header == "RUT *")
        let brazil = try Template(provider: .truoraChecks, country: "BR", kind: .personNational)
        #expect(brazil.language == .pt && brazil.columns[0].header == "CPF *")
        #expect(brazil.columns.last?.choices == ["sim", "não"])
    }
}
