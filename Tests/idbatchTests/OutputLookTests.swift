import Foundation
import Testing

/// What a clerk sees in the files idbatch writes for people: the error xlsx points at the bad
/// cells with notes in the person's language, its header is frozen and filtered, and rendered
/// through LibreOffice no cell is cut to `###`. Read with openpyxl (another program's reading of
/// the fills and notes) and rendered by `scripts/render_check.py`.
@Suite("error files and templates as people see them")
struct OutputLookTests {
    static let root = TemplateCommandTests.root

    static let hasOpenpyxl: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import openpyxl"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static var hasLibreOffice: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/soffice")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext")
    }

    /// `render_check.py`'s JSON for `file` (openpyxl only unless `render`).
    static func look(_ file: String, out: String, render: Bool) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "\(root)/scripts/render_check.py", file, "--out", out] + (render ? [] : ["--no-render"])
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return object
    }

    /// The Colombian sample's failing cells: each row's blamed column (rows 2 and 3 blame issue_date,
    /// which no column holds, so nothing in them is marked).
    static let failingCells: Set<String> = ["B4", "B5", "B6", "F6", "B7", "I8", "A9", "B10"]

    @Test("the error xlsx marks exactly the failing cells, each with its message as a note, in Spanish by default",
          .enabled(if: hasOpenpyxl))
    func errorFileMarksTheCells() throws {
        let out = try CommandRunner.scratchDirectory()
        let result = try CommandRunner.run(["validate", "\(Self.root)/samples/personas-co.xlsx", "--job",
                                            "\(Self.root)/samples/personas-co.job.yaml", "--out", out])
        #expect(result.exitCode == 2, "\(result.stderr)")
        let look = try Self.look("\(out)/personas-co.errors.xlsx", out: out, render: Self.hasLibreOffice)
        let marked = try #require(look["marked"] as? [String: Any])
        #expect(Set(marked.keys) == Self.failingCells)
        let notes = try #require(look["notes"] as? [String: String])
        #expect(Set(notes.keys) == Self.failingCells)
        #expect(notes["I8"] == "la persona no autorizó la consulta (user_authorized es no)")
        #expect(notes["F6"] == "date_of_birth no es una fecha que exista en el calendario")
        // Dates stay dates, shown as the input showed them (its cells are dd/mm/yyyy).
        let dates = try #require(look["dates"] as? [String: String])
        #expect(dates.count == 6 && Set(dates.values) == ["dd/mm/yyyy"], "\(dates)")
        #expect(look["frozen"] as? String == "A2")
        #expect(look["autofilter"] as? String == "A1:L10")
        if Self.hasLibreOffice {
            #expect(look["cells_cut"] as? Int == 0, "a cell shows ### when rendered")
            let text = try #require(look["text"] as? String)
            // Every row's message is readable in the rendering, wrapped or not.
            #expect(text.contains("idbatch_error_message"))
            #expect(FileManager.default.fileExists(atPath: try #require(look["png"] as? String)))
        }
    }

    @Test("--lang en and lang: pt in the job file change the notes and messages, never the codes",
          .enabled(if: hasOpenpyxl))
    func languageChoices() throws {
        let out = try CommandRunner.scratchDirectory()
        let english = try CommandRunner.run(["validate", "\(Self.root)/samples/personas-co.xlsx", "--job",
                                             "\(Self.root)/samples/personas-co.job.yaml", "--out", out, "--lang", "en"])
        #expect(english.exitCode == 2, "\(english.stderr)")
        let notes = try #require(try Self.look("\(out)/personas-co.errors.xlsx", out: out, render: false)["notes"]
                                 as? [String: String])
        #expect(notes["I8"] == "the person did not authorise the check (user_authorized is no)")

        let job = try String(contentsOfFile: "\(Self.root)/samples/personas-co.job.yaml", encoding: .utf8)
        try (job + "\nlang: pt\n").write(toFile: "\(out)/pt.job.yaml", atomically: true, encoding: .utf8)
        let portuguese = try CommandRunner.run(["validate", "\(Self.root)/samples/personas-co.xlsx", "--job",
                                                "\(out)/pt.job.yaml", "--out", out, "--json"])
        #expect(portuguese.exitCode == 2, "\(portuguese.stderr)")
        let ptNotes = try #require(try Self.look("\(out)/personas-co.errors.xlsx", out: out, render: false)["notes"]
                                   as? [String: String])
        #expect(ptNotes["I8"] == "a pessoa não autorizou a consulta (user_authorized é não)")
        // Codes and the summary's keys are the same in every language.
        #expect(portuguese.stdout.contains("\"consent_refused\" : 1"))
    }

    @Test("a template in each language: a note with an example on every header cell, nothing cut when rendered",
          .enabled(if: hasOpenpyxl), arguments: ["es", "pt", "en"])
    func templateLooks(language: String) throws {
        let out = try CommandRunner.scratchDirectory()
        let path = "\(out)/co-\(language).xlsx"
        let result = try CommandRunner.run(["template", "--provider", "truora-checks", "--country", "CO", "--lang", language,
                                            "-o", path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let look = try Self.look(path, out: out, render: Self.hasLibreOffice)
        let notes = try #require(look["notes"] as? [String: String])
        let header = try #require(look["header"] as? [String])
        #expect(header.count >= 5 && Set(notes.keys) == Set(header), "every header cell has its note, and only they do")
        let example = ["es": "Ejemplo: 1020304050", "pt": "Exemplo: 1020304050", "en": "Example: 1020304050"][language]!
        #expect(notes["B1"]?.contains(example) == true, "\(notes["B1"] ?? "")")
        if Self.hasLibreOffice { #expect(look["cells_cut"] as? Int == 0) }
    }
}
