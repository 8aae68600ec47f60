import Spreadsheet

/// Fixtures and harness helpers shared by the test targets; no assertions here.
public enum SheetTable {
    /// The data rows of a report or error file as the header names them: header text → cell text,
    /// a missing trailing cell read as empty. The first row is the header.
    public static func rows(_ path: String) throws -> [[String: String]] {
        let reader = try SpreadsheetReader(path: path)
        var header: [String] = []
        var rows: [[String: String]] = []
        while let row = try reader.next() {
            let cells = row.cells.map(\.text)
            if header.isEmpty {
                header = cells
                continue
            }
            var values: [String: String] = [:]
            for (index, name) in header.enumerated() where values[name] == nil {
                values[name] = index < cells.count ? cells[index] : ""
            }
            rows.append(values)
        }
        return rows
    }
}
