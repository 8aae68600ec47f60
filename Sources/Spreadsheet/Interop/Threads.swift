#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain OS thread for the readers' producer work (inflating, loading shared strings): work that
/// blocks on I/O and locks and must run beside the caller, which a task executor is not for.
enum Threads {
    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread and returns its handle (join or detach it).
    static func start(_ body: @escaping () -> Void) throws -> pthread_t {
        let context = Unmanaged.passRetained(Job(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { context in
            Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            throw SpreadsheetError(.readFailed, "cannot start a reader thread (error \(status))")
        }
        return thread
    }
}
