/// Bytes in manually managed memory.
typealias ByteBuffer = ManualBuffer<UInt8>

/// A growable buffer in manually managed memory, for the hot paths of the parsers: appending and
/// clearing cost no uniqueness checks, reference counting or exclusivity checks.
///
/// It is a plain value over a pointer, so copies alias: the owner keeps exactly one and calls
/// ``deallocate()`` once.
struct ManualBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        base[count] = element
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<Element>, count n: Int) {
        if count + n > capacity { grow(to: count + n) }
        (base + count).update(from: bytes, count: n)
        count += n
    }

    @inline(__always)
    mutating func removeAll() { count = 0 }

    /// Drops bytes past `newCount`.
    @inline(__always)
    mutating func truncate(to newCount: Int) { count = min(count, newCount) }

    /// Removes `range` by moving the tail down.
    mutating func remove(_ range: Range<Int>) {
        let tail = count - range.upperBound
        if tail > 0 { (base + range.lowerBound).update(from: base + range.upperBound, count: tail) }
        count -= range.count
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
