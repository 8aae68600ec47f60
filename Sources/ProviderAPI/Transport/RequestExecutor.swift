import Foundation

/// Sends a request under a ``RetryPolicy`` and turns failures into ``ProviderError``s.
/// Both clients use one of these; only the error-body reader differs.
public struct RequestExecutor: Sendable {
    public var transport: any HTTPTransport
    public var policy: RetryPolicy
    public var provider: String
    /// Reads a provider's error body into a code and a message.
    var errorBody: @Sendable (WireResponse) -> (code: ProviderCode?, message: String)
    /// Waits; tests replace it to run the retry matrix without sleeping.
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// Uniform in 0...1; tests make it deterministic.
    public var random: @Sendable () -> Double = { Double.random(in: 0...1) }
    public var now: @Sendable () -> Date = { Date() }
    /// Receives a success answer the client could not use (operation, status, body), to be kept,
    /// masked, for a support ticket; the command line writes them under the state folder.
    public var keepAnswer: (@Sendable (_ operation: String, _ status: Int, _ body: [UInt8]) -> Void)?

    init(
        transport: any HTTPTransport, policy: RetryPolicy, provider: String,
        errorBody: @escaping @Sendable (WireResponse) -> (code: ProviderCode?, message: String)
    ) {
        self.transport = transport
        self.policy = policy
        self.provider = provider
        self.errorBody = errorBody
    }

    /// Sends `request` until it succeeds (2xx, or a status in `accept`), fails for good, or runs
    /// out of attempts.
    /// With `resendUnsent` false a request the transport reports never sent is not sent again here:
    /// the caller looks first (a Workflow Studio submit), so even a transport that misjudged
    /// whether it left cannot make it happen twice.
    public func send(
        _ request: WireRequest, operation: String, accept: Set<Int> = [],
        timeout: Duration? = nil, resendUnsent: Bool = true
    ) async throws(ProviderError) -> WireResponse {
        var attempt = 0
        while true {
            attempt += 1
            let response: WireResponse
            do {
                response = try await transport.send(request, timeout: timeout ?? policy.timeout)
            } catch {
                switch error {
                case .notSent(let reason):
                    if resendUnsent, attempt < policy.maxAttempts {
                        try await wait(policy.backoff(afterAttempt: attempt, random: random()), operation, attempt)
                        continue
                    }
                    throw ProviderError(
                        provider: provider, operation: operation, kind: .unreachable,
                        message: reason, retrySafe: true, attempts: attempt)
                case .ambiguous(let reason, let status):
                    if request.idempotent, attempt < policy.maxAttempts {
                        try await wait(policy.backoff(afterAttempt: attempt, random: random()), operation, attempt)
                        continue
                    }
                    throw ProviderError(
                        provider: provider, operation: operation, kind: .ambiguous, status: status,
                        message: reason, retrySafe: request.idempotent, attempts: attempt)
                case .invalidRequest(let reason):
                    throw ProviderError(
                        provider: provider, operation: operation, kind: .invalidRequest,
                        message: reason, retrySafe: false, attempts: attempt)
                }
            }
            if response.isSuccess || accept.contains(response.status) { return response }

            let retryAfter = response.header("retry-after").flatMap { RetryAfter.parse($0, now: now()) }
            let (code, message) = errorBody(response)
            // A gateway that timed out or failed (502, 504) may have passed the request on: a call
            // that must not happen twice is then ambiguous, resolved by looking, never resent.
            if !request.idempotent, response.status == 502 || response.status == 504 {
                throw ProviderError(
                    provider: provider, operation: operation, kind: .ambiguous, status: response.status,
                    code: code, message: message, retrySafe: false, attempts: attempt)
            }
            let retryable = policy.retriedStatuses.contains(response.status)
            let failure = ProviderError(
                provider: provider, operation: operation,
                kind: response.status == 401 || response.status == 403 ? .credentials : .http,
                status: response.status, code: code, message: message,
                retrySafe: retryable,
                retryAfter: retryAfter, attempts: attempt)
            guard retryable, attempt < policy.maxAttempts else { throw failure }
            let wait: Duration
            if let retryAfter {
                guard retryAfter <= policy.maxRetryAfter else { throw failure }
                wait = retryAfter
            } else {
                wait = policy.backoff(afterAttempt: attempt, random: random())
            }
            try await self.wait(wait, operation, attempt)
        }
    }

    private func wait(_ duration: Duration, _ operation: String, _ attempt: Int) async throws(ProviderError) {
        do {
            try await sleep(duration)
        } catch {
            throw ProviderError(
                provider: provider, operation: operation, kind: .unreachable,
                message: "cancelled while waiting to retry", retrySafe: true, attempts: attempt)
        }
    }
}
