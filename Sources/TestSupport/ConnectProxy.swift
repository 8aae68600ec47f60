import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A company proxy in miniature, for tests: an HTTP proxy on 127.0.0.1 that opens `CONNECT`
/// tunnels and counts what passes through them.
///
/// It tunnels to loopback only (`127.0.0.1`, `localhost`, `[::1]`, always dialled as 127.0.0.1)
/// and answers 403 to anything else, so a test that points a client at a real host through it
/// sends nothing off the machine. Inside a plain-HTTP tunnel it counts the request lines that go
/// towards the server; a TLS tunnel is opaque to it, as to a real proxy.
public final class ConnectProxy: Sendable {
    private struct State {
        var connects: [String] = []
        var authorizations: [String?] = []
        var tunnelledRequests = 0
        var channels: [any Channel] = []
    }

    private let state = NIOLockedValueBox(State())
    private let listener: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    /// The port it listens on.
    public private(set) var port: Int {
        get { portBox.withLockedValue { $0 } }
        set { portBox.withLockedValue { $0 = newValue } }
    }
    private let portBox = NIOLockedValueBox(0)

    /// `http://127.0.0.1:PORT`, as `HTTPS_PROXY` would say it.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The targets of the tunnels asked for, as written after `CONNECT`.
    public var connects: [String] { state.withLockedValue { $0.connects } }
    /// Each tunnel's `Proxy-Authorization` header, nil where none was sent.
    public var authorizations: [String?] { state.withLockedValue { $0.authorizations } }
    /// HTTP requests seen going through plain (not TLS) tunnels.
    public var tunnelledRequests: Int { state.withLockedValue { $0.tunnelledRequests } }

    private init() {}

    /// Runs `body` with a proxy listening on a free loopback port, and closes it and its tunnels after.
    public static func with(_ body: (ConnectProxy) async throws -> Void) async throws {
        let proxy = ConnectProxy()
        let state = proxy.state
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.withLockedValue { $0.channels.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Front(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        proxy.port = channel.localAddress?.port ?? 0
        proxy.listener.withLockedValue { $0 = channel }
        do {
            try await body(proxy)
        } catch {
            await proxy.close()
            throw error
        }
        await proxy.close()
    }

    private func close() async {
        for channel in state.withLockedValue({ $0.channels }) { channel.close(promise: nil) }
        try? await listener.withLockedValue({ $0 })?.close()
    }

    /// The side facing the client: reads the `CONNECT` head, dials the target, then copies bytes.
    private final class Front: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let state: NIOLockedValueBox<State>
        private var head: [UInt8] = []
        private var peer: (any Channel)?
        private var pending: [ByteBuffer] = []
        private var connecting = false
        private var plain = true
        /// The end of what was copied so far, so a request line split across reads is still seen.
        private var tail: [UInt8] = []

        init(state: NIOLockedValueBox<State>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            if let peer {
                forward(bytes, to: peer)
                peer.flush()
                return
            }
            if connecting {
                pending.append(bytes)
                return
            }
            head += bytes.readBytes(length: bytes.readableBytes) ?? []
            let end = Array("\r\n\r\n".utf8)
            guard let headEnd = head.indices.first(where: { head[$0...].starts(with: end) }) else { return }
            let lines = String(decoding: head[..<headEnd], as: UTF8.self).split(separator: "\r\n")
            let rest = Array(head[(headEnd + 4)...])
            let words = lines.first?.split(separator: " ") ?? []
            let authorization = lines.dropFirst()
                .first { $0.lowercased().hasPrefix("proxy-authorization:") }
                .map { $0.dropFirst("proxy-authorization:".count).trimmingCharacters(in: .whitespaces) }
            guard words.count == 3, words[0] == "CONNECT", let colon = words[1].lastIndex(of: ":"),
                ["127.0.0.1", "localhost", "[::1]"].contains(words[1][..<colon]),
                let port = Int(words[1][words[1].index(after: colon)...])
            else {
                refuse(context, "HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                return
            }
            state.withLockedValue {
                $0.connects.append(String(words[1]))
                $0.authorizations.append(authorization)
            }
            connecting = true
            if !rest.isEmpty { pending.append(context.channel.allocator.buffer(bytes: rest)) }
            let front = context.channel
            let registry = state
            ClientBootstrap(group: context.eventLoop)
                .channelInitializer { channel in
                    registry.withLockedValue { $0.channels.append(channel) }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Back(front: front))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .assumeIsolated()
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        self.connecting = false
                        self.peer = channel
                        context.writeAndFlush(
                            self.wrapOutboundOut(
                                context.channel.allocator.buffer(
                                    string: "HTTP/1.1 200 Connection established\r\n\r\n")),
                            promise: nil)
                        for buffer in self.pending { self.forward(buffer, to: channel) }
                        self.pending = []
                        channel.flush()
                    case .failure:
                        self.refuse(context, "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
                    }
                }
        }

        private func refuse(_ context: ChannelHandlerContext, _ answer: String) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }

        /// Copies client bytes to the target, counting the HTTP request lines among them.
        private func forward(_ bytes: ByteBuffer, to peer: any Channel) {
            let view = Array(bytes.readableBytesView)
            // A TLS record starts with 0x16 (handshake); an HTTP request with a letter.
            if tail.isEmpty, let first = view.first, first == 0x16 { plain = false }
            if plain {
                let marker = Array(" HTTP/1.1\r\n".utf8)
                let scanned = tail + view
                var count = 0
                var index = 0
                while index + marker.count <= scanned.count {
                    if scanned[index..<(index + marker.count)].elementsEqual(marker) {
                        count += 1
                        index += marker.count
                    } else {
                        index += 1
                    }
                }
                tail = Array(scanned.suffix(marker.count - 1))
                if count > 0 { state.withLockedValue { $0.tunnelledRequests += count } }
            }
            peer.write(bytes, promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    /// The side facing the target: copies its bytes back to the client.
    private final class Back: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        let front: any Channel

        init(front: any Channel) { self.front = front }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            front.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            front.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
