import NIOCore
import NIOPosix

/// Runs tasks on SwiftNIO's event loops, so a task that sends a request and the connection that
/// carries it share one thread: the request is written and its answer resumes the task without
/// waking another thread. A run's row calls take these executors in turn.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let loop: any EventLoop

    public init(loop: any EventLoop) {
        self.loop = loop
    }

    /// One per event loop of `group` (the process-wide loops by default: one per core).
    public static func all(
        of group: MultiThreadedEventLoopGroup = .singleton
    ) -> [EventLoopTaskExecutor] {
        group.makeIterator().map { EventLoopTaskExecutor(loop: $0) }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
