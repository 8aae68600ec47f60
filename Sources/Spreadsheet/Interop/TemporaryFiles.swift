#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files outputs are being written to, so that an interrupted run (Ctrl-C, SIGTERM)
/// can remove them before it exits: an output is either complete under its final name or absent.
public enum TemporaryFiles {
    // A pthread mutex rather than Synchronization's Mutex: ThreadSanitizer sees pthread locks, but
    // not the futex inside the (uninstrumented) standard library's Mutex, and reported concurrent
    // writers registering their files as a race.
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()
    nonisolated(unsafe) private static var paths: Set<String> = []

    private static func locked<T>(_ body: (inout Set<String>) -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body(&paths)
    }

    static func register(_ path: String) {
        locked { _ = $0.insert(path) }
    }

    static func unregister(_ path: String) {
        locked { _ = $0.remove(path) }
    }

    /// Removes every registered temporary file; called on the way out of an interrupted run.
    public static func removeAll() {
        let current = locked { paths in
            defer { paths.removeAll() }
            return paths
        }
        for path in current { unlink(path) }
    }
}
