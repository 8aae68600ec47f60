import Foundation

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
        // Most servers send lowercase names already; a new String only for those that do not.
        self.headers = headers.map { name, value in
            name.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) } ? (name.lowercased(), value) : (name, value)
        }
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
