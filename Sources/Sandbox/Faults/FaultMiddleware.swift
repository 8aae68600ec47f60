import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ProviderAPI

/// Decides, request by request, which fault (if any) fires. Rules are tried in order; the first
/// that matches the method and path and whose dice or counter say so wins.
final class FaultEngine: Sendable {
    private struct State {
        var plan: FaultPlan
        var fired: [Int]
        var generator: SeededGenerator
    }

    private let state: NIOLockedValueBox<State>

    init(plan: FaultPlan, seed: UInt64) {
        state = NIOLockedValueBox(
            State(
                plan: plan, fired: Array(repeating: 0, count: plan.rules.count),
                generator: SeededGenerator(seed: seed)))
    }

    var plan: FaultPlan { state.withLockedValue { $0.plan } }

    /// Replaces the plan (tests change faults between phases) and its counters.
    func replace(with plan: FaultPlan) {
        state.withLockedValue {
            $0.plan = plan
            $0.fired = Array(repeating: 0, count: plan.rules.count)
        }
    }

    func pick(method: String, path: String) -> FaultPlan.Rule? {
        state.withLockedValue { state in
            for (index, rule) in state.plan.rules.enumerated() where rule.matches(method: method, path: path) {
                let fires: Bool
                switch rule.rate {
                case .first(let n): fires = state.fired[index] < n
                case .percent(let share): fires = Double.random(in: 0..<100, using: &state.generator) < share
                }
                if fires {
                    state.fired[index] += 1
                    return rule
                }
            }
            return nil
        }
    }
}

/// Per-key token buckets: `rate` requests per second, bursts up to `rate`.
final class RateLimiter: Sendable {
    private let rate: Double
    private let buckets = NIOLockedValueBox([String: (tokens: Double, at: ContinuousClock.Instant)]())

    init(rate: Double) { self.rate = rate }

    /// Whether the request may go on.
    func admit(key: String) -> Bool {
        buckets.withLockedValue { buckets in
            let now = ContinuousClock.now
            var bucket = buckets[key] ?? (rate, now)
            bucket.tokens = min(rate, bucket.tokens + (now - bucket.at).seconds * rate)
            bucket.at = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}

/// Latency, the per-key rate limit, injected faults and request counting, in front of every
/// provider route. `/_sandbox/*` (admin) is exempt.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext

    let faults: FaultEngine
    let stats: Stats
    let latency: SandboxConfiguration.Latency
    let limiter: RateLimiter?

    func handle(
        _ request: Request, context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/_sandbox/") { return try await next(request, context) }
        let method = request.method.rawValue
        if latency.milliseconds > 0 || latency.jitter > 0 {
            let jitter = latency.jitter > 0 ? Int.random(in: -latency.jitter...latency.jitter) : 0
            try? await Task.sleep(for: .milliseconds(max(0, latency.milliseconds + jitter)))
        }
        if let limiter, !limiter.admit(key: Self.credentialKey(request)) {
            return record(
                method, path, context,
                Reply.fault(status: 429, path: path, headers: [.retryAfter: "1"]))
        }
        guard let rule = faults.pick(method: method, path: path) else {
            return try await respond(request, context, next)
        }
        stats.fault(rule.kind)
        switch rule.kind {
        case .status(let code):
            var headers: HTTPFields = [:]
            switch rule.retryAfter {
            case .seconds(let s)?: headers[.retryAfter] = String(s)
            case .date(let s)?: headers[.retryAfter] = HTTPDate.format(Date().addingTimeInterval(Double(s)))
            case nil: break
            }
            return record(method, path, context, Reply.fault(status: code, path: path, headers: headers))
        case .slow:
            try? await Task.sleep(for: .milliseconds(rule.delayMilliseconds))
            return try await respond(request, context, next)
        case .hang:
            // Never answer; stop when the client gives up or the server shuts down.
            while context.channel.isActive, !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
            }
            throw CancellationError()
        case .reset:
            let response = try await respond(request, context, next)
            // SO_LINGER 0: the close sends RST; the client sees a reset after its request was acted on.
            if let socket = context.channel as? any SocketOptionProvider {
                try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await context.channel.close().get()
            return response
        case .truncate:
            let response = try await respond(request, context, next)
            let box = BodyBox()
            try await response.body.write(BufferCollector(box: box))
            let body = box.buffer
            let full = body.readableBytes
            let half = body.getSlice(at: body.readerIndex, length: full / 2) ?? ByteBuffer()
            let channel = context.channel
            var cut = response
            cut.headers[.contentLength] = String(full)
            cut.body = ResponseBody(contentLength: full) { writer in
                try await writer.write(half)
                try? await channel.close().get()
            }
            return cut
        }
    }

    private func respond(
        _ request: Request, _ context: Context,
        _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return record(request.method.rawValue, request.uri.path, context, try await next(request, context))
        } catch let error as HTTPError {
            stats.request(
                "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)", status: Int(error.status.code)
            )
            throw error
        }
    }

    private func record(_ method: String, _ path: String, _ context: Context, _ response: Response) -> Response {
        stats.request("\(method) \(context.endpointPath ?? Self.template(path))", status: Int(response.status.code))
        return response
    }

    /// A route-like name for paths no route matched: ID-like segments become `{id}`.
    static func template(_ path: String) -> String {
        "/"
            + path.split(separator: "/").map { segment in
                segment.count >= 16 || segment.contains(where: \.isNumber) && segment.count > 8
                    ? "{id}" : String(segment)
            }.joined(separator: "/")
    }

    /// The Truora key or Trulioo bearer the request carries (hashed), else the peer.
    static func credentialKey(_ request: Request) -> String {
        if let key = request.headers[HTTPField.Name("Truora-API-Key")!] { return Stats.hash(key) }
        if let bearer = request.headers[.authorization] { return Stats.hash(bearer) }
        return "anonymous"
    }
}

/// Collects a response body into one buffer (the `truncate` fault cuts it in half).
/// `@unchecked Sendable`: one handler task creates it, writes it through the collector and reads it
/// after `write` returns; it is never shared.
final class BodyBox: @unchecked Sendable {
    var buffer = ByteBuffer()
}

struct BufferCollector: ResponseBodyWriter {
    let box: BodyBox

    mutating func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        box.buffer.writeBuffer(&copy)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
