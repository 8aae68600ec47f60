#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inflates a zip part on a thread of its own while the caller parses the previous chunk.
///
/// With two cores, inflating (zlib and CRC, about a sixth of reading a sheet) overlaps with XML
/// parsing instead of adding to it. Errors from the inflater (a damaged part, a zip bomb) reach
/// the caller in order, after the chunks read before them.
final class ChunkPrefetcher: @unchecked Sendable {
    // @unchecked Sendable: `entry` is used only by the inflater thread once it started; chunks pass
    // between the threads through the ring.
    private final class Chunk {
        let memory: UnsafeMutableRawBufferPointer
        var filled = 0
        init(size: Int) { memory = .allocate(byteCount: size, alignment: 16) }
        deinit { memory.deallocate() }
    }

    private let entry: ZipEntryReader
    private let ring: HandoffRing<Chunk>
    private var thread: pthread_t?
    /// The chunk being consumed and how much of it was handed out already.
    private var current: Chunk?
    private var offset = 0
    private var ended = false

    init(entry: ZipEntryReader, chunkSize: Int = 256 << 10, depth: Int = 4) {
        self.entry = entry
        ring = HandoffRing((0..<depth).map { _ in Chunk(size: chunkSize) })
    }

    deinit {
        ring.stop()
        if let thread { pthread_join(thread, nil) }
    }

    /// Copies up to `buffer.count` inflated bytes into `buffer`; returns 0 at the end of the part.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if thread == nil { thread = try Threads.start { [self] in produce() } }
        while !ended {
            if let current, offset < current.filled {
                let n = min(buffer.count, current.filled - offset)
                buffer.baseAddress!.copyMemory(from: current.memory.baseAddress! + offset, byteCount: n)
                offset += n
                return n
            }
            current = try ring.next()
            offset = 0
            if current == nil { ended = true }
        }
        return 0
    }

    private func produce() {
        while let chunk = ring.acquire() {
            do {
                chunk.filled = try entry.read(into: chunk.memory)
            } catch {
                ring.finish(error)
                return
            }
            if chunk.filled == 0 {
                ring.finish()
                return
            }
            ring.publish()
        }
    }
}
