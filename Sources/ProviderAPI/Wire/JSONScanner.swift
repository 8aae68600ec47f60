/// A model that can read its usual answer straight from the bytes, without `JSONDecoder`.
///
/// The hot answers of a run (a check's brief, twice per row) are read this way: JSONDecoder builds
/// a map of the whole document first and was a tenth of a run's CPU. `init(scanning:)` returns
/// nil for anything it does not take exactly as JSONDecoder would (a malformed document, a field
/// of an unexpected type, a number that does not fit a Double, a repeated field), and the caller
/// then decodes with JSONDecoder, so results and errors are JSONDecoder's in every case.
protocol ScannableJSON {
    init?(scanning body: [UInt8])
}

/// A strict, allocation-light reader of RFC 8259 JSON over a byte array: it walks objects key by
/// key and reads scalars; everything else is checked and skipped without making a value of it.
struct JSONScanner {
    /// A value as the scanner reports it: containers are checked and skipped.
    enum Value: Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case container
    }

    /// An object's key, compared without making a String of it.
    struct Key {
        fileprivate var bytes: Text

        static func == (key: Key, name: StaticString) -> Bool {
            key.bytes.elementsEqual(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
    }

    /// A string's UTF-8: the document's own bytes, or an unescaped copy.
    fileprivate enum Text {
        case raw(Slice<UnsafeBufferPointer<UInt8>>)
        case unescaped([UInt8])

        func elementsEqual(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
            switch self {
            case .raw(let slice): slice.elementsEqual(other)
            case .unescaped(let bytes): bytes.elementsEqual(other)
            }
        }

        var string: String {
            switch self {
            case .raw(let slice): String(decoding: slice, as: UTF8.self)
            case .unescaped(let bytes): String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// JSONDecoder refuses documents nested deeper than this.
    static let maxDepth = 512

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Runs `body` with a scanner over `document`; nil when `document` is not UTF-8 (JSONDecoder
    /// refuses such a document as a whole).
    static func scan<T>(_ document: [UInt8], _ body: (inout JSONScanner) -> T?) -> T? {
        document.withUnsafeBufferPointer { bytes in
            // Provider answers are ASCII; anything else is checked once here, not string by string.
            if !bytes.allSatisfy({ $0 < 0x80 }), String(validating: bytes, as: UTF8.self) == nil { return nil }
            var scanner = JSONScanner(bytes)
            return body(&scanner)
        }
    }

    /// Whether only whitespace is left.
    mutating func atEnd() -> Bool {
        skipWhitespace()
        return index == bytes.count
    }

    /// Walks the object starting here, calling `member` with each key while the scanner stands on
    /// its value; `member` must consume the value and return false to give up. False when the
    /// next value is not a well-formed object.
    mutating func object(depth: Int = 1, _ member: (inout JSONScanner, Key) -> Bool) -> Bool {
        guard depth <= Self.maxDepth, take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard let key = stringBytes(), take(UInt8(ascii: ":")) else { return false }
            skipWhitespace()
            guard member(&self, Key(bytes: key)) else { return false }
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}"))
        }
    }

    /// Reads the value starting here; containers are checked and skipped. Nil when malformed.
    mutating func value(depth: Int = 1) -> Value? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return stringBytes().map { .string($0.string) }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            return skip(depth: depth) ? .container : nil
        case UInt8(ascii: "t"):
            return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"):
            return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"):
            return literal("null") ? .null : nil
        default:
            return number().map(Value.number)
        }
    }

    /// Checks the value starting here and moves past it. False when malformed.
    mutating func skip(depth: Int = 1) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "{"):
            return object(depth: depth) { scanner, _ in scanner.skip(depth: depth + 1) }
        case UInt8(ascii: "["):
            guard depth <= Self.maxDepth else { return false }
            index += 1
            if take(UInt8(ascii: "]")) { return true }
            while true {
                guard skip(depth: depth + 1) else { return false }
                if take(UInt8(ascii: ",")) { continue }
                return take(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return skipNumber()
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then takes `byte` if it is next.
    private mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// Moves past the string starting here without unescaping it. False when malformed.
    private mutating func skipString() -> Bool {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return true
            }
            if byte == UInt8(ascii: "\\") {
                // Escapes are rare: the unescaping reader checks them.
                index = start
                return stringBytes() != nil
            }
            if byte < 0x20 { return false }
            index += 1
        }
        return false
    }

    /// The string starting here as UTF-8, unescaped; nil when malformed (a raw control character,
    /// a bad escape, a lone surrogate).
    private mutating func stringBytes() -> Text? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        // The common case: no escape, so the bytes are the string.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return .raw(bytes[start..<index])
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { return nil }
            index += 1
        }
        var unescaped = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return .unescaped(unescaped)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                case UInt8(ascii: "b"): unescaped.append(0x08)
                case UInt8(ascii: "f"): unescaped.append(0x0C)
                case UInt8(ascii: "n"): unescaped.append(0x0A)
                case UInt8(ascii: "r"): unescaped.append(0x0D)
                case UInt8(ascii: "t"): unescaped.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard literal("\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        return nil
                    }
                    guard let value = Unicode.Scalar(scalar) else { return nil }
                    unescaped.append(contentsOf: UTF8.encode(value)!)
                default:
                    return nil
                }
            default:
                if byte < 0x20 { return nil }
                unescaped.append(byte)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// A number as JSON writes it; nil when malformed or when it does not fit a finite Double.
    private mutating func number() -> Double? {
        let start = index
        guard skipNumber(),
            let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite
        else { return nil }
        return value
    }

    /// Moves past a number as JSON writes it (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`); false when malformed.
    private mutating func skipNumber() -> Bool {
        func digits() -> Int {
            let first = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return true
    }
}
