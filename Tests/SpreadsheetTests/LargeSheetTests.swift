import Foundation
import Testing

@testable import Spreadsheet

/// Sheets big enough to cross the reader's chunk and thread boundaries.
@Suite("Large sheets")
struct LargeSheetTests {
    @Test("a row whose XML spans several parser chunks is read whole, between ordinary rows")
    func rowAcrossChunks() throws {
        let path = try Fixture.scratchDirectory() + "/wide.xlsx"
        let writer = try XLSXWriter(path: path, options: .init(header: false))
        try writer.write(Row(number: 1, cells: [Cell(text: "antes", type: .text)]))
        let wide = (0..<16_000).map { Cell(text: "celda número \($0)", type: .text) }
        try writer.write(Row(number: 2, cells: wide))
        try writer.write(Row(number: 3, cells: [Cell(text: "después", type: .text)]))
        try writer.close()

        let rows = try Fixture.texts(atPath: path)
        #expect(rows.count == 3)
        #expect(rows[0] == ["antes"])
        #expect(rows[1] == wide.map(\.text))
        #expect(rows[2] == ["después"])
    }

    @Test("shared strings loaded on their own thread resolve in every row, as Excel orders them")
    func sharedStringsConcurrently() throws {
        let path = try Fixture.scratchDirectory() + "/sst.xlsx"
        let writer = try XLSXWriter(path: path, options: .init(header: false, sharedStrings: true))
        let count = 40_000
        for i in 0..<count {
            try writer.write(Row(number: i + 1, cells: [
                Cell(text: "persona\(i)@correo.example.com", type: .text), Cell(text: "\(i)", type: .number),
                Cell(text: i % 2 == 0 ? "par" : "impar", type: .text), Cell(text: "Calle \(i) # \(i % 97)", type: .text),
            ]))
        }
        try writer.close()
        let archive = try ZipArchive(path: path, limits: .default)
        #expect(archive.contains("xl/sharedStrings.xml"), "the workbook uses a shared-strings table")

        let reader = try SpreadsheetReader(path: path)
        var i = 0
        while let row = try reader.next() {
            #expect(row.number == i + 1)
            if row.cells.map(\.text) != ["persona\(i)@correo.example.com", "\(i)", i % 2 == 0 ? "par" : "impar",
                                         "Calle \(i) # \(i % 97)"]
            {
                Issue.record("row \(i + 1) differs")
                break
            }
            i += 1
        }
        #expect(i == count)
    }

    @Test("a reader dropped halfway stops its threads and frees its file")
    func abandonedReader() throws {
        let path = try Fixture.scratchDirectory() + "/half.xlsx"
        let writer = try XLSXWriter(path: path, options: .init(header: false, sharedStrings: true))
        for i in 0..<20_000 { try writer.write(Row(number: i + 1, cells: [Cell(text: "v\(i)", type: .text)])) }
        try writer.close()
        for _ in 0..<20 {
            let reader = try SpreadsheetReader(path: path)
            for _ in 0..<10 { _ = try reader.next() }
        }
        #expect(try Fixture.texts(atPath: path).count == 20_000)
    }

    @Test("a prefetcher dropped while its thread waits for room is freed, and its thread ends (a fuzzer's leak)")
    func droppedPrefetcherIsFreed() throws {
        // An endless source: the reading thread fills the ring and waits for the consumer to take more.
        final class Endless: @unchecked Sendable {
            func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
                buffer.initializeMemory(as: UInt8.self, repeating: 0x61)
                return buffer.count
            }
        }
        weak var dropped: ChunkPrefetcher?
        weak var source: Endless?
        do {
            let endless = Endless()
            source = endless
            let prefetcher = ChunkPrefetcher(chunkSize: 4_096, depth: 2) { endless.read(into: $0) }
            dropped = prefetcher
            #expect(try prefetcher.nextChunk()?.filled == 4_096)
        }
        // Before the fix the thread held the prefetcher: neither was ever freed, nor the thread joined.
        #expect(dropped == nil)
        #expect(source == nil)
    }

    @Test("damage 3,000 rows into a sheet: every row before it is read, then the error names the part")
    func lateDamage() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("bad-malformed-late.xlsx"))
        var numbers: [Int] = []
        let error = #expect(throws: SpreadsheetError.self) {
            while let row = try reader.next() { numbers.append(row.number) }
        }
        #expect(error?.code == .malformedXML)
        #expect(error?.part == "xl/worksheets/sheet1.xml")
        #expect(numbers == Array(1...3000))
    }

    @Test("a cell pointing past the shared strings is an error at its row, after the rows before it")
    func sharedStringOutOfRange() throws {
        let reader = try SpreadsheetReader(path: Fixture.path("bad-shared-index.xlsx"))
        #expect(try reader.next()?.cells.map(\.text) == ["uno"])
        let error = #expect(throws: SpreadsheetError.self) { _ = try reader.next() }
        #expect(error?.code == .malformedXML)
        #expect(error?.row == 2)
        #expect(error?.description.contains("shared string 6, but the workbook has only 1") == true)
    }
}
