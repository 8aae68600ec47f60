import Foundation
import Testing

@testable import Spreadsheet

@Suite("Writing CSV and xlsx")
struct WriterTests {
    private static let cells: [Cell] = [
        Cell(text: "0012345", type: .text), Cell(text: "José \"Pepe\", Ñ", type: .text),
        Cell(text: "=HYPERLINK(\"http://x\")", type: .text), Cell(text: "+573001234567", type: .text),
        Cell(text: "-7", type: .number), Cell(text: "1985-03-14", type: .date), Cell(text: "TRUE", type: .boolean),
        Cell(text: "línea 1\nlínea 2", type: .text), Cell(text: "@SUM(A1)", type: .text),
    ]

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("CSV quotes what needs it, neutralises formulas in text, keeps numbers")
    func csvContent() throws {
        let path = try Fixture.scratchDirectory() + "/out.csv"
        let writer = try CSVWriter(path: path)
        try writer.write(Row(number: 1, cells: Self.cells))
        try writer.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "0012345,\"José \"\"Pepe\"\", Ñ\",\"'=HYPERLINK(\"\"http://x\"\")\",'+573001234567,-7,1985-03-14,TRUE,"
            + "\"línea 1\nlínea 2\",'@SUM(A1)\r\n")
        #expect(try mode(path) == 0o600)
    }

    @Test("CSV output is created 0600 and appears only when closed")
    func csvAtomic() throws {
        let directory = try Fixture.scratchDirectory()
        let path = directory + "/out.csv"
        let writer = try CSVWriter(path: path, options: .init(byteOrderMark: false))
        try writer.write(fields: ["a", "b"])
        #expect(!FileManager.default.fileExists(atPath: path))
        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "nothing half-written is left")
    }

    @Test("CSV round trip through the reader keeps every cell")
    func csvRoundTrip() throws {
        let path = try Fixture.scratchDirectory() + "/rt.csv"
        let writer = try CSVWriter(path: path, options: .init(delimiter: UInt8(ascii: ";"), neutraliseFormulas: false))
        let rows = [["Cédula", "Nombre"], ["0012345", "Ana; \"la\"\r\nPérez"], ["", "😀"]]
        for row in rows { try writer.write(fields: row) }
        try writer.close()
        #expect(try Fixture.texts(atPath: path) == rows)
    }

    @Test("xlsx round trip: text IDs keep their zeros, types survive, nothing becomes a formula")
    func xlsxRoundTrip() throws {
        let path = try Fixture.scratchDirectory() + "/rt.xlsx"
        let writer = try XLSXWriter(path: path, options: .init(sheetName: "Informe", textColumns: [0]))
        let header = Row(number: 1, cells: (0..<Self.cells.count).map { Cell(text: "col\($0)", type: .text) })
        try writer.write(header)
        try writer.write(Row(number: 2, cells: Self.cells))
        try writer.write(Row(number: 3, cells: [Cell(text: "42", type: .number), Cell(text: "12345678901234567890", type: .number)]))
        try writer.close()
        #expect(try mode(path) == 0o600)

        let reader = try SpreadsheetReader(path: path)
        #expect(reader.sheetName == "Informe")
        var rows: [Row] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows[1].cells.map(\.text) == Self.cells.map(\.text))
        #expect(rows[1].cells.map(\.type) == [.text, .text, .text, .text, .number, .date, .boolean, .text, .text])
        #expect(rows[2].cells.map(\.text) == ["42", "12345678901234567890"])
        #expect(rows[2].cells.map(\.type) == [.text, .text], "a text column and a too-long number are strings")

        let archive = try ZipArchive(path: path, limits: .default)
        let sheet = String(decoding: try archive.readAll("xl/worksheets/sheet1.xml") ?? [], as: UTF8.self)
        #expect(!sheet.contains("<f>"), "no formulas")
        #expect(sheet.contains("<pane") && sheet.contains("state=\"frozen\""), "the header is frozen")
        #expect(sheet.contains("<autoFilter ref=\"A1:I3\""))
    }

    @Test("xlsx writer leaves no file when discarded")
    func xlsxDiscard() throws {
        let directory = try Fixture.scratchDirectory()
        let writer = try XLSXWriter(path: directory + "/gone.xlsx")
        try writer.write(Row(number: 1, cells: [Cell(text: "x", type: .text)]))
        writer.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
