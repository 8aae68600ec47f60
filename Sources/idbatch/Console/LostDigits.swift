import Spreadsheet

/// Counts numbers that had more than 15 digits, per column, to warn that Excel already changed them
/// (an ID typed as a number past 15 digits has its last digits zeroed).
struct LostDigits {
    private var counts: [Int: Int] = [:]

    mutating func record(_ row: Row) {
        guard row.hasLostDigits else { return }
        for column in row.columnsWithLostDigits { counts[column, default: 0] += 1 }
    }

    func warnings(header: [String]) -> [String] {
        counts.keys.sorted().map { column in
            let text = column < header.count ? header[column] : ""
            let name = text.isEmpty ? "" : " (\(text))"
            return "column \(ColumnName.letters(column))\(name): \(counts[column]!) number(s) have more than 15 digits; "
                + "Excel keeps only 15, so the rest were lost. Format the column as text and type them again."
        }
    }
}
