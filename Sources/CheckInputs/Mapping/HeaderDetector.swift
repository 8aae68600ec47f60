import Spreadsheet

/// Finds the header among a sheet's first rows: spreadsheets people make often have a title, a
/// date or instructions above it. The header is the row, among the first ``candidates`` non-blank
/// rows, where the most cells name an input; when no row names any, it is the first non-blank row.
public enum HeaderDetector {
    public static let candidates = 10

    /// The index in `rows` of the header (`rows` are the sheet's first non-blank rows, in order).
    public static func headerIndex(in rows: [Row], mapper: ColumnMapper) -> Int? {
        guard !rows.isEmpty else { return nil }
        var best = (index: 0, score: 0)
        for (index, row) in rows.prefix(candidates).enumerated() {
            let texts = row.cells.map(\.text)
            // Cells that are numbers or dates are data, not headers.
            guard row.cells.allSatisfy({ $0.type == .text || $0.type == .empty }) else { continue }
            var automatic = mapper
            automatic.bindings = []
            let score = (try? automatic.map(header: texts))?.matches.count ?? 0
            if score > best.score { best = (index, score) }
        }
        return best.index
    }
}
