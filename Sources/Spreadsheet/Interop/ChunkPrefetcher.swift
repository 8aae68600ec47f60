#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Inflates a zip part on a second thread while the caller parses the previous chunk.
///
/// With two cores, inflating (zlib and CRC, about a tenth of reading a sheet) overlaps with XML
/// parsing instead of adding to it. A small ring of buffers bounds the memory: the producer waits
/// when all are full, the consumer when all are empty. Errors from the producer (a damaged part,
/// a zip bomb) reach the consumer in order, after the chunks read before them.
final class ChunkPrefetcher: @unchecked Sendable {
    // @unchecked Sendable: every mutable property is read and written only with `mutex` held, except
    // `entry`, which only the producer thread touches once started, and the chunk memory, which the
    // ring indices hand from one thread to the other.
    private let entry: ZipEntryReader
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let chunks: [UnsafeMutableRawBufferPointer]
    private var filled: [Int]
    private var readIndex = 0
    private var writeIndex = 0
    private var available = 0
    private var producerFinished = false
    private var stopRequested = false
    private var failure: Error?
    private var holdingChunk = false
    private var thread: pthread_t?

    init(entry: ZipEntryReader, chunkSize: Int = 256 << 10, depth: Int = 4) {
        self.entry = entry
        chunks = (0..<depth).map { _ in .allocate(byteCount: chunkSize, alignment: 16) }
        filled = Array(repeating: 0, count: depth)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        if let thread {
            pthread_mutex_lock(mutex)
            stopRequested = true
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
            pthread_join(thread, nil)
        }
        for chunk in chunks { chunk.deallocate() }
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// The next inflated chunk (valid until the next call); empty at the end of the part.
    func next() throws -> UnsafeRawBufferPointer {
        if thread == nil { try start() }
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if holdingChunk {
            holdingChunk = false
            readIndex = (readIndex + 1) % chunks.count
            available -= 1
            pthread_cond_broadcast(condition)
        }
        while available == 0 && !producerFinished { pthread_cond_wait(condition, mutex) }
        if available == 0 {
            if let failure { throw failure }
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        holdingChunk = true
        return UnsafeRawBufferPointer(rebasing: chunks[readIndex][0..<filled[readIndex]])
    }

    private func start() throws {
        thread = try Threads.start { [self] in produce() }
    }

    private func produce() {
        while true {
            pthread_mutex_lock(mutex)
            while available == chunks.count && !stopRequested { pthread_cond_wait(condition, mutex) }
            let stop = stopRequested
            let slot = writeIndex
            pthread_mutex_unlock(mutex)
            if stop { return }

            var count = 0
            var error: Error?
            do {
                count = try entry.read(into: chunks[slot])
            } catch let thrown {
                error = thrown
            }

            pthread_mutex_lock(mutex)
            if let error {
                failure = error
                producerFinished = true
            } else if count == 0 {
                producerFinished = true
            } else {
                filled[slot] = count
                writeIndex = (writeIndex + 1) % chunks.count
                available += 1
            }
            let done = producerFinished
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
            if done { return }
        }
    }
}
