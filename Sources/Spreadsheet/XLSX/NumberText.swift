#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the numbers stored in sheet XML into the text a person expects to see.
enum NumberText {
    /// How a number format shows a value.
    enum DateKind: UInt8 {
        case none
        case date
        case dateTime
        /// A time of day (`h:mm`): the day part of the serial is not shown.
        case time
        /// Elapsed time (`[h]:mm:ss`): hours run past 24.
        case duration
    }

    /// Writes the display text of a stored number (`<v>` bytes) into `out`; returns whether digits
    /// were lost (an integer of 16 or more digits, past what Excel keeps).
    ///
    /// Integers print as integers, without `.0` or exponent; other numbers print with at most 15
    /// significant digits (as Excel shows them) and never in exponent form.
    static func appendNumber(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        if let digits = plainIntegerDigits(value) {
            out.append(contentsOf: value)
            return digits > 15
        }
        if appendPlainDecimal(value, to: &out) { return false }
        guard let x = parseDouble(value), x.isFinite else {
            out.append(contentsOf: value)
            return false
        }
        return appendDouble(x, to: &out)
    }

    /// Display text of a double; returns whether it is an integer past 15 digits.
    static func appendDouble(_ x: Double, to out: inout [UInt8]) -> Bool {
        if x == x.rounded(), abs(x) < 1e15 {
            appendInteger(Int64(x), to: &out)
            return false
        }
        if x == x.rounded(), abs(x) < 1e21 {
            // Past 15 digits a double holds no more than Excel kept: show 15 and zeros, as Excel's "0" format does.
            var text: [UInt8] = []
            appendFormatted(x, format: "%.15g", to: &text)
            out.append(contentsOf: expandExponent(text))
            return true
        }
        var text: [UInt8] = []
        appendFormatted(x, format: "%.15g", to: &text)
        if text.contains(UInt8(ascii: "e")) {
            out.append(contentsOf: expandExponent(text))
        } else {
            out.append(contentsOf: text)
        }
        return false
    }

    /// Copies a plain decimal literal (`-12.50`) of at most 15 significant digits without trailing
    /// zeros, the common case, with no parsing or formatting; false for anything else.
    @inline(__always)
    static func appendPlainDecimal(_ value: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        var i = value.first == UInt8(ascii: "-") ? 1 : 0
        var point = -1
        var significant = 0
        var leading = true
        while i < value.count {
            let c = value[i]
            if c == UInt8(ascii: ".") {
                guard point < 0 else { return false }
                point = i
            } else if c >= 48 && c <= 57 {
                if c != 48 { leading = false }
                if !leading { significant += 1 }
            } else {
                return false
            }
            i += 1
        }
        guard point > (value.first == UInt8(ascii: "-") ? 1 : 0), point < value.count - 1, significant <= 15 else {
            return false
        }
        var end = value.count
        while end > point + 1 && value[end - 1] == 48 { end -= 1 }
        if end == point + 1 { end = point }  // "42.0" → "42"
        if value.first == UInt8(ascii: "-") && end == 2 && value[1] == 48 && point == 2 && end == point {
            out.append(48)  // "-0.0" → "0"
            return true
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: value[0..<end]))
        return true
    }

    /// Digits in a plain (optionally negative) integer literal, or nil when it is anything else.
    @inline(__always)
    static func plainIntegerDigits(_ value: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !value.isEmpty else { return nil }
        var i = 0
        if value[0] == UInt8(ascii: "-") { i = 1 }
        guard i < value.count else { return nil }
        if value[i] == UInt8(ascii: "0") && value.count - i > 1 { return nil }
        let first = i
        while i < value.count {
            let c = value[i]
            guard c >= 48 && c <= 57 else { return nil }
            i += 1
        }
        return value.count - first
    }

    private static let powersOfTen: [Double] = (0...22).map { pow10($0) }

    private static func pow10(_ n: Int) -> Double {
        var x = 1.0
        for _ in 0..<n { x *= 10 }
        return x
    }

    static func parseDouble(_ value: UnsafeBufferPointer<UInt8>) -> Double? {
        // Fast path (Clinger): a plain decimal whose digits fit in 2^53 and whose scale is at most
        // 10^22 converts exactly with one division, both operands being exact doubles.
        var i = 0
        var negative = false
        if value.first == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = -1
        var plain = i < value.count
        while i < value.count {
            let c = value[i]
            if c >= 48 && c <= 57 {
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                digits += 1
                if scale >= 0 { scale += 1 }
            } else if c == UInt8(ascii: ".") && scale < 0 {
                scale = 0
            } else {
                plain = false
                break
            }
            i += 1
        }
        if plain && digits > 0 && digits <= 15 && scale != 0 {
            let x = Double(mantissa) / powersOfTen[max(scale, 0)]
            return negative ? -x : x
        }
        return parseDoubleSlow(value)
    }

    private static func parseDoubleSlow(_ value: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !value.isEmpty, value.count < 400 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: value.count + 1) { buffer in
            for i in 0..<value.count { buffer[i] = CChar(bitPattern: value[i]) }
            buffer[value.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let x = strtod(buffer.baseAddress!, &end)
            guard let end, end - buffer.baseAddress! == value.count else { return nil }
            return x
        }
    }

    @inline(__always)
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(48)
            return
        }
        var v = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = 0
            while v > 0 {
                digits[n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            }
            while n > 0 {
                n -= 1
                out.append(digits[n])
            }
        }
    }

    private static func appendFormatted(_ x: Double, format: String, to out: inout [UInt8]) {
        var buffer = [CChar](repeating: 0, count: 400)
        let n = Int(withVaList([x]) { vsnprintf(&buffer, 400, format, $0) })
        out.append(contentsOf: buffer[0..<min(n, 399)].map { UInt8(bitPattern: $0) })
    }

    /// `1.5e-05` → `0.000015`, `1.25e+20` → `125000000000000000000`.
    static func expandExponent(_ text: [UInt8]) -> [UInt8] {
        guard let e = text.firstIndex(of: UInt8(ascii: "e")) else { return text }
        var mantissa = Array(text[..<e])
        let exponent = Int(String(decoding: text[(e + 1)...], as: UTF8.self)) ?? 0
        var negative = false
        if mantissa.first == UInt8(ascii: "-") {
            negative = true
            mantissa.removeFirst()
        }
        var digits = mantissa.filter { $0 != UInt8(ascii: ".") }
        let pointAt = (mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.count) + exponent
        var result: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if pointAt <= 0 {
            result += Array("0.".utf8) + [UInt8](repeating: 48, count: -pointAt) + digits
        } else if pointAt >= digits.count {
            digits += [UInt8](repeating: 48, count: pointAt - digits.count)
            result += digits
        } else {
            result += digits[..<pointAt] + [UInt8(ascii: ".")] + digits[pointAt...]
        }
        return result
    }

    // MARK: Dates

    /// Writes an Excel serial as an ISO date, date-time or time; returns false when the serial is
    /// not a date (negative, too large, or 1900-02-29, which never existed).
    static func appendDate(serial: Double, kind: DateKind, date1904: Bool, to out: inout [UInt8]) -> Bool {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return false }
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
        switch kind {
        case .time:
            // Excel shows only the time of day, whatever whole days the serial holds.
            appendTime(seconds, to: &out)
            return true
        case .duration:
            // `[h]:mm:ss`: 10.4237 days shows as 250:10:10.
            let hours = days * 24 + seconds / 3600
            out.append(contentsOf: String(hours).utf8)
            out.append(UInt8(ascii: ":"))
            append2(seconds / 60 % 60, to: &out)
            out.append(UInt8(ascii: ":"))
            append2(seconds % 60, to: &out)
            return true
        default:
            break
        }
        let unixDays: Int
        if date1904 {
            unixDays = days - 24_107
        } else if days < 60 {
            unixDays = days - 25_568  // 1899-12-31 + days: before the Lotus leap-year bug
        } else if days == 60 {
            return false  // 1900-02-29
        } else {
            unixDays = days - 25_569  // 1899-12-30 + days
        }
        let (y, m, d) = civil(fromDays: unixDays)
        append4(y, to: &out)
        out.append(UInt8(ascii: "-"))
        append2(m, to: &out)
        out.append(UInt8(ascii: "-"))
        append2(d, to: &out)
        if kind == .dateTime {
            out.append(UInt8(ascii: "T"))
            appendTime(seconds, to: &out)
        }
        return true
    }

    private static func appendTime(_ seconds: Int, to out: inout [UInt8]) {
        append2(seconds / 3600, to: &out)
        out.append(UInt8(ascii: ":"))
        append2(seconds / 60 % 60, to: &out)
        out.append(UInt8(ascii: ":"))
        append2(seconds % 60, to: &out)
    }

    @inline(__always) private static func append2(_ v: Int, to out: inout [UInt8]) {
        out.append(UInt8(48 + v / 10 % 10))
        out.append(UInt8(48 + v % 10))
    }

    @inline(__always) private static func append4(_ v: Int, to out: inout [UInt8]) {
        out.append(UInt8(48 + v / 1000 % 10))
        out.append(UInt8(48 + v / 100 % 10))
        out.append(UInt8(48 + v / 10 % 10))
        out.append(UInt8(48 + v % 10))
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    // MARK: Number formats

    /// Whether a number format shows dates or times: built-in ids 14-22 and 45-47 (46 is elapsed
    /// time), or a custom
    /// code with d, m, y (date) or h, s (time) outside quotes, brackets and escapes.
    static func dateKind(numFmtId: Int, code: String?) -> DateKind {
        switch numFmtId {
        case 14...17: return .date
        case 18...21, 45, 47: return .time
        case 46: return .duration  // [h]:mm:ss
        case 22: return .dateTime
        default: break
        }
        guard let code else { return .none }
        return dateKind(code: code)
    }

    static func dateKind(code: String) -> DateKind {
        // Only the first section decides (positive numbers).
        var date = false, time = false, month = false, elapsed = false
        var inQuote = false, inBracket = false, escape = false
        var bracket: [Character] = []
        for ch in code {
            if escape { escape = false; continue }
            if inQuote { if ch == "\"" { inQuote = false }; continue }
            if inBracket {
                if ch == "]" {
                    inBracket = false
                    // Elapsed-time brackets such as [h] or [mm] are times.
                    let inner = String(bracket).lowercased()
                    if !inner.isEmpty, inner.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) {
                        time = true
                        elapsed = true
                    }
                    bracket.removeAll()
                } else {
                    bracket.append(ch)
                }
                continue
            }
            switch ch {
            case "\"": inQuote = true
            case "[": inBracket = true
            case "\\", "_", "*": escape = true
            case ";": return kind(date: date, time: time, month: month, elapsed: elapsed)
            case "d", "D", "y", "Y": date = true
            case "m", "M": month = true
            case "h", "H", "s", "S": time = true
            case "0", "#", "?", "@", "%":
                if !date && !time && !month { return .none }
            default: break
            }
        }
        return kind(date: date, time: time, month: month, elapsed: elapsed)
    }

    private static func kind(date: Bool, time: Bool, month: Bool, elapsed: Bool) -> DateKind {
        let hasDate = date || (month && !time)
        switch (hasDate, time) {
        case (true, true): return .dateTime
        case (true, false): return .date
        case (false, true): return elapsed ? .duration : .time
        default: return .none
        }
    }
}

/// Excel date serials for code outside the reader (a serial typed into a column not formatted as a date).
public enum ExcelDate {
    /// `YYYY-MM-DD` for a whole-day serial in the 1900 or 1904 system; nil when it is not a date
    /// (negative, too large, or 1900-02-29).
    public static func isoDate(serial: Double, date1904: Bool = false) -> String? {
        var bytes: [UInt8] = []
        guard NumberText.appendDate(serial: serial, kind: .date, date1904: date1904, to: &bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
