import Foundation
import Spreadsheet

/// Paths to the checked-in fixtures and scratch files for tests.
enum Fixture {
    static func path(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    /// Reads every row of a file as text.
    static func texts(_ name: String, options: ReadOptions = ReadOptions()) throws -> [[String]] {
        try texts(atPath: path(name), options: options)
    }

    static func texts(atPath path: String, options: ReadOptions = ReadOptions()) throws -> [[String]] {
        let reader = try SpreadsheetReader(path: path, options: options)
        var rows: [[String]] = []
        while let row = try reader.next() { rows.append(row.cells.map(\.text)) }
        return rows
    }

    static func rows(_ name: String, options: ReadOptions = ReadOptions()) throws -> [Row] {
        let reader = try SpreadsheetReader(path: path(name), options: options)
        var rows: [Row] = []
        while let row = try reader.next() { rows.append(row) }
        return rows
    }

    /// A fresh empty folder under the system's temporary folder.
    static func scratchDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("idbatch-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
