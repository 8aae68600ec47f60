import Foundation
import Testing

@testable import Spreadsheet

/// Property-based round trips with a seeded generator of our own: any table of text cells written
/// and read back is the same table. A failing table is shrunk (rows, then columns, then cells
/// shortened) and the smallest one that still fails is printed with its seed.
@Suite("round trips of generated tables")
struct RoundTripPropertyTests {
    typealias Table = [[String]]

    /// SplitMix64: small, seedable, the same on every machine.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Pieces people's cells are made of, and the ones that break writers: quotes, delimiters,
    /// newlines, leading zeros, long digit strings, formula-like starts, every plane of Unicode.
    static let pieces: [String] = [
        "a", "Z", "ñ", "José", "São", "0", "007", "1234567890123456789", "3.14", "-5", "1e5", " ", "  ", "\"", "\"\"",
        ",", ";", "\t", "|", "\n", "\r\n", "'", "=SUM(A1)", "+57 300", "-", "@x", "=", "😀", "👩‍👩‍👧", "𠜎", "中文",
        "\u{E0041}", "\u{10FFFD}", "\u{FEFF}", "\u{200B}", "é", "e\u{301}", "&", "<b>", "]]>", "_x0041_", "TRUE",
        "1985-03-14", "#N/A", "%", "\\",
    ]

    static func table(_ generator: inout Generator) -> Table {
        let columns = 1 + generator.below(5)
        return (0..<(1 + generator.below(6))).map { _ in
            var row = (0..<columns).map { _ -> String in
                (0..<generator.below(5)).map { _ in generator.pick(pieces) }.joined()
            }
            // A row of empty cells is a blank line, which readers skip: every row holds something.
            if row.allSatisfy(\.isEmpty) { row[0] = "x" }
            return row
        }
    }

    /// What a reader gives back: rows of cell texts, trailing empty cells dropped.
    static func normalised(_ table: Table) -> Table {
        table.map { row in
            var row = row
            while let last = row.last, last.isEmpty { row.removeLast() }
            return row
        }
    }

    static func write(_ table: Table, to path: String, format: SpreadsheetFormat) throws {
        let writer = try SpreadsheetWriter.open(path: path, format: format,
                                                options: WriteOptions(delimiter: UInt8(ascii: ",")))
        try writer.writeAll(table.enumerated().map { index, cells in
            Row(number: index + 1, cells: cells.map { Cell(text: $0, type: $0.isEmpty ? .empty : .text) })
        })
    }

    static func read(_ path: String) throws -> Table {
        let reader = try SpreadsheetReader(path: path, options: ReadOptions(delimiter: UInt8(ascii: ",")))
        var rows: Table = []
        while let row = try reader.next() { rows.append(row.cells.map(\.text)) }
        return normalised(rows)
    }

    /// A CSV neutralises text a spreadsheet would run (`=`, `+`, `-`, `@`, tab, CR first) with a `'`.
    static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// Checks `property` on `count` generated tables; on failure, shrinks and records the smallest table.
    func check(_ name: String, count: Int, seed: UInt64, _ property: (Table) throws -> String?) throws {
        var generator = Generator(state: seed)
        for index in 0..<count {
            let table = Self.table(&generator)
            guard try property(table) != nil else { continue }
            let (smallest, why) = try shrink(table, property)
            Issue.record("\(name): table \(index) of seed \(seed) fails; shrunk to \(smallest.map { $0.map { $0.debugDescription } }): \(why)")
            return
        }
    }

    func shrink(_ table: Table, _ property: (Table) throws -> String?) throws -> (Table, String) {
        var current = table
        var why = try property(table) ?? ""
        var progress = true
        while progress {
            progress = false
            var candidates: [Table] = []
            for r in current.indices where current.count > 1 { var t = current; t.remove(at: r); candidates.append(t) }
            let width = current.map(\.count).max() ?? 0
            for c in 0..<width where width > 1 {
                candidates.append(current.map { row in var row = row; if c < row.count { row.remove(at: c) }; return row })
            }
            for r in current.indices {
                for c in current[r].indices where !current[r][c].isEmpty {
                    let cell = current[r][c]
                    for shorter in [String(cell.dropFirst()), String(cell.dropLast()), String(cell.prefix(cell.count / 2))] {
                        var t = current
                        t[r][c] = shorter
                        candidates.append(t)
                    }
                }
            }
            for candidate in candidates where candidate.contains(where: { $0.contains { !$0.isEmpty } }) {
                if let reason = try property(candidate) {
                    current = candidate
                    why = reason
                    progress = true
                    break
                }
            }
        }
        return (current, why)
    }

    @Test("CSV: written and read back, the same table (formula-like text comes back neutralised, once)")
    func csvRoundTrip() throws {
        let folder = try Fixture.scratchDirectory()
        try check("csv", count: 300, seed: 20261203) { table in
            let path = folder + "/t.csv"
            try Self.write(table, to: path, format: .csv)
            let back = try Self.read(path)
            let expected = Self.normalised(table.map { $0.map(Self.neutralised) })
            guard back == expected else { return "read back \(back)" }
            // Written again, neutralised text stays as it is: no second quote.
            try Self.write(back, to: path, format: .csv)
            let again = try Self.read(path)
            return again == back ? nil : "a second trip gave \(again)"
        }
    }

    @Test("xlsx: written and read back, the same table; text never turns into a formula or a number")
    func xlsxRoundTrip() throws {
        let folder = try Fixture.scratchDirectory()
        try check("xlsx", count: 200, seed: 42) { table in
            let path = folder + "/t.xlsx"
            try Self.write(table, to: path, format: .xlsx)
            let back = try Self.read(path)
            return back == Self.normalised(table) ? nil : "read back \(back)"
        }
    }

    @Test("convert xlsx → CSV → xlsx: the same table, formula-like text neutralised by the CSV")
    func convertRoundTrip() throws {
        let folder = try Fixture.scratchDirectory()
        try check("convert", count: 150, seed: 7) { table in
            try Self.write(table, to: folder + "/a.xlsx", format: .xlsx)
            try Self.write(try Self.read(folder + "/a.xlsx"), to: folder + "/b.csv", format: .csv)
            try Self.write(try Self.read(folder + "/b.csv"), to: folder + "/c.xlsx", format: .xlsx)
            let back = try Self.read(folder + "/c.xlsx")
            let expected = Self.normalised(table.map { $0.map(Self.neutralised) })
            return back == expected ? nil : "read back \(back)"
        }
    }

    @Test("a failing table shrinks to the smallest one that still fails")
    func shrinking() throws {
        let table = [["abc", "xñy", "q"], ["1", "2", "=3"], ["", "zz", "ñ😀"]]
        let (smallest, _) = try shrink(table) { $0.joined().joined().contains("ñ") ? "has ñ" : nil }
        #expect(smallest == [["ñ"]])
    }
}
