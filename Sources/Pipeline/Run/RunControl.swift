import CheckInputs
import Synchronization

/// Why a run stopped sending before the end of its file.
public enum StopReason: Int, Sendable, CaseIterable {
    case interrupted = 1
    case circuitOpen
    case credentialsRefused
    case rateLimited

    /// What the report says of the rows this left unsent.
    var skipMessage: Message {
        switch self {
        case .interrupted: Message(.stoppedInterrupted)
        case .circuitOpen: Message(.stoppedCircuitOpen)
        case .credentialsRefused: Message(.stoppedCredentials)
        case .rateLimited: Message(.stoppedRateLimited)
        }
    }

    public var code: String {
        switch self {
        case .interrupted: "interrupted"
        case .circuitOpen: "circuit_open"
        case .credentialsRefused: "credentials_refused"
        case .rateLimited: "provider_rate_limited"
        }
    }
}

/// Tells a running pipeline to stop taking rows. Calls already in flight finish (or end up
/// `unknown`), the reports are written and the run returns; the first reason given wins.
public final class RunControl: Sendable {
    private let reason = Atomic<Int>(0)

    public init() {}

    public func stop(_ why: StopReason) {
        _ = reason.compareExchange(expected: 0, desired: why.rawValue, ordering: .relaxed)
    }

    public var stopReason: StopReason? { StopReason(rawValue: reason.load(ordering: .relaxed)) }

    public var isStopped: Bool { reason.load(ordering: .relaxed) != 0 }

    /// Waits until `wake` in short naps, so a stop is noticed within a quarter of a second.
    func nap(until wake: ContinuousClock.Instant) async {
        let clock = ContinuousClock()
        while clock.now < wake, !isStopped {
            try? await Task.sleep(for: min(.milliseconds(250), wake - clock.now))
        }
    }
}

/// What a run is doing, for a progress line.
public struct RunProgress: Sendable {
    public enum Phase: String, Sendable {
        case counting, health, sending, waiting, writing
    }

    public var file: String
    public var phase: Phase
    /// Rows taken from the file so far.
    public var done: Int
    /// Rows in the file, when counted.
    public var total: Int?
    public var ok: Int
    public var failed: Int
    public var pending: Int
    /// Seconds since the phase began.
    public var elapsed: Double

    /// Rows per second in this phase.
    public var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }

    /// Seconds left at the current rate, when the total is known.
    public var eta: Double? {
        guard let total, rate > 0, total >= done else { return nil }
        return Double(total - done) / rate
    }
}
