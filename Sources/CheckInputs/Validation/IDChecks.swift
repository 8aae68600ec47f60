import Spreadsheet

/// Check-digit and format rules for LATAM IDs, from the published algorithms (python-stdnum's
/// `cl/rut`, `br/cpf`, `mx/curp`, `mx/rfc`, `co/nit`, `pe/cui`; Receita Federal's note 49/2024 for
/// the alphanumeric CNPJ). See `../shared/notes/field-notes.md` section 3 for sources and vectors.
public enum IDChecks {
    /// Checks `raw` as an ID of `kind`.
    ///
    /// `cellType` says what the spreadsheet held: a *number* in an ID column may have lost its
    /// leading zeros (flagged, never padded silently) or, past 15 digits, its last digits.
    public static func check(_ raw: String, as kind: IDKind, cellType: CellType = .text,
                             precisionLost: Bool = false) -> IDCheckResult {
        let id = normalise(raw, kind: kind)
        guard !id.isEmpty else {
            return IDCheckResult(normalised: id, issues: [IDIssue(.empty, Message(.idEmpty, kind.label))])
        }
        if precisionLost {
            return IDCheckResult(normalised: id, issues: [IDIssue(.precisionLost, Message(.precisionLost, kind.label))])
        }
        if cellType == .number, let digits = kind.fixedDigits, id.count < digits, id.allSatisfy(\.isASCIIDigit) {
            return IDCheckResult(normalised: id, issues: [IDIssue(.leadingZerosLost, Message(.idLeadingZerosLost, kind.label, String(id.count), String(digits)))])
        }
        let issues: [IDIssue]
        switch kind {
        case .chileRUT: issues = chileRUT(id)
        case .brazilCPF: issues = brazilCPF(id)
        case .brazilCNPJ: issues = brazilCNPJ(id)
        case .mexicoCURP: issues = mexicoCURP(id)
        case .mexicoRFC: issues = mexicoRFC(id)
        case .colombiaNIT: issues = colombiaNIT(id)
        case .colombiaCedula: issues = colombiaCedula(id)
        case .peruDNI: issues = peruDNI(id)
        }
        return IDCheckResult(normalised: id, issues: issues)
    }

    /// Trims, drops display punctuation (`.` `-` `/` spaces), uppercases; a Chilean RUT may carry
    /// a `CL` prefix.
    public static func normalise(_ raw: String, kind: IDKind) -> String {
        var text = asciiNormalise(raw) ?? raw.uppercased().filter { !($0 == "." || $0 == "-" || $0 == "/" || $0.isWhitespace) }
        if kind == .chileRUT && text.hasPrefix("CL") { text.removeFirst(2) }
        return text
    }

    /// The same for ASCII text, byte by byte (the common case, once per row); nil otherwise.
    static func asciiNormalise(_ raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { bytes -> String? in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            for byte in bytes {
                switch byte {
                case 0x80...: return nil
                case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "/"), 0x09...0x0D, 0x20: continue
                case UInt8(ascii: "a")...UInt8(ascii: "z"): out.append(byte - 32)
                default: out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    // MARK: Chile

    static func chileRUT(_ id: String) -> [IDIssue] {
        let chars = Array(id)
        guard chars.count == 8 || chars.count == 9 else {
            return [IDIssue(.length, Message(.rutLength))]
        }
        let body = chars.dropLast()
        guard body.allSatisfy(\.isASCIIDigit), let dv = chars.last, dv.isASCIIDigit || dv == "K" else {
            return [IDIssue(.characters, Message(.rutCharacters))]
        }
        var sum = 0
        for (i, c) in body.reversed().enumerated() { sum += c.digit * (2 + i % 6) }
        let r = 11 - sum % 11
        let expected: Character = r == 11 ? "0" : r == 10 ? "K" : Character(String(r))
        return dv == expected ? [] : [IDIssue(.checkDigit, Message(.rutCheckDigit, String(expected)))]
    }

    // MARK: Brazil

    static func brazilCPF(_ id: String) -> [IDIssue] {
        // Bytes, not Characters: this runs once per row of a Brazilian file.
        guard id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return [IDIssue(.characters, Message(.cpfCharacters))] }
        guard id.utf8.count == 11 else { return [IDIssue(.length, Message(.cpfLength))] }
        let d = id.utf8.map { Int($0) - 48 }
        if d.allSatisfy({ $0 == d[0] }) {
            return [IDIssue(.repeatedDigits, Message(.cpfRepeated))]
        }
        func dv(_ digits: ArraySlice<Int>, firstWeight: Int) -> Int {
            var sum = 0
            for (i, x) in digits.enumerated() { sum += x * (firstWeight - i) }
            let r = sum % 11
            return r < 2 ? 0 : 11 - r
        }
        let first = dv(d[0..<9], firstWeight: 10)
        let second = dv(d[0..<10], firstWeight: 11)
        return first == d[9] && second == d[10]
            ? [] : [IDIssue(.checkDigit, Message(.cpfCheckDigits, "\(first)\(second)"))]
    }

    static func brazilCNPJ(_ id: String) -> [IDIssue] {
        let chars = Array(id)
        guard chars.count == 14 else { return [IDIssue(.length, Message(.cnpjLength))] }
        // A Set of A-Z, not a range: "W" with a combining mark sorts between "A" and "Z" but is no
        // ASCII letter (the validators fuzzer found it; its ASCII value was force-unwrapped below).
        guard chars[0..<12].allSatisfy({ $0.isASCIIDigit || CharacterSet.uppercaseLatin.contains($0) }),
            chars[12...].allSatisfy(\.isASCIIDigit)
        else {
            return [IDIssue(.characters, Message(.cnpjCharacters))]
        }
        let values = chars.map { Int($0.asciiValue ?? 48) - 48 }
        if Set(values).count == 1 { return [IDIssue(.repeatedDigits, Message(.cnpjRepeated))] }
        func dv(_ slice: ArraySlice<Int>, weights: [Int]) -> Int {
            let r = zip(slice, weights).reduce(0) { $0 + $1.0 * $1.1 } % 11
            return r < 2 ? 0 : 11 - r
        }
        let first = dv(values[0..<12], weights: [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
        let second = dv(values[0..<12] + [first], weights: [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
        return first == values[12] && second == values[13]
            ? [] : [IDIssue(.checkDigit, Message(.cnpjCheckDigits, "\(first)\(second)"))]
    }

    // MARK: Mexico

    private static let curpStates: Set<String> = [
        "AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GR", "GT", "HG", "JC", "MC", "MN", "MS", "NE", "NL",
        "NT", "OC", "PL", "QR", "QT", "SL", "SP", "SR", "TC", "TL", "TS", "VZ", "YN", "ZS",
    ]
    private static let curpAlphabet = Array("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ")

    static func mexicoCURP(_ id: String) -> [IDIssue] {
        let c = Array(id)
        guard c.count == 18 else { return [IDIssue(.length, Message(.curpLength))] }
        let letters = CharacterSet.uppercaseLatin
        let consonants = Set("BCDFGHJKLMNPQRSTVWXYZ")
        guard letters.contains(c[0]), "AEIOUX".contains(c[1]), letters.contains(c[2]), letters.contains(c[3]),
            c[4..<10].allSatisfy(\.isASCIIDigit), c[10] == "H" || c[10] == "M",
            curpStates.contains(String(c[11...12])), c[13...15].allSatisfy({ consonants.contains($0) }),
            c[16].isASCIIDigit || letters.contains(c[16]), c[17].isASCIIDigit
        else {
            return [IDIssue(.structure, Message(.curpStructure))]
        }
        // Position 17 is a digit for births up to 1999 and a letter from 2000.
        let century = c[16].isASCIIDigit ? 1900 : 2000
        let year = century + c[4].digit * 10 + c[5].digit
        if !isDate(year: year, month: c[6].digit * 10 + c[7].digit, day: c[8].digit * 10 + c[9].digit) {
            return [IDIssue(.date, Message(.curpDate))]
        }
        var sum = 0
        for i in 0..<17 {
            guard let index = curpAlphabet.firstIndex(of: c[i]) else {
                return [IDIssue(.characters, Message(.curpCharacter))]
            }
            sum += index * (18 - i)
        }
        let expected = (10 - sum % 10) % 10
        return c[17].digit == expected ? [] : [IDIssue(.checkDigit, Message(.curpCheckDigit, String(expected)))]
    }

    private static let rfcAlphabet = Array("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")

    static func mexicoRFC(_ id: String) -> [IDIssue] {
        let c = Array(id)
        guard c.count == 12 || c.count == 13 else {
            return [IDIssue(.length, Message(.rfcLength))]
        }
        let prefix = c.count - 9
        let lettersOK = c[0..<prefix].allSatisfy { CharacterSet.uppercaseLatin.contains($0) || $0 == "Ñ" || $0 == "&" }
        let dateDigits = c[prefix..<prefix + 6]
        let homoclave = c[(prefix + 6)...]
        let first = homoclave[homoclave.startIndex], second = homoclave[homoclave.startIndex + 1]
        let last = homoclave[homoclave.startIndex + 2]
        guard lettersOK, dateDigits.allSatisfy(\.isASCIIDigit),
            first.isASCIIDigit && first != "0" || CharacterSet.homoclaveFirst.contains(first),
            second.isASCIIDigit && second != "0" || CharacterSet.uppercaseLatin.contains(second),
            last.isASCIIDigit || last == "A"
        else {
            return [IDIssue(.structure, Message(.rfcStructure))]
        }
        let d = dateDigits.map(\.digit)
        // YYMMDD: the century is not written; any century where the date exists will do.
        let month = d[2] * 10 + d[3], day = d[4] * 10 + d[5], yy = d[0] * 10 + d[1]
        if !isDate(year: 2000 + yy, month: month, day: day) && !isDate(year: 1900 + yy, month: month, day: day) {
            return [IDIssue(.date, Message(.rfcDate))]
        }
        let padded = Array(repeating: Character(" "), count: 13 - c.count) + c.dropLast()
        var sum = 0
        for (i, ch) in padded.enumerated() {
            guard let index = rfcAlphabet.firstIndex(of: ch) else { return [] }
            sum += index * (13 - i)
        }
        let expected = rfcAlphabet[(11 - sum % 11) % 11]
        return c.last == expected
            ? []
            : [IDIssue(.checkDigit, .warning, Message(.rfcCheckDigit, String(expected)))]
    }

    // MARK: Colombia

    static func colombiaNIT(_ id: String) -> [IDIssue] {
        let chars = Array(id)
        guard chars.allSatisfy(\.isASCIIDigit) else { return [IDIssue(.characters, Message(.nitCharacters))] }
        guard (8...16).contains(chars.count) else {
            return [IDIssue(.length, Message(.nitLength))]
        }
        let weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
        var sum = 0
        for (i, c) in chars.dropLast().reversed().enumerated() { sum += c.digit * weights[i] }
        let expected = Array("01987654321")[sum % 11]
        return chars.last == expected ? [] : [IDIssue(.checkDigit, Message(.nitCheckDigit, String(expected)))]
    }

    static func colombiaCedula(_ id: String) -> [IDIssue] {
        guard id.allSatisfy(\.isASCIIDigit) else { return [IDIssue(.characters, Message(.cedulaCharacters))] }
        // No check digit: the Registraduría has never published one.
        return (6...10).contains(id.count) ? [] : [IDIssue(.length, Message(.cedulaLength))]
    }

    // MARK: Peru

    static func peruDNI(_ id: String) -> [IDIssue] {
        let chars = Array(id)
        guard chars.count == 8 || chars.count == 9 else {
            return [IDIssue(.length, Message(.dniLength))]
        }
        guard chars[0..<8].allSatisfy(\.isASCIIDigit) else { return [IDIssue(.characters, Message(.dniCharacters))] }
        guard chars.count == 9 else { return [] }
        let weights = [3, 2, 7, 6, 5, 4, 3, 2]
        let sum = zip(chars[0..<8], weights).reduce(0) { $0 + $1.0.digit * $1.1 }
        let digit = Array("65432110987")[sum % 11], letter = Array("KJIHGFEDCBA")[sum % 11]
        return chars[8] == digit || chars[8] == letter
            ? [] : [IDIssue(.checkDigit, Message(.dniCheckCharacter, String(digit), String(letter)))]
    }

    // MARK: Helpers

    static func isDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}

/// A–Z only (no accents), as IDs use them.
private enum CharacterSet {
    static let uppercaseLatin = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    /// The first character of an RFC's homoclave, when a letter: A to V.
    static let homoclaveFirst = Set("ABCDEFGHIJKLMNOPQRSTUV")
}

extension Character {
    var isASCIIDigit: Bool {
        guard let value = asciiValue else { return false }
        return value >= 48 && value <= 57
    }
    fileprivate var digit: Int { Int(asciiValue ?? 48) - 48 }
}
