import Foundation
import Testing

@Suite("idbatch convert and inspect, end to end")
struct ConvertCommandTests {
    @Test("converts a LibreOffice workbook to CSV that Excel opens as UTF-8, mode 0600")
    func xlsxToCSV() throws {
        let directory = try CommandRunner.scratchDirectory()
        let output = directory + "/people.csv"
        let result = try CommandRunner.run(["convert", CommandRunner.fixture("libreoffice-people.xlsx"), "--to", "csv", "-o", output])
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains("converted 4 rows"))
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: data.dropFirst(3), as: UTF8.self) == """
            CPF,Nome,Sobrenome,Data de nascimento,Telefone\r
            39053344705,João,Conceição,1980-07-15,'+5511912345678\r
            00000000191,Ana,Lima,1975-02-28,'+5521998765432\r
            231.002.999-00,Pedro,Álvares Cabral,2000-02-29,11 3333-4444\r

            """)
        let mode = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("converts a Windows-1252 CSV to xlsx and back, cell for cell")
    func csvToXLSXAndBack() throws {
        let directory = try CommandRunner.scratchDirectory()
        let xlsx = directory + "/es.xlsx"
        let first = try CommandRunner.run(["convert", CommandRunner.fixture("excel-es-1252.csv"), "--to", "xlsx", "-o", xlsx])
        #expect(first.exitCode == 0)
        #expect(first.stderr.contains("warning") && first.stderr.contains("Windows-1252"))
        let back = try CommandRunner.run(["convert", xlsx, "--to", "csv", "--no-bom", "-o", directory + "/back.csv"])
        #expect(back.exitCode == 0)
        let text = try String(contentsOfFile: directory + "/back.csv", encoding: .utf8)
        #expect(text == "Cédula,Nombre,Teléfono\r\n0012345,Ñusta Peña,'+51 987654321\r\n98765432,José Müller,'+51 912345678\r\n")
    }

    @Test("bad input: one line naming the file, exit 65, no output left behind", arguments: [
        "bad-bomb.xlsx", "bad-doctype.xlsx", "bad-xxe.xlsx", "bad-malformed.xlsx", "bad-truncated.xlsx",
        "bad-not-zip.xlsx", "bad-empty.xlsx", "bad-missing-sheet.xlsx", "bad-no-sheets.xlsx", "bad-encrypted.xlsx",
        "bad-many-entries.xlsx", "unterminated.csv", "bad-empty.csv", "bad-long-string.xlsx",
        "bad-repeated-string.xlsx", "bad-far-corners.xlsx",
    ])
    func badInput(name: String) throws {
        let directory = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["convert", CommandRunner.fixture(name), "--to", "csv", "-o", directory + "/out.csv"])
        #expect(result.exitCode == 65)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("idbatch: error: ") == true)
        #expect(lines.first?.contains(name) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test("small files that expand without end: exit 65 naming the limit and its flag, for every command")
    func expansion() throws {
        let directory = try CommandRunner.scratchDirectory()
        // Cells at XFD1 and XFD1048576: as CSV padded to the widest row, 17 billion cells.
        let corners = try CommandRunner.run(["convert", CommandRunner.fixture("bad-far-corners.xlsx"), "--to", "csv",
                                             "-o", directory + "/corners.csv"])
        #expect(corners.exitCode == 65)
        #expect(corners.stderr.contains("expands too far") && corners.stderr.contains("--max-expansion"))
        // As xlsx nothing is padded: two rows far apart are just that.
        let asXLSX = try CommandRunner.run(["convert", CommandRunner.fixture("bad-far-corners.xlsx"), "--to", "xlsx",
                                            "-o", directory + "/corners.xlsx"])
        #expect(asXLSX.exitCode == 0, "\(asXLSX.stderr)")
        for command in [["validate", "--country", "CO", "--out", directory], ["inspect"]] {
            let long = try CommandRunner.run([command[0], CommandRunner.fixture("bad-long-string.xlsx")] + command.dropFirst())
            #expect(long.exitCode == 65, "\(command[0]): \(long.stderr)")
            #expect(long.stderr.contains("more than the 32,767") && long.stderr.contains("--max-cell-chars"))
        }
        let raised = try CommandRunner.run(["inspect", CommandRunner.fixture("bad-repeated-string.xlsx"),
                                            "--max-expansion", "1000"])
        #expect(raised.exitCode == 0, "a trusted file reads with the cap raised: \(raised.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["corners.xlsx"])
    }

    @Test("a password-protected workbook says so")
    func encrypted() throws {
        let result = try CommandRunner.run(["inspect", CommandRunner.fixture("bad-encrypted.xlsx")])
        #expect(result.exitCode == 65)
        #expect(result.stderr.contains("password-protected"))
    }

    @Test("a missing input exits 66; a bad flag exits 64")
    func missingAndUsage() throws {
        #expect(try CommandRunner.run(["convert", "/nonexistent/x.xlsx", "--to", "csv"]).exitCode == 66)
        #expect(try CommandRunner.run(["convert", CommandRunner.fixture("pipes.csv"), "--to", "pdf"]).exitCode == 64)
        #expect(try CommandRunner.run(["inspect", CommandRunner.fixture("pipes.csv"), "--delimiter", "x"]).exitCode == 64)
    }

    @Test("inspect --json prints the keys scripts rely on")
    func inspectJSON() throws {
        let result = try CommandRunner.run(["inspect", CommandRunner.fixture("openpyxl-people.xlsx"), "--json"])
        #expect(result.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "xlsx")
        #expect(object["sheet"] as? String == "Personas")
        #expect(object["rows"] as? Int == 3)
        let sheets = try #require(object["sheets"] as? [[String: Any]])
        #expect(sheets.map { $0["name"] as? String } == ["Personas", "Oculta", "Segunda"])
        #expect(sheets.map { $0["visible"] as? Bool } == [true, false, true])
        let header = try #require(object["header"] as? [String])
        #expect(header.first == "Tipo de documento")
        let csv = try CommandRunner.run(["inspect", CommandRunner.fixture("excel-es-1252.csv"), "--json"])
        let csvObject = try #require(try JSONSerialization.jsonObject(with: Data(csv.stdout.utf8)) as? [String: Any])
        #expect(csvObject["encoding"] as? String == "windows-1252")
        #expect(csvObject["delimiter"] as? String == ";")
    }

    @Test("inspect warns about numbers that lost digits")
    func precisionWarning() throws {
        let result = try CommandRunner.run(["inspect", CommandRunner.fixture("openpyxl-people.xlsx")])
        #expect(result.stdout.contains("column I"))
        #expect(result.stdout.contains("15 digits"))
    }
}
