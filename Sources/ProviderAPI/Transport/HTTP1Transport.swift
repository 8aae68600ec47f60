import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// The production transport: HTTP/1.1 over keep-alive connections pooled per host, on SwiftNIO.
///
/// A request costs one hop onto the connection's event loop and one back: the request is written
/// as one head, body and end with a single flush, the answer is gathered into one buffer by the
/// connection's handler, and the waiting task resumes once. (AsyncHTTPClient, which this replaced,
/// spent about twice the CPU per request in its per-request state machines and body streams.)
///
/// What it does not do, because no provider call needs it: redirects (a 3xx is returned as is),
/// decompression, proxies, HTTP/2, request pipelining.
public final class HTTP1Transport: HTTPTransport {
    /// Largest response body read; provider answers are small, reports and PDFs a few MB.
    public let maxBodyBytes: Int
    let connectionsPerHost: Int
    let connectTimeout: TimeAmount
    /// A connection idle for longer is closed rather than reused: servers drop idle connections
    /// after a minute or so, and a request written into one that is closing is lost ambiguously.
    let idleTimeout: TimeAmount
    let group: any EventLoopGroup
    private let pools = NIOLockedValueBox<(pools: [String: HostPool], closed: Bool)>(([:], false))
    /// What TLS connections trust and offer: the system's roots by default.
    let tlsConfiguration: TLSConfiguration
    private let tls = NIOLockedValueBox<NIOSSLContext?>(nil)

    /// - Parameter connectionsPerHost: the pool size per host; make it at least the run's concurrency.
    public init(
        connectionsPerHost: Int = 16, connectTimeout: Duration = .seconds(10),
        maxBodyBytes: Int = 64 << 20, idleTimeout: Duration = .seconds(20),
        tls: TLSConfiguration = .makeClientConfiguration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        tlsConfiguration = tls
        self.connectionsPerHost = max(1, connectionsPerHost)
        self.connectTimeout = TimeAmount(connectTimeout)
        self.maxBodyBytes = maxBodyBytes
        self.idleTimeout = TimeAmount(idleTimeout)
        self.group = group
    }

    /// Closes every idle connection and refuses new requests; requests in flight finish first.
    public func shutdown() async {
        let closing = pools.withLockedValue { state in
            state.closed = true
            return Array(state.pools.values)
        }
        for pool in closing { pool.close() }
    }

    public func send(_ request: WireRequest, timeout: Duration) async throws(TransportFailure) -> WireResponse {
        let endpoint = try Endpoint(request.url)
        guard let pool = pool(for: endpoint) else { throw .notSent("the HTTP client is shut down") }
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let connection = try await pool.acquire(deadline: deadline) { () throws(TransportFailure) in
            try await self.connect(endpoint, deadline: deadline)
        }
        // Setting up the connection (or waiting for one) may have used the whole time: then the
        // request is not started at all.
        guard NIODeadline.now() < deadline else {
            pool.release(connection, reusable: true)
            throw .notSent("the connection was not ready before the timeout")
        }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: endpoint.target)
        head.headers.add(name: "host", value: endpoint.hostHeader)
        for (name, value) in request.headers { head.headers.add(name: name, value: value) }
        if let body = request.body {
            head.headers.add(name: "content-length", value: String(body.count))
        } else if request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            head.headers.add(name: "content-length", value: "0")
        }
        let outcome = await connection.exchange(head, body: request.body, deadline: deadline, limit: maxBodyBytes)
        switch outcome {
        case .success(let answer):
            pool.release(connection, reusable: answer.keepAlive)
            return WireResponse(status: answer.status, headers: answer.headers, body: answer.body)
        case .failure(let failure):
            pool.release(connection, reusable: false)
            throw failure
        }
    }

    private func pool(for endpoint: Endpoint) -> HostPool? {
        pools.withLockedValue { state in
            if state.closed { return nil }
            if let pool = state.pools[endpoint.key] { return pool }
            let pool = HostPool(limit: connectionsPerHost, idleTimeout: idleTimeout, loop: group.next())
            state.pools[endpoint.key] = pool
            return pool
        }
    }

    private func tlsContext() throws(TransportFailure) -> NIOSSLContext {
        do {
            return try tls.withLockedValue { context in
                if let context { return context }
                let made = try NIOSSLContext(configuration: tlsConfiguration)
                context = made
                return made
            }
        } catch {
            throw .notSent("TLS could not be set up")
        }
    }

    private func connect(_ endpoint: Endpoint, deadline: NIODeadline) async throws(TransportFailure) -> Connection {
        let tls = endpoint.secure ? try tlsContext() : nil
        let remaining = deadline - .now()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(max(.milliseconds(1), min(connectTimeout, remaining)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    if let tls {
                        let name = endpoint.host.isIPAddress ? nil : endpoint.host
                        try operations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: name))
                    }
                    try operations.addHTTPClientHandlers(leftOverBytesStrategy: .dropBytes)
                    try operations.addHandler(ExchangeHandler(
                        awaitsTLS: tls != nil, ready: channel.eventLoop.makePromise(of: Void.self)))
                }
            }
        do {
            let channel = try await bootstrap.connect(host: endpoint.host, port: endpoint.port).get()
            let (handler, ready) = try await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self)
                return (NIOLoopBound(handler, eventLoop: channel.eventLoop), handler.ready.futureResult)
            }.get()
            // With TLS the request waits for the handshake, so a failed one is a request never sent;
            // a server that never finishes it is given until the request's deadline.
            let stalled = tls == nil ? nil : channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
            defer { stalled?.cancel() }
            do {
                try await ready.get()
            } catch {
                throw NIODeadline.now() >= deadline ? TransportFailure.notSent("the TLS handshake timed out") : error
            }
            return Connection(channel: channel, handler: handler)
        } catch {
            throw .notSent(transportReason(error))
        }
    }
}

/// Where a URL points: one pool per scheme, host and port.
struct Endpoint: Sendable {
    var secure: Bool
    var host: String
    var port: Int
    /// Path and query, as sent on the request line.
    var target: String
    var hostHeader: String
    var key: String { "\(secure ? "https" : "http")://\(hostHeader)" }

    /// Parsed on the URL's UTF-8 (a request's URL is parsed on every send; Character-wise
    /// scanning cost a few per cent of a run).
    init(_ url: String) throws(TransportFailure) {
        let utf8 = url.utf8
        let start: String.Index
        if url.hasPrefix("https://") {
            secure = true
            start = utf8.index(utf8.startIndex, offsetBy: 8)
        } else if url.hasPrefix("http://") {
            secure = false
            start = utf8.index(utf8.startIndex, offsetBy: 7)
        } else {
            throw .invalidRequest("only http and https URLs can be sent")
        }
        let slash = UInt8(ascii: "/"), question = UInt8(ascii: "?"), hash = UInt8(ascii: "#"), colon = UInt8(ascii: ":")
        let authorityEnd = utf8[start...].firstIndex { $0 == slash || $0 == question || $0 == hash } ?? utf8.endIndex
        let targetEnd = utf8[authorityEnd...].firstIndex(of: hash) ?? utf8.endIndex
        let path = url[authorityEnd..<targetEnd]
        target = path.utf8.first == slash ? String(path) : "/" + path
        var authority = url[start..<authorityEnd]
        if authority.utf8.contains(UInt8(ascii: "@")) { throw .invalidRequest("URLs with credentials are not sent") }
        func parsePort(_ text: Substring) throws(TransportFailure) -> Int {
            guard let value = Int(text), (1...65535).contains(value) else { throw .invalidRequest("the URL's port is malformed") }
            return value
        }
        var port = secure ? 443 : 80
        if authority.utf8.first == UInt8(ascii: "[") {  // [IPv6]:port
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else {
                throw .invalidRequest("the URL's host is malformed")
            }
            let after = authority[authority.utf8.index(after: close)...]
            if after.utf8.first == colon {
                port = try parsePort(after.dropFirst())
            } else if !after.isEmpty {
                throw .invalidRequest("the URL's host is malformed")
            }
            host = String(authority[authority.utf8.index(after: authority.startIndex)..<close])
        } else {
            if let separator = authority.utf8.lastIndex(of: colon) {
                port = try parsePort(authority[authority.utf8.index(after: separator)...])
                authority = authority[..<separator]
            }
            host = String(authority)
        }
        guard !host.isEmpty else { throw .invalidRequest("the URL has no host") }
        self.port = port
        let shown = host.utf8.contains(colon) ? "[\(host)]" : host
        hostHeader = port == (secure ? 443 : 80) ? shown : "\(shown):\(port)"
    }
}

extension String {
    /// Whether this is an IPv4 or IPv6 literal (which TLS does not send as the server name).
    var isIPAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}

/// The connections to one host: reused last-in first-out, at most `limit` open, and requests
/// beyond that wait in order for one to come back.
final class HostPool: Sendable {
    private enum Lease {
        case connection(Connection)
        /// A place to open a new connection in.
        case slot
        case timedOut
        case closed
    }

    private struct State {
        /// Connections waiting for a request, with when each was put back.
        var idle: [(connection: Connection, since: NIODeadline)] = []
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Lease, Never>)] = []
        var nextWaiter = 0
        var closed = false
    }

    let limit: Int
    let idleTimeout: TimeAmount
    /// Where waiters' deadlines are scheduled.
    let loop: any EventLoop
    private let state = NIOLockedValueBox(State())

    init(limit: Int, idleTimeout: TimeAmount, loop: any EventLoop) {
        self.limit = limit
        self.idleTimeout = idleTimeout
        self.loop = loop
    }

    func acquire(
        deadline: NIODeadline, open: @Sendable () async throws(TransportFailure) -> Connection
    ) async throws(TransportFailure) -> Connection {
        while true {
            var stale: [Connection] = []
            let now = NIODeadline.now()
            // Most requests find a connection or a free place at once: no suspension for those.
            let lease: Lease
            if let quick = state.withLockedValue({ take(&$0, now: now, stale: &stale) }) {
                lease = quick
            } else {
                lease = await withCheckedContinuation { continuation in
                    let immediate: Lease? = state.withLockedValue { state in
                        if let lease = take(&state, now: now, stale: &stale) { return lease }
                        let id = state.nextWaiter
                        state.nextWaiter += 1
                        state.waiters.append((id, continuation))
                        loop.scheduleTask(deadline: deadline) { [self] in expire(id) }
                        return nil
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            }
            for connection in stale { connection.close() }
            switch lease {
            case .connection(let connection):
                // Handed over by a release just now, or taken idle: only a close may have come since.
                if connection.channel.isActive { return connection }
                connection.close()
                giveBackSlot()
            case .slot:
                do {
                    return try await open()
                } catch {
                    giveBackSlot()
                    throw error
                }
            case .timedOut:
                throw .notSent("no connection became free in time")
            case .closed:
                throw .notSent("the HTTP client is shut down")
            }
        }
    }

    /// An idle connection still good to use, else a place to open one, else nil (the caller waits).
    /// Idle connections found stale are counted out and handed back in `stale` to be closed.
    private func take(_ state: inout State, now: NIODeadline, stale: inout [Connection]) -> Lease? {
        if state.closed { return .closed }
        while let (connection, since) = state.idle.popLast() {
            if connection.channel.isActive, now - since < idleTimeout { return .connection(connection) }
            state.open -= 1
            stale.append(connection)
        }
        guard state.open < limit else { return nil }
        state.open += 1
        return .slot
    }

    /// Takes a connection back after a request: kept for the next if it can carry another.
    func release(_ connection: Connection, reusable: Bool) {
        let (keep, waiter): (Bool, CheckedContinuation<Lease, Never>?) = state.withLockedValue { state in
            let keep = reusable && !state.closed && connection.channel.isActive
            let waiter = state.waiters.isEmpty ? nil : state.waiters.removeFirst().continuation
            if waiter == nil {
                if keep { state.idle.append((connection, .now())) } else { state.open -= 1 }
            }
            return (keep, waiter)
        }
        if !keep { connection.close() }
        waiter?.resume(returning: keep ? .connection(connection) : .slot)
    }

    /// A place that was taken but produced no connection goes to the next waiter, or back.
    private func giveBackSlot() {
        let waiter: CheckedContinuation<Lease, Never>? = state.withLockedValue { state in
            if !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.open -= 1
            return nil
        }
        waiter?.resume(returning: .slot)
    }

    private func expire(_ id: Int) {
        let waiter: CheckedContinuation<Lease, Never>? = state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: .timedOut)
    }

    func close() {
        let (idle, waiters) = state.withLockedValue { state in
            state.closed = true
            let taken = (state.idle.map(\.connection), state.waiters.map(\.continuation))
            state.open -= state.idle.count
            state.idle.removeAll()
            state.waiters.removeAll()
            return taken
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.resume(returning: .closed) }
    }
}

/// One open connection and the handler that carries its exchanges.
final class Connection: Sendable {
    let channel: any Channel
    let handler: NIOLoopBound<ExchangeHandler>

    init(channel: any Channel, handler: NIOLoopBound<ExchangeHandler>) {
        self.channel = channel
        self.handler = handler
    }

    func close() {
        channel.close(promise: nil)
    }

    func exchange(_ head: HTTPRequestHead, body: [UInt8]?, deadline: NIODeadline, limit: Int) async
        -> Result<Answer, TransportFailure>
    {
        let promise = channel.eventLoop.makePromise(of: Answer.self)
        let handler = handler
        channel.eventLoop.execute {
            handler.value.start(head, body: body, deadline: deadline, limit: limit, promise: promise)
        }
        do {
            return .success(try await promise.futureResult.get())
        } catch let failure as TransportFailure {
            return .failure(failure)
        } catch {
            return .failure(.ambiguous(transportReason(error), status: nil))
        }
    }
}

/// A complete answer and whether its connection can carry another request.
struct Answer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var keepAlive: Bool
}

/// Writes one request and gathers its answer; one exchange at a time.
final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private struct Exchange {
        var promise: EventLoopPromise<Answer>
        var limit: Int
        var timeout: Scheduled<Void>?
        var head: HTTPResponseHead?
        var body: ByteBuffer?
    }

    private var context: ChannelHandlerContext?
    private var current: Exchange?
    /// Succeeds when requests can be written: at once on a plain connection, after the handshake
    /// with TLS; fails if the connection is lost before.
    let ready: EventLoopPromise<Void>
    private let awaitsTLS: Bool
    private var isReady = false

    init(awaitsTLS: Bool, ready: EventLoopPromise<Void>) {
        self.awaitsTLS = awaitsTLS
        self.ready = ready
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { channelBecameUsable(tls: false) }
    }

    func channelActive(context: ChannelHandlerContext) {
        channelBecameUsable(tls: false)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { channelBecameUsable(tls: true) }
        context.fireUserInboundEventTriggered(event)
    }

    private func channelBecameUsable(tls: Bool) {
        guard !isReady, tls == awaitsTLS else { return }
        isReady = true
        ready.succeed()
    }

    private func notReady(_ error: any Error) {
        guard !isReady else { return }
        isReady = true
        ready.fail(error)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A connection that never became active (refused) is torn down without channelInactive.
        notReady(ChannelError.ioOnClosedChannel)
        fail(.ambiguous("the connection was closed", status: status))
        self.context = nil
    }

    func start(
        _ head: HTTPRequestHead, body: [UInt8]?, deadline: NIODeadline, limit: Int,
        promise: EventLoopPromise<Answer>
    ) {
        guard let context, context.channel.isActive, current == nil else {
            // Nothing was written: safe to send again, on another connection.
            promise.fail(TransportFailure.notSent("the connection closed before the request was sent"))
            return
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.fail(.ambiguous("no answer before the timeout", status: loopBound.value.status))
        }
        current = Exchange(promise: promise, limit: limit, timeout: timeout)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    var status: Int? { current?.head.map { Int($0.status.code) } }

    private var closedEarly: String {
        status == nil ? "the server closed the connection before answering"
            : "the server closed the connection before answering in full"
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard current != nil else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if head.status.code == 100 { return }  // an interim answer; the real one follows
            current?.head = head
        case .body(var chunk):
            guard let exchange = current else { return }
            if (exchange.body?.readableBytes ?? 0) + chunk.readableBytes > exchange.limit {
                fail(.ambiguous("the answer is larger than \(exchange.limit) bytes", status: status))
                return
            }
            if current?.body == nil {
                current?.body = chunk
            } else {
                current?.body?.writeBuffer(&chunk)
            }
        case .end:
            guard let exchange = current, let head = exchange.head else { return }
            current = nil
            exchange.timeout?.cancel()
            let answer = Answer(
                status: Int(head.status.code),
                headers: head.headers.map { ($0.name, $0.value) },
                body: exchange.body.map { Array(buffer: $0) } ?? [],
                keepAlive: head.isKeepAlive)
            exchange.promise.succeed(answer)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        notReady(ChannelError.eof)
        fail(.ambiguous(closedEarly, status: status))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        notReady(error)
        context.close(promise: nil)
        if let error = error as? HTTPParserError, error == .invalidEOFState {
            fail(.ambiguous(closedEarly, status: status))  // the connection ended inside the answer
        } else {
            fail(.ambiguous(transportReason(error), status: status))
        }
    }

    /// Fails the exchange in progress, if any, and closes the connection: it cannot carry another.
    private func fail(_ failure: TransportFailure) {
        guard let exchange = current else { return }
        current = nil
        exchange.timeout?.cancel()
        exchange.promise.fail(failure)
        context?.close(promise: nil)
    }
}

/// A short description that never includes the URL's query or any header.
func transportReason(_ error: any Error) -> String {
    if let failure = error as? TransportFailure {
        switch failure {
        case .notSent(let reason), .ambiguous(let reason, _), .invalidRequest(let reason): return reason
        }
    }
    if let error = error as? IOError {
        switch error.errnoCode {
        case ECONNREFUSED: return "connection refused"
        case ECONNRESET: return "connection reset by the server"
        case EPIPE: return "connection closed while sending"
        default: return "I/O error \(error.errnoCode)"
        }
    }
    if let error = error as? ChannelError {
        switch error {
        case .connectTimeout: return "connection timed out"
        case .ioOnClosedChannel, .alreadyClosed, .eof: return "the connection was closed"
        default: return "connection error"
        }
    }
    if let error = error as? NIOConnectionError {
        if let first = error.connectionErrors.first { return transportReason(first.error) }
        return error.dnsAError != nil || error.dnsAAAAError != nil ? "host name could not be resolved" : "could not connect"
    }
    if error is SocketAddressError { return "host name could not be resolved" }
    if error is NIOSSLError { return "TLS handshake failed" }
    if error is HTTPParserError { return "the answer is not valid HTTP" }
    return String(describing: type(of: error))
}
