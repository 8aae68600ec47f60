import Foundation

/// When and how long to wait before sending a request again. Shared by both providers.
///
/// Retried: a request that never left (connection refused, DNS, connect timeout), and answers
/// 429, 502, 503 and 504. Waits are full-jitter exponential (`random(0, min(cap, base·2^n))`) unless
/// the server sent `Retry-After`, which wins up to `maxRetryAfter`; past that the request is not
/// retried and the error carries the wait, so a nightly run can defer the row instead of sleeping.
public struct RetryPolicy: Sendable {
    public var base: Duration
    public var cap: Duration
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var maxRetryAfter: Duration
    public var retriedStatuses: Set<Int>
    /// Per-request timeout.
    public var timeout: Duration

    public init(
        base: Duration = .seconds(1), cap: Duration = .seconds(30), maxAttempts: Int = 5,
        maxRetryAfter: Duration = .seconds(300), retriedStatuses: Set<Int> = [429, 502, 503, 504],
        timeout: Duration = .seconds(30)
    ) {
        self.base = base
        self.cap = cap
        self.maxAttempts = max(1, maxAttempts)
        self.maxRetryAfter = maxRetryAfter
        self.retriedStatuses = retriedStatuses
        self.timeout = timeout
    }

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The full-jitter wait before attempt `attempt + 1` (attempt counts from 1).
    public func backoff(afterAttempt attempt: Int, random: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(cap.seconds, base.seconds * pow(2, Double(exponent)))
        return .seconds(ceiling * min(max(random, 0), 1))
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// The wait the header asks for, never negative; nil when it is neither form.
    public static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        guard let date = HTTPDate.parse(text) else { return nil }
        return .seconds(max(0, date.timeIntervalSince(now)))
    }
}

/// HTTP dates: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), and the obsolete RFC 850 and asctime forms.
public enum HTTPDate {
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy",
    ]

    public static func parse(_ text: String) -> Date? {
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    public static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
