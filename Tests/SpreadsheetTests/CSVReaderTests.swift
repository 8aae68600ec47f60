import Foundation
import Testing

@testable import Spreadsheet

@Suite("Reading CSV")
struct CSVReaderTests {
    @Test("reads Excel's Windows-1252 ';' export and says so")
    func windows1252() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("excel-es-1252.csv"))
        #expect(reader.encoding == .windows1252)
        #expect(reader.delimiter == UInt8(ascii: ";"))
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row.cells.map(\.text)) }
        #expect(rows == [["Cédula", "Nombre", "Teléfono"], ["0012345", "Ñusta Peña", "+51 987654321"],
                         ["98765432", "José Müller", "+51 912345678"]])
        #expect(reader.warnings.contains { $0.contains("Windows-1252") })
    }

    @Test("reads UTF-16 with a BOM, tab-delimited, astral characters included")
    func utf16() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("excel-utf16.csv"))
        #expect(reader.encoding == .utf16LE)
        #expect(reader.delimiter == 9)
        #expect(try Fixture.texts("excel-utf16.csv") == [["CPF", "Nome"], ["39053344705", "João 😀"]])
    }

    @Test("handles quotes, doubled quotes, newlines in quotes, CR endings, a BOM and ragged rows")
    func rfc4180() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("rfc4180.csv"))
        #expect(reader.encoding == .utf8BOM)
        var rows: [Row] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows.map { $0.cells.map(\.text) } == [
            ["id", "name", "note"], ["1", "Ana \"la\" Pérez", "line one\nline two"], ["2", "Bo", ""], ["3", "Cy"],
        ])
        #expect(rows.map(\.number) == [1, 2, 3, 4])
        #expect(reader.warnings.contains { $0.contains("rows 4") })
    }

    @Test("reports an unterminated quote with its row")
    func unterminated() throws {
        let error = #expect(throws: SpreadsheetError.self) { _ = try Fixture.texts("unterminated.csv") }
        #expect(error?.code == .unterminatedQuote)
        #expect(error?.row == 2)
    }

    @Test("refuses an empty file")
    func empty() throws {
        let error = #expect(throws: SpreadsheetError.self) { _ = try Fixture.texts("bad-empty.csv") }
        #expect(error?.code == .emptyFile)
    }

    @Test("sniffs the delimiter, or takes the one given", arguments: [
        ("a,b;c\n1,2;3\n4,5;6\n", nil, [["a,b", "c"], ["1,2", "3"], ["4,5", "6"]]),
        ("a,b,c;d\n1,2,3;4\n", nil, [["a", "b", "c;d"], ["1", "2", "3;4"]]),
        ("a;b,c\n1;2,3\n", nil, [["a", "b,c"], ["1", "2,3"]]),
        ("a|b\n1|2\n", nil, [["a", "b"], ["1", "2"]]),
        ("a;b,c\n1;2,3\n", UInt8(ascii: ","), [["a;b", "c"], ["1;2", "3"]]),
        ("solo\nuno\n", nil, [["solo"], ["uno"]]),
        ("\"x;y\",z\n\"1;2\",3\n", nil, [["x;y", "z"], ["1;2", "3"]]),
    ] as [(String, UInt8?, [[String]])])
    func delimiters(text: String, delimiter: UInt8?, expected: [[String]]) throws {
        let path = try Fixture.scratchDirectory() + "/d.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try Fixture.texts(atPath: path, options: ReadOptions(delimiter: delimiter)) == expected)
    }

    @Test("keeps reading across buffer boundaries, with fields longer than a buffer")
    func largeFile() throws {
        let path = try Fixture.scratchDirectory() + "/big.csv"
        var text = "id;nombre;nota\r\n"
        let long = String(repeating: "ñ", count: 300_000)
        for i in 1...5_000 { text += "\(i);\"Pérez; \"\"\(i)\"\"\";\(i == 2_500 ? long : "x")\r\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let rows = try Fixture.texts(atPath: path)
        #expect(rows.count == 5_001)
        #expect(rows[2_500] == ["2500", "Pérez; \"2500\"", long])
        #expect(rows[5_000] == ["5000", "Pérez; \"5000\"", "x"])
    }

    @Test("UTF-8 validation agrees with the standard library on 50,000 sequences built from edge bytes")
    func utf8Validation() {
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF,
                              0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        var disagreements: [[UInt8]] = []
        for _ in 0..<50_000 {
            // Mostly ASCII runs (the eight-byte skip) with edge bytes between them.
            let bytes = (0..<random(24)).map { _ in random(3) == 0 ? UInt8(ascii: "a") : edges[random(edges.count)] }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            if bytes.withUnsafeBufferPointer({ UTF8Validation.isValid($0) }) != expected { disagreements.append(bytes) }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.first ?? [])")

        // A sample cut inside a character is valid only when what is there could begin one.
        let text = Array("año € 𝄞".utf8)
        for end in 0...text.count {
            #expect(text[0..<end].withUnsafeBufferPointer { UTF8Validation.isValid($0, allowTruncatedEnd: true) })
        }
        #expect(![0x61, 0xE0, 0x80].withUnsafeBufferPointer { UTF8Validation.isValid($0, allowTruncatedEnd: true) })
        #expect(![0x61, 0xF4, 0x90].withUnsafeBufferPointer { UTF8Validation.isValid($0, allowTruncatedEnd: true) })
        #expect(![0x61, 0xC3].withUnsafeBufferPointer { UTF8Validation.isValid($0) })
    }

    @Test("a UTF-8 file with one Windows-1252 row megabytes in: that row is repaired, the others are kept")
    func windows1252RowFarIn() throws {
        let path = try Fixture.scratchDirectory() + "/mixed.csv"
        var bytes = Array("documento;nombre;ciudad\n".utf8)
        let count = 40_000
        for i in 1...count {
            if i == 30_000 {
                // Typed in an old tool: Windows-1252 "José Peña" and "Bogotá".
                bytes += Array("\(i);".utf8) + [0x4A, 0x6F, 0x73, 0xE9, 0x20, 0x50, 0x65, 0xF1, 0x61, 0x3B]
                bytes += [0x42, 0x6F, 0x67, 0x6F, 0x74, 0xE1, 0x0A]
            } else {
                bytes += Array("\(i);José Peña \(i);Bogotá\n".utf8)
            }
        }
        #expect(bytes.count > 1 << 20, "the bad row sits several read chunks in")
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let reader = try SpreadsheetReader(path: path)
        #expect(reader.encoding == .utf8)
        #expect(try reader.next()?.cells.map(\.text) == ["documento", "nombre", "ciudad"])
        var mismatches = 0
        for i in 1...count {
            let expected = i == 30_000 ? ["\(i)", "José Peña", "Bogotá"] : ["\(i)", "José Peña \(i)", "Bogotá"]
            if try reader.next()?.cells.map(\.text) != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(try reader.next() == nil)
        #expect(reader.warnings.contains { $0.contains("row 30001") && $0.contains("Windows-1252") })
    }
}
