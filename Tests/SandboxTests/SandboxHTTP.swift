import Foundation
import ProviderAPI
import Sandbox

/// A sandbox on a free loopback port, spoken to over plain HTTP: what any client sees.
struct SandboxHTTP {
    let running: RunningSandbox
    let transport: AsyncHTTPTransport

    var baseURL: String { running.baseURL }

    static func with(_ configure: (inout SandboxConfiguration) -> Void = { _ in },
                     _ body: (SandboxHTTP) async throws -> Void) async throws {
        var configuration = SandboxConfiguration()
        configuration.speed = 600
        configure(&configuration)
        let running = try await Sandbox(configuration: configuration).start()
        let http = SandboxHTTP(running: running, transport: AsyncHTTPTransport(connectionsPerHost: 4, settings: .direct))
        do {
            try await body(http)
        } catch {
            await http.transport.shutdown()
            await running.stop()
            throw error
        }
        await http.transport.shutdown()
        await running.stop()
    }

    /// A request with Truora's key (unless `key` is nil) and a form body.
    func truora(_ method: String, _ path: String, key: String? = Sandbox.truoraKey(), form: [(String, String)]? = nil)
        async throws -> WireResponse
    {
        var headers: [(String, String)] = []
        if let key { headers.append(("Truora-API-Key", key)) }
        var body: [UInt8]?
        if let form {
            var encoded = FormBody()
            for (name, value) in form { encoded.append(name, value) }
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(encoded.encoded.utf8)
        }
        return try await send(method, path, headers: headers, body: body)
    }

    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws
        -> WireResponse
    {
        try await transport.send(
            WireRequest(method: method, url: path.hasPrefix("http") ? path : baseURL + path, headers: headers,
                        body: body),
            timeout: .seconds(5))
    }

    /// A Trulioo bearer token from the client-credentials endpoint.
    func truliooToken() async throws -> String {
        let answer = try await send(
            "POST", "/connect/token", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials&client_id=sandbox&client_secret=sandbox".utf8))
        return try JSON.object(answer)["access_token"]?.string ?? ""
    }
}

/// Reading JSON answers loosely, as a test does.
enum JSON {
    static func value(_ response: WireResponse) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    static func object(_ response: WireResponse) throws -> [String: JSONValue] {
        guard case .object(let object) = try value(response) else { return [:] }
        return object
    }
}
