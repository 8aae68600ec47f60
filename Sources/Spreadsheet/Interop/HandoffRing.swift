#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed ring of reusable slots passed from one producer thread to one consumer thread.
///
/// The producer takes a free slot (``acquire()``), fills it and ``publish()``es it; the consumer
/// takes published slots in order (``next()``) and gives each back by asking for the next one.
/// The ring bounds memory: the producer waits when every slot is full, the consumer when every
/// slot is empty. The producer's failure reaches the consumer after the slots published before it.
final class HandoffRing<Slot: AnyObject>: @unchecked Sendable {
    // @unchecked Sendable: the indices, counts and flags are read and written only with `mutex`
    // held; a slot's contents belong to the producer between acquire and publish and to the
    // consumer between next and its following next, and the mutex orders each hand-over.
    private let slots: [Slot]
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var readIndex = 0
    private var writeIndex = 0
    private var published = 0
    private var consumerHolds = false
    private var finished = false
    private var stopped = false
    private var failure: Error?

    init(_ slots: [Slot]) {
        precondition(!slots.isEmpty, "a ring needs at least one slot")
        self.slots = slots
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    // MARK: Producer

    /// A free slot to fill, waiting for one if needed; nil once the consumer stopped the ring.
    func acquire() -> Slot? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while published == slots.count && !stopped { pthread_cond_wait(condition, mutex) }
        return stopped ? nil : slots[writeIndex]
    }

    /// Hands the slot from the last ``acquire()`` to the consumer.
    func publish() {
        pthread_mutex_lock(mutex)
        writeIndex = (writeIndex + 1) % slots.count
        published += 1
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Ends the stream; `error`, if any, is thrown to the consumer after the published slots.
    func finish(_ error: Error? = nil) {
        pthread_mutex_lock(mutex)
        finished = true
        failure = error
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    // MARK: Consumer

    /// Gives back the slot from the previous call and returns the next published one, waiting for
    /// it; nil at the end of the stream, or throws the producer's failure.
    func next() throws -> Slot? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if consumerHolds {
            consumerHolds = false
            readIndex = (readIndex + 1) % slots.count
            published -= 1
            pthread_cond_broadcast(condition)
        }
        while published == 0 && !finished { pthread_cond_wait(condition, mutex) }
        if published == 0 {
            if let failure { throw failure }
            return nil
        }
        consumerHolds = true
        return slots[readIndex]
    }

    /// Tells the producer to stop: a waiting or later ``acquire()`` returns nil.
    func stop() {
        pthread_mutex_lock(mutex)
        stopped = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
