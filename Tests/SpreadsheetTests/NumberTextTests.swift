import Testing

@testable import Spreadsheet

@Suite("Numbers and dates as text")
struct NumberTextTests {
    private func number(_ stored: String) -> (String, Bool) {
        var out: [UInt8] = []
        let lost = Array(stored.utf8).withUnsafeBufferPointer { NumberText.appendNumber($0, to: &out) }
        return (String(decoding: out, as: UTF8.self), lost)
    }

    private func date(_ serial: Double, _ kind: NumberText.DateKind, date1904: Bool = false) -> String? {
        var out: [UInt8] = []
        return NumberText.appendDate(serial: serial, kind: kind, date1904: date1904, to: &out)
            ? String(decoding: out, as: UTF8.self) : nil
    }

    @Test("integers print without .0 or exponent; lost digits are flagged", arguments: [
        ("42", "42", false), ("-7", "-7", false), ("1020304050", "1020304050", false), ("42.0", "42", false),
        ("1.0E+3", "1000", false), ("123456789012345", "123456789012345", false),
        ("1234567890123456", "1234567890123456", true), ("1.23456789012346E+18", "1234567890123460000", true),
        ("12345678901234567890", "12345678901234567890", true),
    ])
    func integers(stored: String, shown: String, lost: Bool) {
        #expect(number(stored) == (shown, lost))
    }

    @Test("fractions show at most 15 significant digits, never an exponent", arguments: [
        ("0.1", "0.1"), ("0.30000000000000004", "0.3"), ("-3.5", "-3.5"), ("1E-05", "0.00001"),
        ("1.5E-10", "0.00000000015"), ("3.14159265358979", "3.14159265358979"),
    ])
    func fractions(stored: String, shown: String) {
        #expect(number(stored).0 == shown)
    }

    @Test("serials become ISO dates in both date systems", arguments: [
        (1.0, false, "1900-01-01"), (59.0, false, "1900-02-28"), (61.0, false, "1900-03-01"),
        (45292.0, false, "2024-01-01"), (2958465.0, false, "9999-12-31"), (0.0, true, "1904-01-01"),
        (43830.0, true, "2024-01-01"),
    ])
    func serials(serial: Double, date1904: Bool, shown: String) {
        #expect(date(serial, .date, date1904: date1904) == shown)
    }

    @Test("1900-02-29 and negative serials are not dates")
    func notDates() {
        #expect(date(60, .date) == nil)
        #expect(date(-1, .date) == nil)
    }

    @Test("times and date-times")
    func times() {
        #expect(date(45292.75, .dateTime) == "2024-01-01T18:00:00")
        #expect(date(0.5, .time) == "12:00:00")
        #expect(date(45292.999999999, .dateTime) == "2024-01-02T00:00:00")
        // A time format shows the time of day even when the serial carries days; elapsed formats run past 24 h.
        #expect(date(1.75, .time) == "18:00:00")
        #expect(date(45292.5, .time) == "12:00:00")
        #expect(date(10 + (10 * 3600 + 10 * 60 + 10) / 86_400.0, .duration) == "250:10:10")
        #expect(date(0.25, .duration) == "6:00:00")
    }

    @Test("number formats that show dates", arguments: [
        (14, nil, NumberText.DateKind.date), (22, nil, .dateTime), (20, nil, .time), (47, nil, .time), (46, nil, .duration),
        (0, nil, .none), (49, nil, .none), (164, "dd/mm/yyyy", .date), (164, "[$-409]d-mmm-yy;@", .date),
        (164, "yyyy\\-mm\\-dd\\ hh:mm", .dateTime), (164, "\"Day\" 0", .none), (164, "0.00%", .none),
        (164, "[Red]#,##0", .none), (164, "h:mm AM/PM", .time), (164, "[h]:mm:ss", .duration), (164, "[mm]:ss", .duration), (164, "mmm", .date),
        (164, "General", .none), (164, "@", .none), (164, "\"dmy\"@", .none),
    ] as [(Int, String?, NumberText.DateKind)])
    func formats(id: Int, code: String?, kind: NumberText.DateKind) {
        #expect(NumberText.dateKind(numFmtId: id, code: code) == kind)
    }

    @Test("column letters")
    func columns() {
        #expect(ColumnName.letters(0) == "A")
        #expect(ColumnName.letters(27) == "AB")
        #expect(ColumnName.letters(16_383) == "XFD")
        #expect(ColumnName.index("xfd") == 16_383)
        #expect(ColumnName.index("A1") == nil)
    }
}
