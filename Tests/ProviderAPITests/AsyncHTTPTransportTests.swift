import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
@testable import ProviderAPI
import Testing

/// The transport against a server that answers each request with the next scripted bytes, so
/// what a provider's load balancer may do (close, chunk, stall, cut short) is exact.
@Suite("AsyncHTTPClient transport")
struct AsyncHTTPTransportTests {
    /// How sending `method` to `url` failed; nil when it succeeded.
    static func failure(
        _ transport: AsyncHTTPTransport, _ url: String, method: String = "POST", timeout: Duration = .seconds(60)
    ) async -> TransportFailure? {
        do {
            _ = try await transport.send(WireRequest(method: method, url: url), timeout: timeout)
            return nil
        } catch {
            return error
        }
    }

    static func ok(_ body: String, extra: String = "") -> String {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\(extra)content-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test("keep-alive: sequential requests share one connection, and the answer is whole")
    func reuse() async throws {
        try await ScriptedServer.with(Array(repeating: .answer(Self.ok(#"{"ok":true}"#, extra: "x-id: 7\r\n")), count: 20)) { server in
            let transport = AsyncHTTPTransport(connectionsPerHost: 4, settings: .direct)
            for _ in 0..<20 {
                let response = try await transport.send(WireRequest(method: "GET", url: server.url + "/v1/checks?a=b"),
                                                        timeout: .seconds(60))
                #expect(response.status == 200)
                #expect(response.text == #"{"ok":true}"#)
                #expect(response.header("X-Id") == "7")
            }
            await transport.shutdown()
            #expect(server.connections == 1)
            #expect(server.requests.first?.hasPrefix("GET /v1/checks?a=b HTTP/1.1\r\n") == true)
            #expect(server.requests.first?.lowercased().contains("host: 127.0.0.1:\(server.port)\r\n") == true)
        }
    }

    @Test("a POST carries its body with its length; an empty POST says length 0")
    func post() async throws {
        try await ScriptedServer.with([.answer(Self.ok("{}")), .answer(Self.ok("{}"))]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            _ = try await transport.send(WireRequest(method: "POST", url: server.url + "/v1/checks",
                                                     headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                     body: Array("country=CO".utf8)), timeout: .seconds(60))
            _ = try await transport.send(WireRequest(method: "POST", url: server.url + "/v1/x"), timeout: .seconds(60))
            await transport.shutdown()
            #expect(server.requests[0].lowercased().contains("content-length: 10\r\n"))
            #expect(server.requests[0].hasSuffix("\r\n\r\ncountry=CO"))
            #expect(server.requests[1].lowercased().contains("content-length: 0\r\n"))
        }
    }

    @Test("`Connection: close` and a server that closes an idle connection: the next request opens another")
    func closing() async throws {
        try await ScriptedServer.with([
            .answer(Self.ok("1", extra: "connection: close\r\n")), .answer(Self.ok("2")), .closeAfter(Self.ok("3")),
            .answer(Self.ok("4")),
        ]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            var bodies: [String] = []
            for _ in 0..<4 {
                bodies.append(try await transport.send(WireRequest(method: "GET", url: server.url + "/"),
                                                       timeout: .seconds(60)).text)
                // The server's close reaches the client's event loop before the next request.
                try await Task.sleep(for: .seconds(1))
            }
            await transport.shutdown()
            #expect(bodies == ["1", "2", "3", "4"])
            #expect(server.connections == 3)
        }
    }

    @Test("a chunked answer is gathered whole")
    func chunked() async throws {
        let answer = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        try await ScriptedServer.with([.answer(answer), .answer(Self.ok("again"))]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            let first = try await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(60))
            let second = try await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(60))
            #expect(first.text == "hello world")
            #expect(second.text == "again")
            await transport.shutdown()
            #expect(server.connections == 1)
        }
    }

    @Test("failures: no answer, a cut-short body, a stall, a body over the limit, nothing listening")
    func failures() async throws {
        // One server per case, so a case cannot take another's step on a loaded machine; the
        // requests that should fail at once have a minute, so load cannot turn them into timeouts.
        func failure(_ step: ScriptedServer.Step, timeout: Duration = .seconds(60)) async throws -> TransportFailure? {
            var failure: TransportFailure?
            try await ScriptedServer.with([step]) { server in
                let transport = AsyncHTTPTransport(maxBodyBytes: 1000, settings: .direct)
                failure = await Self.failure(transport, server.url + "/v1/checks", timeout: timeout)
                server.closeAll()
                await transport.shutdown()
            }
            return failure
        }
        let closed = try await failure(.close)
        #expect(closed == .ambiguous("the server closed the connection before answering", status: nil))
        let short = try await failure(.closeAfter("HTTP/1.1 201 Created\r\ncontent-length: 100\r\n\r\n{\"check\":"))
        #expect(short == .ambiguous("the server closed the connection before answering in full", status: 201))
        // The stalled request goes on a connection a first request opened, so a loaded machine's slow
        // connection set-up cannot use up its two seconds.
        var stalled: TransportFailure?
        try await ScriptedServer.with([.answer(Self.ok("warm")), .stall]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            _ = try await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(60))
            stalled = await Self.failure(transport, server.url + "/v1/checks", timeout: .seconds(2))
            server.closeAll()
            await transport.shutdown()
        }
        #expect(stalled == .ambiguous("no answer before the timeout", status: nil))
        let large = try await failure(.answer(Self.ok(String(repeating: "x", count: 2000))))
        #expect(large == .ambiguous("the answer is larger than 1000 bytes", status: 200))
        let transport = AsyncHTTPTransport(settings: .direct)
        let refused = await Self.failure(transport, "http://127.0.0.1:9/v1/checks")
        #expect(refused == .notSent("connection refused"))
        await transport.shutdown()
    }

    @Test("TLS: requests and answers over a handshake the client trusts, on one kept connection")
    func tls() async throws {
        let certificate = try NIOSSLCertificate(bytes: Array(TestCertificate.certificate.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(TestCertificate.key.utf8), format: .pem)
        var client = TLSConfiguration.makeClientConfiguration()
        client.trustRoots = .certificates([certificate])
        let server = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        try await ScriptedServer.with([.answer(Self.ok("uno")), .answer(Self.ok("dos"))], tls: server) { server in
            let transport = AsyncHTTPTransport(settings: .direct, tls: client)
            let url = "https://localhost:\(server.port)/v1/checks"
            let first = try await transport.send(WireRequest(method: "GET", url: url), timeout: .seconds(60))
            let second = try await transport.send(WireRequest(method: "GET", url: url), timeout: .seconds(60))
            await transport.shutdown()
            #expect(first.text == "uno" && second.text == "dos")
            #expect(server.connections == 1)
            #expect(server.requests.first?.lowercased().contains("host: localhost:\(server.port)\r\n") == true)
        }
        // The system's roots do not trust it: the request is never sent.
        try await ScriptedServer.with([.answer(Self.ok("x"))], tls: server) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            let refused = await Self.failure(transport, "https://localhost:\(server.port)/")
            await transport.shutdown()
            #expect(refused?.isNotSent == true, "\(String(describing: refused))")
            #expect(server.requests.isEmpty)
        }
    }

    @Test("TLS: a server that never finishes the handshake, or drops it, was never sent the request")
    func handshake() async throws {
        // The scripted server speaks no TLS: the client's hello is never answered, or is closed on.
        try await ScriptedServer.with([]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            let https = server.url.replacingOccurrences(of: "http://", with: "https://")
            let stalled = await Self.failure(transport, https, method: "GET", timeout: .seconds(4))
            #expect(stalled == .notSent("no connection was ready before the timeout"))
            server.closeAll()
            await transport.shutdown()
        }
        try await ScriptedServer.with([], closeOnConnect: true) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            let https = server.url.replacingOccurrences(of: "http://", with: "https://")
            let dropped = await Self.failure(transport, https)
            #expect(dropped?.isNotSent == true, "\(String(describing: dropped))")
            await transport.shutdown()
        }
    }

    @Test("a full pool: requests wait their turn, and one that waits past its deadline was never sent")
    func poolLimit() async throws {
        try await ScriptedServer.with(Array(repeating: .answer(Self.ok("ok")), count: 8)) { server in
            let transport = AsyncHTTPTransport(connectionsPerHost: 2, settings: .direct)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(60)).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            await transport.shutdown()
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(server.connections <= 2)
        }
        try await ScriptedServer.with([.stall]) { server in
            let transport = AsyncHTTPTransport(connectionsPerHost: 1, settings: .direct)
            let stalled = Task {
                try? await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(30))
            }
            let started = ContinuousClock.now
            while server.requests.isEmpty, ContinuousClock.now - started < .seconds(10) {
                try await Task.sleep(for: .milliseconds(20))
            }
            let waited = await Self.failure(transport, server.url, timeout: .milliseconds(200))
            #expect(waited == .notSent("no connection was ready before the timeout"))
            await transport.shutdown()
            server.closeAll()
            _ = await stalled.value
        }
    }

    @Test("URLs: ports, IPv6 literals, queries and fragments; anything but http(s) is refused")
    func endpoints() async throws {
        let plain = try Endpoint("http://127.0.0.1:8080/v1/checks?x=1#top")
        #expect(plain.host == "127.0.0.1" && plain.port == 8080 && !plain.secure)
        let secure = try Endpoint("https://api.checks.truora.com")
        #expect(secure.port == 443 && secure.host == "api.checks.truora.com" && secure.secure)
        let query = try Endpoint("https://example.com?a=b")
        #expect(query.host == "example.com" && query.port == 443)
        let six = try Endpoint("http://[::1]:9000/x")
        #expect(six.host == "::1" && six.port == 9000)
        #expect(throws: TransportFailure.invalidRequest("only http and https URLs can be sent")) { try Endpoint("ftp://x") }
        #expect(throws: TransportFailure.invalidRequest("the URL's port is malformed")) { try Endpoint("http://x:99999/") }
        #expect(throws: TransportFailure.invalidRequest("the URL has no host")) { try Endpoint("http:///v1") }
        #expect(throws: TransportFailure.invalidRequest("URLs with credentials are not sent")) {
            try Endpoint("https://user:pw@example.com/")
        }
        // What goes on the wire: the path and query, never the fragment.
        try await ScriptedServer.with([.answer(Self.ok("{}"))]) { server in
            let transport = AsyncHTTPTransport(settings: .direct)
            _ = try await transport.send(WireRequest(method: "GET", url: server.url + "/v1/checks?x=1#top"), timeout: .seconds(60))
            await transport.shutdown()
            #expect(server.requests.first?.hasPrefix("GET /v1/checks?x=1 HTTP/1.1\r\n") == true)
        }
        let transport = AsyncHTTPTransport(settings: .direct)
        let refused = await Self.failure(transport, "ftp://127.0.0.1/")
        #expect(refused == .invalidRequest("only http and https URLs can be sent"))
        await transport.shutdown()
    }

    @Test("after shutdown nothing is sent")
    func shutdown() async throws {
        let transport = AsyncHTTPTransport(settings: .direct)
        await transport.shutdown()
        let failure = await Self.failure(transport, "http://127.0.0.1:9/", method: "GET")
        #expect(failure == .notSent("the HTTP client is shut down"))
    }
}

/// A loopback server that reads requests (head and any `content-length` body) and plays a script,
/// one step per request, recording what it received.
final class ScriptedServer: Sendable {
    enum Step: Sendable {
        /// Writes these bytes and keeps the connection.
        case answer(String)
        /// Writes these bytes and closes.
        case closeAfter(String)
        /// Closes without answering.
        case close
        /// Never answers.
        case stall
    }

    private struct State {
        var script: [Step]
        var requests: [String] = []
        var connections = 0
        var channels: [any Channel] = []
    }

    private let state: NIOLockedValueBox<State>
    private let channel: any Channel
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [String] { state.withLockedValue { $0.requests } }
    var connections: Int { state.withLockedValue { $0.connections } }

    private init(script: [Step], closeOnConnect: Bool, tls: TLSConfiguration?) async throws {
        let tls = try tls.map { try NIOSSLContext(configuration: $0) }
        let state = NIOLockedValueBox(State(script: script))
        self.state = state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.withLockedValue {
                    $0.connections += 1
                    $0.channels.append(channel)
                }
                if closeOnConnect { return channel.close() }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(Player(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    static func with(
        _ script: [Step], closeOnConnect: Bool = false, tls: TLSConfiguration? = nil,
        _ body: (ScriptedServer) async throws -> Void
    ) async throws {
        let server = try await ScriptedServer(script: script, closeOnConnect: closeOnConnect, tls: tls)
        do {
            try await body(server)
        } catch {
            server.closeAll()
            try? await server.channel.close()
            throw error
        }
        server.closeAll()
        try? await server.channel.close()
    }

    func closeAll() {
        for channel in state.withLockedValue({ $0.channels }) { channel.close(promise: nil) }
    }

    private final class Player: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let state: NIOLockedValueBox<State>
        var buffer: [UInt8] = []

        init(state: NIOLockedValueBox<State>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            buffer += bytes.readBytes(length: bytes.readableBytes) ?? []
            while let request = takeRequest() {
                let step: Step? = state.withLockedValue { state in
                    state.requests.append(request)
                    return state.script.isEmpty ? nil : state.script.removeFirst()
                }
                switch step {
                case .answer(let text)?:
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
                case .closeAfter(let text)?:
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)))
                        .whenComplete { _ in context.close(promise: nil) }
                case .close?, nil:
                    context.close(promise: nil)
                case .stall?:
                    break
                }
            }
        }

        /// One whole request off the front of the buffer, if one has arrived.
        private func takeRequest() -> String? {
            let end = Array("\r\n\r\n".utf8)
            guard let headEnd = buffer.indices.first(where: { buffer[$0...].starts(with: end) }) else { return nil }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            let length = head.lowercased().split(separator: "\r\n")
                .first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let total = headEnd + 4 + length
            guard buffer.count >= total else { return nil }
            let request = String(decoding: buffer[..<total], as: UTF8.self)
            buffer.removeFirst(total)
            return request
        }
    }
}

extension TransportFailure {
    var isNotSent: Bool {
        if case .notSent = self { true } else { false }
    }
}

/// A self-signed certificate for `localhost` and 127.0.0.1 (P-256, valid until 2126) and its key,
/// made with `openssl req -x509 -newkey ec` for these tests only; it guards nothing.
enum TestCertificate {
    static let certificate = """
-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUNMApCU3dVtQRRDreYdcxA8bPGLEwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMzE5MDcwNloYDzIxMjYxMTA5
MTkwNzA2WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASmr5XZjq+ueYcqdNxvKLweYgQzAYSfC1vKc86ivpk4Eww9OdT0mg0T
lBxDuVP10lhKfZFqHdgIymuOQqbrx6d9o28wbTAdBgNVHQ4EFgQUn9aAHnHU1kPv
RN/L7HN1eQ3mH7IwHwYDVR0jBBgwFoAUn9aAHnHU1kPvRN/L7HN1eQ3mH7IwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAPPollnixAViHjmSwo3bN4aNv5OI/eqq1bF68Yzk3NP6AiEA
zifGvDSvR00865xSaOljji5O/3UQkRQuDoQ9VGX8/MM=
-----END CERTIFICATE-----
"""
    static let key = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjnrmaeOGgmjVZVww
Y9PBL6dFE6+Zff0BsxNjJ4+3wMGhRANCAASmr5XZjq+ueYcqdNxvKLweYgQzAYSf
C1vKc86ivpk4Eww9OdT0mg0TlBxDuVP10lhKfZFqHdgIymuOQqbrx6d9
-----END PRIVATE KEY-----
"""
}
