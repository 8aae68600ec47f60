public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOHTTP1

/// One request as the clients build it: method, absolute URL, headers, body bytes.
public struct WireRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whether sending it twice has the same effect as once (GET, PUT of the same state, DELETE).
    /// A request that may have reached the server is resent only when this is true.
    public var idempotent: Bool

    public init(
        method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        idempotent: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.idempotent = idempotent ?? (method != "POST" && method != "PATCH")
    }
}

/// One answer: status, headers (names lowercased), body bytes.
public struct WireResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers.map { ($0.0.lowercased(), $0.1) }
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let name = name.lowercased()
        return headers.first { $0.0 == name }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// How a request failed below HTTP.
public enum TransportFailure: Error, Sendable, Equatable {
    /// The request never left: no connection, DNS failure, connect timeout. Always safe to resend.
    case notSent(String)
    /// The request may have reached the server and been acted on: reset after sending, no answer
    /// before the timeout, a body cut short.
    case ambiguous(String, status: Int?)
    /// The URL or the body could not be sent at all.
    case invalidRequest(String)
}

/// Sends ``WireRequest``s. The clients talk to this, so tests can put anything behind it.
public protocol HTTPTransport: Sendable {
    func send(_ request: WireRequest, timeout: Duration) async throws(TransportFailure) -> WireResponse
}

/// The production transport: one pooled AsyncHTTPClient, shut down by its owner.
public final class AsyncHTTPTransport: HTTPTransport {
    public let client: HTTPClient
    /// Largest response body read; provider answers are small, reports and PDFs a few MB.
    public let maxBodyBytes: Int

    /// - Parameter connectionsPerHost: the pool size per host; make it at least the run's concurrency.
    public init(
        connectionsPerHost: Int = 16, connectTimeout: Duration = .seconds(10),
        maxBodyBytes: Int = 64 << 20
    ) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = TimeAmount(connectTimeout)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        // A refused connection fails the request now (and the retry policy decides), rather than
        // being retried silently inside the pool until the request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        self.maxBodyBytes = maxBodyBytes
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func send(_ request: WireRequest, timeout: Duration) async throws(TransportFailure) -> WireResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        var status: Int?
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            status = Int(response.status.code)
            let body = try await response.body.collect(upTo: maxBodyBytes)
            return WireResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer: body))
        } catch {
            throw Self.classify(error, status: status)
        }
    }

    /// Sorts a transport error into "never sent" and "may have been acted on".
    static func classify(_ error: any Error, status: Int?) -> TransportFailure {
        if status == nil {
            if let error = error as? HTTPClientError {
                switch error {
                case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout,
                    .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                    return .notSent(Self.describe(error))
                case .invalidURL, .emptyHost, .emptyScheme:
                    return .invalidRequest(Self.describe(error))
                default:
                    break
                }
            }
            if error is NIOConnectionError || error is SocketAddressError {
                return .notSent(Self.describe(error))
            }
            if let error = error as? IOError,
                [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL]
                    .contains(error.errnoCode)
            {
                return .notSent(Self.describe(error))
            }
            if let error = error as? ChannelError, case .connectTimeout = error {
                return .notSent(Self.describe(error))
            }
        }
        return .ambiguous(Self.describe(error), status: status)
    }

    /// A short description that never includes the URL's query or any header.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .getConnectionFromPoolTimeout: return "no connection became free in time"
            case .deadlineExceeded: return "no answer before the timeout"
            case .readTimeout: return "read timed out"
            case .remoteConnectionClosed: return "the server closed the connection before answering in full"
            case .cancelled: return "cancelled"
            default: return "HTTP client error \(error.shortDescription)"
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
        if error is NIOConnectionError { return "could not connect" }
        if error is SocketAddressError { return "host name could not be resolved" }
        return String(describing: type(of: error))
    }
}

extension HTTPClientError {
    /// `HTTPClientError.remoteConnectionClosed` prints as `HTTPClientError.remoteConnectionClosed`.
    var shortDescription: String {
        String(describing: self).split(separator: ".").last.map(String.init) ?? "unknown"
    }
}
