/// Text elements (`<t>`) keep leading and trailing whitespace only with `xml:space="preserve"`,
/// which Excel writes whenever it matters; without it the whitespace is layout and is dropped,
/// as Excel and calamine do.
enum WhitespaceRule {
    static func preserves(_ attributes: SAXAttributes) -> Bool {
        guard let value = attributes.prefixedValue("space") else { return false }
        return value.elementsEqual("preserve".utf8)
    }

    /// Trims XML whitespace from `buffer[start...]` in place.
    @inline(__always)
    static func trim(_ buffer: inout [UInt8], from start: Int) {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
        var end = buffer.count
        while end > start, isSpace(buffer[end - 1]) { end -= 1 }
        var first = start
        while first < end, isSpace(buffer[first]) { first += 1 }
        if end < buffer.count { buffer.removeSubrange(end...) }
        if first > start { buffer.removeSubrange(start..<first) }
    }

    /// Trims XML whitespace from the bytes after `start` in place.
    @inline(__always)
    static func trim(_ buffer: inout ByteBuffer, from start: Int) {
        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
        let base = buffer.base
        var end = buffer.count
        while end > start, isSpace(base[end - 1]) { end -= 1 }
        var first = start
        while first < end, isSpace(base[first]) { first += 1 }
        buffer.truncate(to: end)
        if first > start { buffer.remove(start..<first) }
    }
}
