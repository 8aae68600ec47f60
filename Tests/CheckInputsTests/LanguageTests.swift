import Testing
import Foundation

@testable import CheckInputs

/// The message tables: every message in every language, with the same arguments.
struct LanguageTests {
    @Test func everyMessageHasEveryTranslation() {
        let english = Messages.table(.en)
        for language in Language.allCases {
            let table = Messages.table(language)
            for key in MessageKey.allCases {
                let text = table[key.rawValue]
                #expect(text?.isEmpty == false, "\(language.rawValue) has no text for \(key.rawValue)")
                guard let text, let original = english[key.rawValue] else { continue }
                #expect(Messages.placeholders(text) == Messages.placeholders(original),
                        "\(language.rawValue) \(key.rawValue) uses other arguments than English")
            }
            // A table holds nothing the others lack (a key renamed in one table only).
            #expect(Set(table.keys) == Set(english.keys), "\(language.rawValue): \(Set(table.keys).symmetricDifference(english.keys))")
        }
    }

    @Test func translationsAreNotEnglishLeftOvers() {
        // A message is only the same in two languages when it is all names and codes.
        let same = MessageKey.allCases.filter { Message($0, "x", "y", "z", "w").text(.es) == Message($0, "x", "y", "z", "w").text(.en) }
        #expect(same.allSatisfy { ["providerFailed", "pdfFailed"].contains($0.rawValue) }, "\(same)")
    }

    @Test func argumentsAndAlternatives() {
        let message = Message(.needsEmpty, "CO", "person-national", Message.either(["passport", "foreign_id", "ptp"]))
        #expect(message.text(.en) == "a CO person-national check needs passport, foreign_id or ptp, which is empty in this row")
        #expect(message.text(.es) == "una consulta person-national en CO necesita passport, foreign_id o ptp, que está vacío en esta fila")
        #expect(message.text(.pt).contains("passport, foreign_id ou ptp"))
    }

    @Test func defaultLanguageFollowsTheCountry() {
        #expect(Language.forCountry("BR") == .pt)
        #expect(Language.forCountry("co") == .es)
        #expect(Language.forCountry("MX") == .es)
        #expect(Language.forCountry("ALL") == .en)
        #expect(Language.forCountry(nil) == .en)
        #expect(Language(argument: "pt-BR") == .pt)
        #expect(Language(argument: "Español") == .es)
        #expect(Language(argument: "fr") == nil)
    }

    @Test func storedMessagesRenderInAnyLanguageAndOldTextStaysAsItWas() {
        let issues = [
            RowIssue(.consentMissing, column: "Autoriza", Message(.consentMissing)),
            RowIssue(code: "id_check_digit", column: "Cédula", message: Message(.rutCheckDigit, "K"), subject: "national_id"),
        ]
        let stored = StoredMessage.encode(issues)
        #expect(StoredMessage.render(stored, .es)
                == "[Autoriza] \(Message(.consentMissing).text(.es)); [Cédula] national_id: el dígito verificador del RUT no coincide (se esperaba K)")
        #expect(StoredMessage.parts(stored, .pt, column: "").map(\.column) == ["Autoriza", "Cédula"])
        #expect(StoredMessage.render("the check is still running", .es) == "the check is still running")
        #expect(StoredMessage.parts("[a] old; [b] text", .pt, column: "Col") == [Blame(column: "Col", text: "[a] old; [b] text")])
    }

    @Test func jobFileLanguage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lang-\(UInt32.random(in: 0...UInt32.max)).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "version: 1\ncountry: CO\nlang: pt\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try JobFile.load(path: path).language == .pt)
        try "version: 1\nlang: fr\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: JobFile.Problem.self) { try JobFile.load(path: path) }
    }
}
