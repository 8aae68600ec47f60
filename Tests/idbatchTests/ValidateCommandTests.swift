import Foundation
import Spreadsheet
import Testing

/// `idbatch validate` on the samples, run as a user runs it.
@Suite("idbatch validate")
struct ValidateCommandTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples").path

    /// (document number cell, error code, error column) for every row of an error file.
    func errors(_ path: String, idColumn: Int) throws -> [[String]] {
        let reader = try SpreadsheetReader(path: path)
        var rows: [[String]] = []
        while let row = try reader.next() {
            let cells = row.cells.map(\.text)
            rows.append([cells[idColumn], cells[cells.count - 3], cells[cells.count - 2]])
        }
        return rows
    }

    @Test("the Colombian sample: exactly the known bad rows fail, with their codes and columns")
    func colombia() throws {
        let out = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["validate", "\(Self.samples)/personas-co.xlsx",
                                            "--job", "\(Self.samples)/personas-co.job.yaml", "--out", out])
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("12 rows read = 3 valid + 9 failed"))
        let rows = try errors("\(out)/personas-co.errors.xlsx", idColumn: 1)
        #expect(rows == [
            ["Número de documento*", "idbatch_error_code", "idbatch_error_column"],
            ["0345678", "input_missing", "issue_date"],
            ["5123456", "input_missing", "issue_date"],
            ["AB1234567", "input_missing", "Número de documento*"],
            ["1234567890123460000", "id_precision_lost", "Número de documento*"],
            ["12a45678", "date_invalid", "F. Nac. (dd/mm/aaaa)"],
            ["900.123.456-7", "id_check_digit", "Número de documento*"],
            ["1098765432", "consent_refused", "Autoriza tratamiento de datos"],
            ["123456", "document_type_unknown", "Tipo de documento*"],
            ["", "input_missing", "Número de documento*"],
        ])
        var info = stat()
        #expect(stat("\(out)/personas-co.errors.xlsx", &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat("\(out)/personas-co.summary.json", &info) == 0 && info.st_mode & 0o777 == 0o600)
        // Messages and the summary never hold a full ID.
        let summary = try String(contentsOfFile: "\(out)/personas-co.summary.json", encoding: .utf8)
        #expect(!summary.contains("1020304050") && !result.stderr.contains("1020304050"))
    }

    @Test("the Brazilian Windows-1252 CSV with an attested consent; the error file in the input's own format")
    func brazil() throws {
        let out = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["validate", "\(Self.samples)/pessoas-br-excel.csv",
                                            "--job", "\(Self.samples)/pessoas-br.job.yaml", "--out", out, "--json"])
        #expect(result.exitCode == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["rows_read"] as? Int == 6 && json["valid"] as? Int == 2 && json["failed"] as? Int == 4)
        let csv = try Data(contentsOf: URL(fileURLWithPath: "\(out)/pessoas-br-excel.errors.csv"))
        #expect(csv.starts(with: Data("\u{FEFF}CPF;Nome;".utf8)))
        #expect(try errors("\(out)/pessoas-br-excel.errors.csv", idColumn: 0).dropFirst().map { $0[1] }
                == ["id_leading_zeros_lost", "id_check_digit", "id_repeated_digits", "input_missing"])
    }

    @Test("an error file dropped back in is read again: old idbatch_ columns are ignored, not duplicated")
    func errorFileRoundTrip() throws {
        let out = try CommandRunner.scratchDirectory()
        _ = try CommandRunner.run(["validate", "\(Self.samples)/pessoas-br-excel.csv", "--job",
                                   "\(Self.samples)/pessoas-br.job.yaml", "--out", out])
        let again = try CommandRunner.run(["validate", "\(out)/pessoas-br-excel.errors.csv", "--job",
                                           "\(Self.samples)/pessoas-br.job.yaml", "--out", out])
        #expect(again.stderr.contains("4 rows read = 0 valid + 4 failed"), "\(again.stderr)")
        let header = try SpreadsheetReader(path: "\(out)/pessoas-br-excel.errors.errors.csv").next()?.cells.map(\.text)
        #expect(header?.filter { $0.hasPrefix("idbatch_") }.count == 3)
    }

    @Test("a file where every row is valid exits 0 and leaves no error file")
    func allValid() throws {
        let out = try CommandRunner.scratchDirectory()
        let input = "\(out)/ok.csv"
        try "Cédula;Autoriza\n1020304050;sí\n79865432;sí\n".write(toFile: input, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["validate", input, "--country", "CO", "--out", out])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/ok.errors.csv"))
    }

    @Test("a bad job file exits 78 naming the line; --map fixes an unknown header")
    func jobFileAndMap() throws {
        let out = try CommandRunner.scratchDirectory()
        let job = "\(out)/job.yaml"
        try "version: 1\ncountri: CO\n".write(toFile: job, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["validate", "\(Self.samples)/pessoas-br-excel.csv", "--job", job, "--out", out])
        #expect(bad.exitCode == 78)
        #expect(bad.stderr.contains("job.yaml:2: unknown key 'countri' (did you mean country?)"))
        let input = "\(out)/x.csv"
        try "Identificador,Autoriza\n1020304050,si\n".write(toFile: input, atomically: true, encoding: .utf8)
        let mapped = try CommandRunner.run(["validate", input, "--country", "CO", "--map", "Identificador=national_id",
                                            "--out", out])
        #expect(mapped.exitCode == 0, "\(mapped.stderr)")
        let unknown = try CommandRunner.run(["validate", input, "--country", "CO", "--map", "A=nationl_id", "--out", out])
        #expect(unknown.exitCode == 64 && unknown.stderr.contains("did you mean national_id"))
    }

    @Test("inspect --json carries the mapping and the unmapped columns")
    func inspectMapping() throws {
        let result = try CommandRunner.run(["inspect", "\(Self.samples)/personas-co.xlsx", "--json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let mapping = try #require(json["mapping"] as? [[String: Any]])
        #expect(mapping.first?["column"] as? String == "Tipo de documento*")
        #expect(mapping.first?["index"] as? Int == 1)
        #expect(mapping.first?["input"] as? String == "document_type")
        #expect(mapping.first?["how"] as? String == "normalised")
        #expect(json["unmapped"] as? [String] == ["Correo electrónico (opcional)"])
    }
}
