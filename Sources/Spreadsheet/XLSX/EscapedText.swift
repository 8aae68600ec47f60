/// The `_xHHHH_` escapes that OOXML uses for characters XML cannot carry (ECMA-376 Part 1, 22.9.2.19).
enum EscapedText {
    /// Appends `text` to `out`, decoding `_xHHHH_` escapes (`_x005F_` is a literal underscore).
    @inline(__always)
    static func append(_ text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        // Fast path: no underscore, nothing to decode.
        guard text.contains(UInt8(ascii: "_")) else {
            out.append(contentsOf: text)
            return
        }
        var i = 0
        let n = text.count
        while i < n {
            if text[i] == UInt8(ascii: "_"), i + 6 < n, text[i + 1] == UInt8(ascii: "x"), text[i + 6] == UInt8(ascii: "_"),
                let scalar = hexScalar(text, from: i + 2)
            {
                appendUTF8(scalar, to: &out)
                i += 7
                continue
            }
            out.append(text[i])
            i += 1
        }
    }

    private static func hexScalar(_ text: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32? {
        var value: UInt32 = 0
        for j in start..<start + 4 {
            let c = text[j]
            let digit: UInt32
            switch c {
            case 48...57: digit = UInt32(c - 48)
            case 65...70: digit = UInt32(c - 55)
            case 97...102: digit = UInt32(c - 87)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }

    static func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else {
            out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            return
        }
        out.append(contentsOf: UTF8.encode(scalar)!)
    }
}
