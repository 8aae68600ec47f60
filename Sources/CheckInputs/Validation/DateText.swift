import Spreadsheet

/// Dates as people type them into spreadsheets, to `YYYY-MM-DD`.
///
/// Which of day and month comes first in `3/4/1990` is decided per column, from every value in it
/// (``DateOrder/Evidence``), never per cell: a column where some value only makes sense day-first
/// is read day-first throughout.
public enum DateOrder: String, Sendable, Codable, CaseIterable {
    case dayFirst = "day-first"
    case monthFirst = "month-first"

    /// What a column's values say about their order.
    public struct Evidence: Sendable, Equatable {
        /// Values that only parse day-first (first number above 12).
        public var dayFirst = 0
        /// Values that only parse month-first (second number above 12).
        public var monthFirst = 0

        public init() {}

        public mutating func record(_ text: String) {
            guard case .numeric(let a, let b, _)? = DateText.fields(text) else { return }
            if a > 12 && b <= 12 { dayFirst += 1 }
            if b > 12 && a <= 12 { monthFirst += 1 }
        }

        /// The column's order: nil when its values contradict each other; `fallback` when nothing decides.
        public func order(fallback: DateOrder) -> DateOrder? {
            switch (dayFirst > 0, monthFirst > 0) {
            case (true, true): return nil
            case (true, false): return .dayFirst
            case (false, true): return .monthFirst
            case (false, false): return fallback
            }
        }
    }
}

public enum DateText {
    enum Fields: Equatable {
        /// `a/b/yyyy` with separators `/`, `-` or `.`.
        case numeric(Int, Int, year: Int)
        /// `yyyy-mm-dd`, `yyyy/mm/dd`, `yyyymmdd`.
        case iso(year: Int, month: Int, day: Int)
        /// `12-abr-1990`, `12 de abril de 1990`.
        case named(day: Int, month: Int, year: Int)
    }

    private static let months: [String: Int] = {
        var table: [String: Int] = [:]
        let names = [
            ["enero", "jan", "january", "janeiro", "ene"], ["febrero", "feb", "february", "fevereiro", "fev"],
            ["marzo", "mar", "march", "marco"], ["abril", "abr", "apr", "april"], ["mayo", "may", "maio", "mai"],
            ["junio", "jun", "june", "junho"], ["julio", "jul", "july", "julho"],
            ["agosto", "ago", "aug", "august"], ["septiembre", "sep", "sept", "setiembre", "set", "september", "setembro"],
            ["octubre", "oct", "out", "october", "outubro"], ["noviembre", "nov", "november", "novembro"],
            ["diciembre", "dic", "dec", "december", "dezembro", "dez"],
        ]
        for (index, list) in names.enumerated() { for name in list { table[name] = index + 1 } }
        return table
    }()

    /// 1-12 for a month name or abbreviation in Spanish, Portuguese or English.
    static func month(named text: String) -> Int? { months[HeaderText.normalise(text)] }

    /// `a/b/yyyy`, `yyyy-mm-dd`, `yyyymmdd` read from the bytes, with an optional time after a `T` or
    /// a space, read from the bytes; nil when the text is anything else.
    private static func numericFields(_ text: String) -> Fields? {
        var numbers = (0, 0, 0)
        var widths = (0, 0, 0)
        var index = 0
        var separator: UInt8 = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int(byte - 48)
                switch index {
                case 0: numbers.0 = numbers.0 * 10 + digit; widths.0 += 1
                case 1: numbers.1 = numbers.1 * 10 + digit; widths.1 += 1
                default: numbers.2 = numbers.2 * 10 + digit; widths.2 += 1
                }
                if widths.0 > 8 || widths.1 > 4 || widths.2 > 4 { return nil }
            case UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "."):
                guard index < 2, separator == 0 || separator == byte else { return nil }
                separator = byte
                index += 1
            case UInt8(ascii: "T"), UInt8(ascii: " "):
                guard index == 2 || (index == 0 && widths.0 == 8) else { return nil }
                return finish(numbers, widths, index)
            default:
                return nil
            }
        }
        return finish(numbers, widths, index)
    }

    private static func finish(_ n: (Int, Int, Int), _ w: (Int, Int, Int), _ index: Int) -> Fields? {
        if index == 0 && w.0 == 8 { return .iso(year: n.0 / 10_000, month: n.0 / 100 % 100, day: n.0 % 100) }
        guard index == 2, w.0 > 0, w.1 > 0, w.2 > 0, w.1 <= 2 else { return nil }
        if w.0 == 4 && w.2 <= 2 { return .iso(year: n.0, month: n.1, day: n.2) }
        if w.0 <= 2 && w.2 == 4 { return .numeric(n.0, n.1, year: n.2) }
        return nil
    }

    static func fields(_ raw: String) -> Fields? {
        let text = raw.trimmed
        if let numeric = numericFields(text) { return numeric }
        // Month names: `12-abr-1990`, `12 de abril de 1990`, `12 abr. 1990`.
        let words = HeaderText.normalise(text).split(separator: " ").filter { $0 != "de" && $0 != "del" }
        if words.count == 3, let day = Int(words[0]), let month = months[String(words[1])], words[2].count == 4,
            let year = Int(words[2])
        {
            return .named(day: day, month: month, year: year)
        }
        return nil
    }

    /// `YYYY-MM-DD` for a cell, or a message saying what is wrong. `order` decides `a/b/yyyy`;
    /// nil means the column mixes orders and such values are refused.
    public static func parse(_ text: String, type: CellType, order: DateOrder?) -> Result<String, DateError> {
        if type == .number {
            // A serial number in a column that is not formatted as a date.
            // Serial 0 is Excel's "1900-01-00": not a date either.
            guard let serial = Double(text), serial == serial.rounded(), serial >= 1,
                let date = ExcelDate.isoDate(serial: serial)
            else {
                return .failure(.init(.dateIsNumber))
            }
            return .success(date)
        }
        guard let fields = fields(text) else {
            return .failure(.init(.dateUnreadable))
        }
        let (year, month, day): (Int, Int, Int)
        switch fields {
        case .iso(let y, let m, let d), .named(let d, let m, let y):
            (year, month, day) = (y, m, d)
        case .numeric(let a, let b, let y):
            guard let order else {
                return .failure(.init(.dateAmbiguous))
            }
            (year, month, day) = order == .dayFirst ? (y, b, a) : (y, a, b)
        }
        guard (1900...2100).contains(year), IDChecks.isDate(year: year, month: month, day: day) else {
            return .failure(.init(.dateNotReal))
        }
        return .success(iso(year, month, day))
    }

    static func iso(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// Why a value is not a date: a message whose one argument is the input's name.
    public struct DateError: Error, Sendable, Equatable {
        public var key: MessageKey
        init(_ key: MessageKey) { self.key = key }

        /// The message about `input` ("date_of_birth is …").
        public func message(_ input: String) -> Message { Message(key, input) }
    }
}
