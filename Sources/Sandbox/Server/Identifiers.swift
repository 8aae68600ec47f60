/// Identifiers in the providers' formats: `CHK` + 32 hex, `DBI` + 40 hex, UUIDs for Trulioo.
enum Identifiers {
    static func hex(_ count: Int, using generator: inout some RandomNumberGenerator) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int.random(in: 0..<16, using: &generator)] })
    }

    static func hex(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(count, using: &generator)
    }

    static func check() -> String { "CHK" + hex(32) }
    static func continuousCheck() -> String { "CCK" + hex(32) }
    static func batch() -> String { "BAT" + hex(32) }
    static func detail() -> String { "DTL" + hex(32) }
    static func config() -> String { "CFG" + hex(32) }
    /// Whether `id` is `prefix` and then letters or digits (64 characters at most): how the sandbox
    /// recognises a flow (`IPF…`) or an outbound message (`OTB…`) it accepts without knowing it.
    static func wellFormed(_ id: String, prefix: String) -> Bool {
        id.hasPrefix(prefix) && id.count > prefix.count && id.count <= 64
            && id.dropFirst(prefix.count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func token(_ count: Int = 40) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }

    static func uuid() -> String {
        let h = hex(32)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20])
            + "-" + String(c[20..<32])
    }

    /// A stable 40-hex id for a name (database ids), FNV-1a stretched.
    static func stable(_ name: String, length: Int = 40) -> String {
        var out = ""
        var round: UInt64 = 0
        while out.count < length {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ round
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            let text = String(hash, radix: 16)
            out += String(repeating: "0", count: 16 - text.count) + text
            round += 1
        }
        return String(out.prefix(length))
    }
}

/// A small seeded generator (SplitMix64) for fault dice that repeat run to run (and tests).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
