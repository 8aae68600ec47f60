/// The character encodings idbatch reads CSV files in.
public enum TextEncoding: String, Sendable, Codable, CaseIterable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
}

enum UTF8Validation {
    /// Whether `bytes` are valid UTF-8. With `allowTruncatedEnd`, a sequence cut by the end of a
    /// sample counts as valid if what is there could begin a character.
    ///
    /// The well-formed sequences of Unicode's Table 3-7: the first byte fixes the length and the
    /// range of the second (which rules out overlong forms, surrogates and code points past
    /// U+10FFFF); the others are continuation bytes. No code point is assembled.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>, allowTruncatedEnd: Bool = false) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i < n {
            // Skip ASCII eight bytes at a time.
            if i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b = base[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xED: length = 3; high = 0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; low = 0x90
            case 0xF4: length = 4; high = 0x8F
            case 0xF1...0xF3: length = 4
            default: return false
            }
            let available = min(length, n - i)
            if available > 1 {
                let second = base[i + 1]
                guard second >= low && second <= high else { return false }
                for j in 2..<available where base[i + j] & 0xC0 != 0x80 { return false }
            }
            if available < length { return allowTruncatedEnd }
            i += length
        }
        return true
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var acc: UInt8 = 0
        for b in bytes { acc |= b }
        return acc < 0x80
    }
}

enum Windows1252 {
    /// Code points of bytes 0x80-0x9F; the rest of the upper half is Latin-1.
    private static let high: [UInt16] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
        0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
        0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    static func appendUTF8(of bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            if b < 0x80 {
                out.append(b)
            } else {
                let scalar = b < 0xA0 ? UInt32(high[Int(b - 0x80)]) : UInt32(b)
                EscapedText.appendUTF8(scalar, to: &out)
            }
        }
    }
}

/// Turns UTF-16 bytes into UTF-8 across chunk boundaries.
struct UTF16Transcoder {
    let bigEndian: Bool
    private var pendingByte: UInt8?
    private var pendingHigh: UInt16?

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    mutating func transcode(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], last: Bool) {
        var i = 0
        var first: UInt8? = pendingByte
        pendingByte = nil
        while i < bytes.count {
            guard let a = first else {
                first = bytes[i]
                i += 1
                continue
            }
            let b = bytes[i]
            i += 1
            first = nil
            let unit = bigEndian ? UInt16(a) << 8 | UInt16(b) : UInt16(b) << 8 | UInt16(a)
            emit(unit, into: &out)
        }
        pendingByte = first
        if last {
            if pendingHigh != nil || pendingByte != nil { out.append(contentsOf: [0xEF, 0xBF, 0xBD]) }
            pendingHigh = nil
            pendingByte = nil
        }
    }

    private mutating func emit(_ unit: UInt16, into out: inout [UInt8]) {
        if let high = pendingHigh {
            pendingHigh = nil
            if (0xDC00...0xDFFF).contains(unit) {
                let scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                EscapedText.appendUTF8(scalar, to: &out)
                return
            }
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
        if (0xD800...0xDBFF).contains(unit) {
            pendingHigh = unit
        } else if (0xDC00...0xDFFF).contains(unit) {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
        } else {
            EscapedText.appendUTF8(UInt32(unit), to: &out)
        }
    }
}
