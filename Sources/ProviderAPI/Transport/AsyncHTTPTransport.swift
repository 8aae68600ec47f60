import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production transport: AsyncHTTPClient's pooled HTTP/1.1 connections, through the proxies
/// and with the CA certificates that ``NetworkSettings`` read from the environment.
///
/// AsyncHTTPClient takes one proxy per client and knows no `NO_PROXY`, so the transport keeps one
/// `HTTPClient` for direct requests and one per proxy in use (three at most), and picks one per
/// request from its scheme and host. Each has its own pool, `connectionsPerHost` per host.
///
/// What the retry policy and the ledger rely on is decided in one place, ``failure(_:progress:limit:)``:
/// a request whose head was not written (refused, no free connection before the deadline, TLS or
/// proxy handshake failed or timed out, connection closed first) was never sent; anything after
/// the head was written is ambiguous, with the status if one was read. Redirects are returned as
/// they are (a POST is never resent elsewhere), answers are not decompressed (no request asks for
/// compression), and HTTP/2 is not used, so a stream reset cannot blur those two classes.
public final class AsyncHTTPTransport: HTTPTransport {
    /// Largest response body read; provider answers are small, reports and PDFs a few MB.
    public let maxBodyBytes: Int
    /// What this transport was built from: shown by `idbatch doctor`, used to route requests.
    public let settings: NetworkSettings
    private let direct: HTTPClient
    /// The clients behind a proxy, by the proxy's address and user.
    private let proxied: [(proxy: NetworkSettings.Proxy, client: HTTPClient)]
    private let closed = NIOLockedValueBox(false)

    /// - Parameters:
    ///   - connectionsPerHost: the pool size per host; make it at least the run's concurrency.
    ///   - maxBodyBytes: a longer answer fails as ambiguous (it was acted on) and is not kept.
    ///   - settings: proxies and CA certificates; by default read from this process's environment.
    ///   - tls: replaces the TLS configuration built from `settings` (tests trust their own CA).
    public init(
        connectionsPerHost: Int = 8, maxBodyBytes: Int = 64 << 20,
        settings: NetworkSettings = NetworkSettings(environment: ProcessInfo.processInfo.environment),
        tls: TLSConfiguration? = nil
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.settings = settings
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls ?? Self.tlsConfiguration(settings)
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        // Servers drop idle connections after a minute or so, and a request written into one that
        // is closing is lost ambiguously: close them well before.
        configuration.connectionPool.idleTimeout = .seconds(20)
        // A refused connection fails the request now (and the retry policy decides), rather than
        // being retried inside the pool until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.httpVersion = .http1Only
        let group = MultiThreadedEventLoopGroup.singleton
        direct = HTTPClient(eventLoopGroup: group, configuration: configuration)
        var proxied: [(proxy: NetworkSettings.Proxy, client: HTTPClient)] = []
        for proxy in [settings.httpsProxy, settings.httpProxy].compactMap({ $0 })
        where !proxied.contains(where: { $0.proxy.sameServer(as: proxy) }) {
            var through = configuration
            let authorization = proxy.username.map {
                HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
            }
            through.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
            proxied.append((proxy: proxy, client: HTTPClient(eventLoopGroup: group, configuration: through)))
        }
        self.proxied = proxied
    }

    /// The system's roots plus the certificates of `SSL_CERT_FILE` and `SSL_CERT_DIR`.
    static func tlsConfiguration(_ settings: NetworkSettings) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !settings.extraTrustRoots.isEmpty { tls.additionalTrustRoots = [.certificates(settings.extraTrustRoots)] }
        return tls
    }

    deinit {
        // A transport dropped without `shutdown()` still closes its connections (AsyncHTTPClient
        // stops a debug build whose client is released while running).
        if !closed.withLockedValue({ $0 }) {
            for client in [direct] + proxied.map(\.client) { client.shutdown { _ in } }
        }
    }

    /// Closes every connection and refuses new requests; requests in flight fail.
    public func shutdown() async {
        guard
            closed.withLockedValue({ closed in
                defer { closed = true }
                return !closed
            })
        else { return }
        for client in [direct] + proxied.map(\.client) { try? await client.shutdown() }
    }

    /// Sends `request` directly or through its proxy and gathers the whole answer before `timeout`.
    /// Throws ``TransportFailure/invalidRequest(_:)`` without sending for a URL it cannot send and
    /// for a proxy or CA file the environment names but that cannot be used.
    public func send(_ request: WireRequest, timeout: Duration) async throws(TransportFailure) -> WireResponse {
        let endpoint = try Endpoint(request.url)
        let client: HTTPClient
        switch settings.route(scheme: endpoint.secure ? "https" : "http", host: endpoint.host) {
        case .direct:
            client = direct
        case .proxy(let proxy):
            client = proxied.first { $0.proxy.sameServer(as: proxy) }?.client ?? direct
        case .unusable(let reason):
            throw .invalidRequest(reason)
        }
        if endpoint.secure, let reason = settings.trustFailure { throw .invalidRequest(reason) }
        if closed.withLockedValue({ $0 }) { throw .notSent("the HTTP client is shut down") }

        let outgoing: HTTPClient.Request
        do {
            var headers = HTTPHeaders()
            headers.reserveCapacity(request.headers.count)
            for (name, value) in request.headers { headers.add(name: name, value: value) }
            outgoing = try HTTPClient.Request(
                url: request.url, method: HTTPMethod(rawValue: request.method), headers: headers,
                body: request.body.map { .bytes($0) })
        } catch {
            throw .invalidRequest("the request cannot be sent: \(Self.describe(error))")
        }
        let collector = AnswerCollector(limit: maxBodyBytes)
        let task = client.execute(request: outgoing, delegate: collector, deadline: .now() + TimeAmount(timeout))
        do {
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            throw Self.failure(error, progress: collector.progress, limit: maxBodyBytes)
        }
    }

    /// How far an exchange got before it failed.
    struct Progress: Equatable {
        /// The request head was written: from here on the server may act on it.
        var sent: Bool
        /// The answer's status, once its head was read.
        var status: Int?
    }

    /// Sorts a failure into "never sent" and "may have been acted on": the one place the
    /// transport's errors are mapped.
    static func failure(_ error: any Error, progress: Progress, limit: Int) -> TransportFailure {
        if let failure = error as? TransportFailure { return failure }
        if error is AnswerTooLarge {
            return .ambiguous("the answer is larger than \(limit) bytes", status: progress.status)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .alreadyShutdown:
                return .notSent("the HTTP client is shut down")
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .traceRequestWithBody:
                return .invalidRequest("the request cannot be sent: \(describe(error))")
            default:
                // Header names and values AsyncHTTPClient refuses: never sent, never worth resending.
                if errorName(error).hasPrefix("invalidHeaderField") || errorName(error).hasPrefix("unsupportedScheme") {
                    return .invalidRequest("the request cannot be sent: \(errorName(error))")
                }
            }
        }
        let reason = describe(error, progress: progress)
        return progress.sent ? .ambiguous(reason, status: progress.status) : .notSent(reason)
    }

    /// A short description that never includes the URL's query or any header.
    static func describe(_ error: any Error, progress: Progress = Progress(sent: false)) -> String {
        let closedEarly =
            progress.status == nil
            ? "the server closed the connection before answering"
            : "the server closed the connection before answering in full"
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded:
                return progress.sent ? "no answer before the timeout" : "no connection was ready before the timeout"
            case .getConnectionFromPoolTimeout: return "no connection became free in time"
            case .connectTimeout: return "connection timed out"
            case .tlsHandshakeTimeout: return "the TLS handshake timed out"
            case .readTimeout, .writeTimeout: return "no answer before the timeout"
            case .remoteConnectionClosed:
                return progress.sent ? closedEarly : "the connection closed before the request was sent"
            case .cancelled: return "cancelled"
            case .proxyAuthenticationRequired: return "the proxy refused its credentials (407)"
            case .invalidProxyResponse: return "the proxy refused to open a tunnel"
            case .httpProxyHandshakeTimeout: return "the proxy did not open a tunnel in time"
            case .bodyLengthMismatch: return closedEarly
            default: return "HTTP client error \(errorName(error))"
            }
        }
        if let error = error as? HTTPParserError {
            return error == .invalidEOFState ? closedEarly : "the answer is not valid HTTP"
        }
        if let error = error as? NIOSSLError {
            if case .uncleanShutdown = error { return progress.sent ? closedEarly : "the TLS connection was dropped" }
            return progress.sent ? "TLS error" : "TLS handshake failed"
        }
        if error is BoringSSLError { return progress.sent ? "TLS error" : "TLS handshake failed" }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET:
                return progress.sent ? "connection reset by the server" : "connection reset before the request was sent"
            case EPIPE: return "connection closed while sending"
            case ENETUNREACH, EHOSTUNREACH: return "no route to the host"
            default: return "I/O error \(error.errnoCode)"
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return progress.sent ? closedEarly : "the connection closed before the request was sent"
            default: return "connection error"
            }
        }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return describe(first.error, progress: progress) }
            return error.dnsAError != nil || error.dnsAAAAError != nil
                ? "host name could not be resolved" : "could not connect"
        }
        if error is SocketAddressError { return "host name could not be resolved" }
        return String(describing: type(of: error))
    }
}

/// `invalidHeaderFieldValues` for `HTTPClientError.invalidHeaderFieldValues([...])`: the case's
/// name without what it carries, which may be a header's value (a key).
func errorName(_ error: HTTPClientError) -> String {
    let text = String(describing: error)
    let name = text.prefix { $0 != "(" }
    return String(name.split(separator: ".").last ?? name)
}

/// An answer longer than the transport's limit: reading stops there and the request fails.
struct AnswerTooLarge: Error {}

/// Gathers one answer for ``AsyncHTTPTransport``, and records how far the exchange got so a
/// failure can be told apart: before the request head was written, or after.
///
/// AsyncHTTPClient calls it on the request's event loop; the state sits behind a lock because the
/// sending task reads ``progress`` after a failure, from wherever it resumes.
final class AnswerCollector: HTTPClientResponseDelegate {
    typealias Response = WireResponse

    private struct State {
        var sent = false
        var head: HTTPResponseHead?
        var body: ByteBuffer?
    }

    private let state = NIOLockedValueBox(State())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    var progress: AsyncHTTPTransport.Progress {
        state.withLockedValue { .init(sent: $0.sent, status: $0.head.map { Int($0.status.code) }) }
    }

    func didSendRequestHead(task: HTTPClient.Task<WireResponse>, _ head: HTTPRequestHead) {
        state.withLockedValue { $0.sent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<WireResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLockedValue { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<WireResponse>, _ part: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLockedValue { state in
            var part = part
            guard (state.body?.readableBytes ?? 0) + part.readableBytes <= limit else { return false }
            if state.body == nil {
                state.body = part
            } else {
                state.body!.writeBuffer(&part)
            }
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(AnswerTooLarge())
    }

    func didFinishRequest(task: HTTPClient.Task<WireResponse>) throws -> WireResponse {
        try state.withLockedValue { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            return WireResponse(
                status: Int(head.status.code), headers: head.headers.map { ($0.name, $0.value) },
                body: state.body.map { Array(buffer: $0) } ?? [])
        }
    }
}

/// Where a URL points, as far as routing and refusing it go: scheme and host.
struct Endpoint: Sendable {
    var secure: Bool
    var host: String
    var port: Int

    init(_ url: String) throws(TransportFailure) {
        let rest: Substring
        if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else {
            throw .invalidRequest("only http and https URLs can be sent")
        }
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { throw .invalidRequest("URLs with credentials are not sent") }
        func parsePort(_ text: Substring) throws(TransportFailure) -> Int {
            guard let value = Int(text), (1...65535).contains(value) else {
                throw .invalidRequest("the URL's port is malformed")
            }
            return value
        }
        var port = secure ? 443 : 80
        if authority.hasPrefix("[") {  // [IPv6]:port
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalidRequest("the URL's host is malformed")
            }
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                port = try parsePort(after.dropFirst())
            } else if !after.isEmpty {
                throw .invalidRequest("the URL's host is malformed")
            }
            authority = authority[authority.index(after: authority.startIndex)..<close]
        } else if let colon = authority.lastIndex(of: ":") {
            port = try parsePort(authority[authority.index(after: colon)...])
            authority = authority[..<colon]
        }
        guard !authority.isEmpty else { throw .invalidRequest("the URL has no host") }
        host = String(authority)
        self.port = port
    }
}
