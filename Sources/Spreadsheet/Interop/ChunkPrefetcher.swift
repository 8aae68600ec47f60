#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a byte source (a zip part being inflated, a CSV file) on a thread of its own while the
/// caller parses the previous chunk.
///
/// With two cores, inflating (zlib and CRC, about a sixth of reading a sheet) or a CSV file's
/// read calls and UTF-8 check overlap with parsing instead of adding to it. Errors from the source
/// (a damaged part, a zip bomb, a failed read) reach the caller in order, after the chunks read
/// before them.
final class ChunkPrefetcher: @unchecked Sendable {
    // @unchecked Sendable: `source` is called only by the reading thread once it started; chunks pass
    // between the threads through the ring.
    final class Chunk {
        private let base: UnsafeMutableRawPointer
        let size: Int
        var filled = 0
        /// With `checkUTF8`: the bytes are valid UTF-8; a character cut by the end counts as valid
        /// only in a full chunk (a short one is the end of the source).
        var validUTF8 = false

        init(size: Int) {
            self.size = size
            base = .allocate(byteCount: size, alignment: 16)
        }

        deinit { base.deallocate() }

        /// The whole chunk, for the reading thread to fill.
        var memory: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base, count: size) }

        /// The filled part.
        var bytes: UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: filled)
        }
    }

    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private let checkUTF8: Bool
    private let ring: HandoffRing<Chunk>
    private var thread: pthread_t?
    /// The chunk being consumed and how much of it was handed out already.
    private var current: Chunk?
    private var offset = 0
    private var ended = false

    /// `source` fills a buffer and returns the byte count, 0 at the end.
    init(chunkSize: Int = 256 << 10, depth: Int = 4, checkUTF8: Bool = false,
         source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.source = source
        self.checkUTF8 = checkUTF8
        ring = HandoffRing((0..<depth).map { _ in Chunk(size: chunkSize) })
    }

    convenience init(entry: ZipEntryReader) {
        self.init { try entry.read(into: $0) }
    }

    deinit {
        ring.stop()
        if let thread { pthread_join(thread, nil) }
    }

    /// The next whole chunk, valid until the next call; nil at the end of the source.
    func nextChunk() throws -> Chunk? {
        // The reading thread holds the ring and the source, never the prefetcher: a reader dropped
        // half-way is deinitialised here, stops the ring, and the thread ends and is joined.
        if thread == nil {
            thread = try Threads.start { [ring, source, checkUTF8] in
                Self.produce(into: ring, from: source, checkUTF8: checkUTF8)
            }
        }
        if ended { return nil }
        current = try ring.next()
        offset = 0
        if current == nil { ended = true }
        return current
    }

    /// Copies up to `buffer.count` bytes into `buffer`; returns 0 at the end of the source.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            if let current, offset < current.filled {
                guard let destination = buffer.baseAddress, let source = current.bytes.baseAddress else { return 0 }
                let n = min(buffer.count, current.filled - offset)
                destination.copyMemory(from: source + offset, byteCount: n)
                offset += n
                return n
            }
            guard try nextChunk() != nil else { return 0 }
        }
    }

    private static func produce(into ring: HandoffRing<Chunk>, from source: (UnsafeMutableRawBufferPointer) throws -> Int,
                                checkUTF8: Bool) {
        while let chunk = ring.acquire() {
            do {
                chunk.filled = try source(chunk.memory)
            } catch {
                ring.finish(error)
                return
            }
            if chunk.filled == 0 {
                ring.finish()
                return
            }
            if checkUTF8 {
                chunk.validUTF8 = UTF8Validation.isValid(chunk.bytes, allowTruncatedEnd: chunk.filled == chunk.size)
            }
            ring.publish()
        }
    }
}
