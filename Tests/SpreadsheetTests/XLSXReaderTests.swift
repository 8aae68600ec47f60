import Foundation
import Testing

@testable import Spreadsheet

@Suite("Reading xlsx")
struct XLSXReaderTests {
    @Test("reads shared, rich-text, phonetic and escaped strings")
    func strings() throws {
        let rows = try Fixture.texts("handmade-cells.xlsx")
        #expect(rows[0] == ["plain", "rich text", "東京", "line\rbreak_x0041_"])
    }

    @Test("prints numbers as a person sees them and flags lost digits")
    func numbers() throws {
        let rows = try Fixture.rows("handmade-cells.xlsx")
        #expect(rows[1].cells.map(\.text) == ["42", "-3.5", "1234567890123460000", "0.00001", "0.3"])
        #expect(rows[1].cells.map(\.type) == [.number, .number, .number, .number, .number])
        #expect(rows[1][2].precisionLost)
        #expect(!rows[1][0].precisionLost)
    }

    @Test("turns date-formatted serials into ISO dates, with the 1900 leap-year bug")
    func dates() throws {
        let row = try Fixture.rows("handmade-cells.xlsx")[2]
        // 45292 builtin 14; 32950 custom dd/mm/yyyy; 45292.75 custom date-time; "Day" 0 is not a date;
        // 60 is 1900-02-29, which never existed; 59 is 1900-02-28.
        #expect(row.cells.map(\.text) == ["2024-01-01", "1990-03-18", "2024-01-01T18:00:00", "7", "60", "1900-02-28"])
        #expect(row.cells.map(\.type) == [.date, .date, .date, .number, .number, .date])
    }

    @Test("honours the 1904 date system")
    func date1904() throws {
        #expect(try Fixture.texts("handmade-1904.xlsx") == [["1904-01-01", "2024-01-01"]])
    }

    @Test("reads booleans, errors, cached formula strings and CDATA inline strings")
    func otherTypes() throws {
        let row = try Fixture.rows("handmade-cells.xlsx")[3]
        #expect(row.cells.map(\.text) == ["TRUE", "FALSE", "#N/A", "84", "in <line>"])
        #expect(row.cells.map(\.type) == [.boolean, .boolean, .error, .text, .text])
    }

    @Test("places cells with and without references, keeps row numbers of sparse rows")
    func sparse() throws {
        let rows = try Fixture.rows("handmade-cells.xlsx")
        #expect(rows[4].number == 5)
        #expect(rows[4].cells.map(\.text) == ["1", "2", "", "", "5"])
        #expect(rows[5].number == 8)
        #expect(rows[5].cells.map(\.text) == ["", "plain"])
    }

    @Test("ignores a lying <dimension> and reads elements under a namespace prefix")
    func prefixedAndDimension() throws {
        let rows = try Fixture.texts("handmade-prefixed-10k.xlsx")
        #expect(rows.count == 10_000)
        #expect(rows.last == ["10000"])
    }

    @Test("reads Strict OOXML namespaces and absolute part paths")
    func strict() throws {
        #expect(try Fixture.texts("handmade-strict.xlsx") == [["estricto", "2024-01-01"]])
    }

    @Test("reads a workbook written by openpyxl: first visible sheet, dates, accents")
    func openpyxl() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("openpyxl-people.xlsx"))
        #expect(reader.sheetName == "Personas")
        #expect(reader.sheets.map(\.name) == ["Personas", "Oculta", "Segunda"])
        #expect(reader.sheets.map(\.visible) == [true, false, true])
        let rows = try Fixture.texts("openpyxl-people.xlsx")
        #expect(rows[1].prefix(7) == ["CC", "1020304050", "José Ñandú", "Pérez Gómez", "1985-03-14", "+573001234567", "TRUE"])
        #expect(rows[2][1] == "0012345")
        #expect(rows[3][5] == "", "a formula openpyxl wrote has no cached value, and is never evaluated")
    }

    @Test("times of day as HH:MM:SS and elapsed times past 24 hours, as Excel shows them (openpyxl)")
    func times() throws {
        let rows = try Fixture.texts("openpyxl-times.xlsx")
        #expect(rows[1] == ["16:00:00", "16:05:30", "250:10:10", "30:00:00", "2024-03-01T08:30:00", "18:00:00"])
    }

    @Test("reads a workbook written by LibreOffice")
    func libreOffice() throws {
        let rows = try Fixture.texts("libreoffice-people.xlsx")
        #expect(rows[0] == ["CPF", "Nome", "Sobrenome", "Data de nascimento", "Telefone"])
        #expect(rows[1] == ["39053344705", "João", "Conceição", "1980-07-15", "+5511912345678"])
        #expect(rows[2][0] == "00000000191")
    }

    @Test("selects sheets by name and by 1-based index, hidden ones included")
    func sheetSelection() throws {
        #expect(try Fixture.texts("openpyxl-people.xlsx", options: ReadOptions(sheet: .name("Oculta"))) == [["secret"]])
        #expect(try Fixture.texts("openpyxl-people.xlsx", options: ReadOptions(sheet: SheetSelector("3"))).last
            == ["", "", "sparse"])
        let error = #expect(throws: SpreadsheetError.self) {
            _ = try SpreadsheetReader(path: Fixture.path("openpyxl-people.xlsx"), options: ReadOptions(sheet: .name("Nope")))
        }
        #expect(error?.code == .sheetNotFound)
        #expect(error?.description.contains("'Personas', 'Oculta', 'Segunda'") == true)
    }

    @Test("refuses unsafe or broken files with a clear error", arguments: [
        ("bad-empty.xlsx", SpreadsheetError.Code.emptyFile),
        ("bad-not-zip.xlsx", .notZip),
        ("bad-truncated.xlsx", .corruptZip),
        ("bad-bomb.xlsx", .zipBomb),
        ("bad-many-entries.xlsx", .tooManyEntries),
        ("bad-duplicate-names.xlsx", .duplicateEntry),
        ("bad-doctype.xlsx", .doctype),
        ("bad-xxe.xlsx", .doctype),
        ("bad-malformed.xlsx", .malformedXML),
        ("bad-missing-sheet.xlsx", .missingPart),
        ("bad-no-sheets.xlsx", .noSheets),
        ("bad-encrypted.xlsx", .encrypted),
        ("bad-long-string.xlsx", .cellTooLong),
        ("bad-repeated-string.xlsx", .expansionLimit),
    ])
    func badInput(name: String, code: SpreadsheetError.Code) throws {
        let error = #expect(throws: SpreadsheetError.self) {
            let reader = try SpreadsheetReader(path: Fixture.path(name))
            while try reader.next() != nil {}
        }
        #expect(error?.code == code)
        #expect(error?.file?.hasSuffix(name) == true, "the message names the file")
    }

    @Test("a workbook may not expand past its caps: a cell's characters, and text and cells per byte of sheet")
    func expansionCaps() throws {
        // A 1 MiB shared string used 2,000 times: refused at its first use, naming the limit and its flag.
        let long = #expect(throws: SpreadsheetError.self) { _ = try Fixture.texts("bad-long-string.xlsx") }
        #expect(long?.row == 1 && long?.column == 0)
        #expect(long?.description.contains("1,048,576 characters, more than the 32,767") == true)
        #expect(long?.description.contains("--max-cell-chars") == true)
        // With the cell cap raised, the total cap still holds long before 2 GiB.
        var cellRaised = ReadLimits()
        cellRaised.maxCellCharacters = 2 << 20
        let total = #expect(throws: SpreadsheetError.self) {
            _ = try Fixture.texts("bad-long-string.xlsx", options: ReadOptions(limits: cellRaised))
        }
        #expect(total?.code == .expansionLimit)
        #expect(total?.description.contains("--max-expansion") == true)
        #expect((total?.row ?? 0) < 200, "stopped near the grace, not at the end")

        // Under the cell cap, 32,000 characters in 20,000 rows: stopped partway, and readable when raised.
        let repeated = #expect(throws: SpreadsheetError.self) { _ = try Fixture.texts("bad-repeated-string.xlsx") }
        #expect((2_000..<20_000).contains(repeated?.row ?? 0))
        #expect(repeated?.description.contains("xxxx") == false, "no cell text in the message")
        var raised = ReadLimits()
        raised.maxExpansion = 1_000
        var rows = 0
        let reader = try SpreadsheetReader(path: Fixture.path("bad-repeated-string.xlsx"), options: ReadOptions(limits: raised))
        while try reader.next() != nil { rows += 1 }
        #expect(rows == 20_001)

        // Cells at XFD1 and XFD1048576 are two rows as read; padding them is the caller's to account.
        let corners = try SpreadsheetReader(path: Fixture.path("bad-far-corners.xlsx"))
        let first = try #require(try corners.next())
        #expect(first.count == 16_384 && first[16_383].text == "1")
        let last = try #require(try corners.next())
        #expect(last.number == 1_048_576)
        let padding = #expect(throws: SpreadsheetError.self) {
            for row in stride(from: 2, to: 1_048_576, by: 1) { try corners.account(paddedCells: 16_384, row: row) }
        }
        #expect(padding?.code == .expansionLimit)
        #expect(padding?.file?.hasSuffix("bad-far-corners.xlsx") == true)
    }

    @Test("limits stored by an earlier version decode with today's defaults for the newer caps")
    func limitsDecodeWithDefaults() throws {
        let old = Data(#"{"maxEntries":5,"maxPartBytes":1,"maxTotalBytes":2,"minInflateRatio":0.5,"ratioGraceBytes":3,"maxFieldBytes":4}"#.utf8)
        let limits = try JSONDecoder().decode(ReadLimits.self, from: old)
        #expect(limits.maxEntries == 5 && limits.maxFieldBytes == 4)
        #expect(limits.maxCellCharacters == 32_767 && limits.maxExpansion == 100)
        var custom = ReadLimits()
        custom.maxExpansion = 7
        #expect(try JSONDecoder().decode(ReadLimits.self, from: JSONEncoder().encode(custom)) == custom)
    }

    @Test("limits can be raised for trusted files")
    func limitsOverridable() throws {
        var limits = ReadLimits()
        limits.minInflateRatio = 0
        #expect(try Fixture.texts("bad-bomb.xlsx", options: ReadOptions(limits: limits)).isEmpty)
        limits.maxEntries = 2_000
        #expect(try Fixture.texts("bad-many-entries.xlsx", options: ReadOptions(limits: limits)) == [["1"]])
        var tight = ReadLimits()
        tight.maxPartBytes = 1_000
        let error = #expect(throws: SpreadsheetError.self) {
            _ = try Fixture.texts("handmade-prefixed-10k.xlsx", options: ReadOptions(limits: tight))
        }
        #expect(error?.code == .zipBomb)
    }
}
