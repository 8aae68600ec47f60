import Foundation
@testable import Spreadsheet
import Testing

/// `idbatch template` and the committed set under templates/.
@Suite("idbatch template")
struct TemplateCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every part of an xlsx, uncompressed, by name.
    func parts(_ path: String) throws -> [String: [UInt8]] {
        let archive = try ZipArchive(path: path, limits: .default)
        var result: [String: [UInt8]] = [:]
        for name in archive.entryNames { result[name] = try archive.readAll(name) }
        return result
    }

    @Test("templates/ matches what idbatch generates (run 'idbatch template --all templates' after changing inputs)")
    func upToDate() throws {
        let out = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["template", "--all", out])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let generated = try FileManager.default.subpathsOfDirectory(atPath: out).filter { $0.hasSuffix(".xlsx") }.sorted()
        let committed = try FileManager.default.subpathsOfDirectory(atPath: "\(Self.root)/templates")
            .filter { $0.hasSuffix(".xlsx") }.sorted()
        #expect(generated == committed)
        // Every template in Spanish, Portuguese and English.
        #expect(generated.count == 3 * 55)
        for name in generated {
            let fresh = try parts("\(out)/\(name)")
            let shipped = try parts("\(Self.root)/templates/\(name)")
            #expect(fresh == shipped, "templates/\(name) is out of date")
        }
    }

    @Test("a template read back: its header maps onto every input; dropdowns, notes and text formats are there")
    func readBack() throws {
        let out = try CommandRunner.scratchDirectory()
        let path = "\(out)/co.xlsx"
        let result = try CommandRunner.run(["template", "--provider", "truora-checks", "--country", "CO", "--type",
                                            "person-foreigner", "-o", path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let inspect = try CommandRunner.run(["inspect", path, "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(json["header"] as? [String] == ["Tipo de documento *", "Número de documento *", "Fecha de nacimiento *",
                                                "Fecha de expedición *", "Celular", "Autoriza consulta *"])
        #expect(json["unmapped"] as? [String] == [])
        let sheets = (json["sheets"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(sheets == ["Consultas", "Instrucciones"])
        let files = try parts(path)
        let sheet = String(decoding: try #require(files["xl/worksheets/sheet1.xml"]), as: UTF8.self)
        #expect(sheet.contains("<dataValidation type=\"list\"") && sheet.contains("<formula1>\"sí,no\"</formula1>"))
        #expect(sheet.contains("<formula1>\"CE,PPT,PTP\"</formula1>") && sheet.contains("promptTitle=\"Elija de la lista\""))
        #expect(files.keys.contains { $0.hasPrefix("xl/comments") })
        let styles = String(decoding: try #require(files["xl/styles.xml"]), as: UTF8.self)
        #expect(styles.contains("formatCode=\"@\""))
    }

    @Test("CSV templates come with a job file that validates")
    func csvAndJob() throws {
        let out = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["template", "--provider", "truora-batch", "--country", "BR", "--format",
                                            "csv", "-o", "\(out)/br.csv"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let header = try Data(contentsOf: URL(fileURLWithPath: "\(out)/br.csv"))
        #expect(header == Data("\u{FEFF}CPF *,Data de nascimento *,UF *,Telefone\r\n".utf8))
        let check = try CommandRunner.run(["validate", "\(out)/br.csv", "--job", "\(out)/br.job.yaml", "--out", out])
        #expect(check.exitCode == 0, "\(check.stderr)")
    }

    @Test("LibreOffice opens a template (where installed)",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")))
    func libreOffice() throws {
        let out = try CommandRunner.scratchDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/soffice")
        process.arguments = ["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", out,
                             "\(Self.root)/templates/es/truora-checks/CL-vehicle-national.xlsx"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let csv = try String(contentsOfFile: "\(out)/CL-vehicle-national.csv", encoding: .utf8)
        #expect(csv.hasPrefix("RUT *,Placa *,Licencia de conducción,Autoriza consulta *"))
    }

    @Test("Truora without a country, or a kind the table does not offer, is a usage error")
    func usage() throws {
        let noCountry = try CommandRunner.run(["template", "--provider", "truora-checks"])
        #expect(noCountry.exitCode == 64 && noCountry.stderr.contains("--country"))
        let notOffered = try CommandRunner.run(["template", "--provider", "truora-checks", "--country", "BR", "--type",
                                                "person-foreigner"])
        #expect(notOffered.exitCode == 64 && notOffered.stderr.contains("offers no person-foreigner check in BR"))
    }
}
