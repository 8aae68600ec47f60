import Foundation
import NIOSSL
@testable import ProviderAPI
import Testing
import TestSupport

/// Proxies and CA bundles as curl reads them from the environment, and what `doctor` prints.
@Suite("Network settings")
struct NetworkSettingsTests {
    @Test("which proxy each scheme takes: lowercase first, ALL_PROXY last, empty is unset")
    func proxies() {
        let both = NetworkSettings(environment: ["HTTPS_PROXY": "http://upper:1", "https_proxy": "lower:3128",
                                                 "HTTP_PROXY": "", "ALL_PROXY": "http://all:8080"])
        #expect(both.httpsProxy == .init(host: "lower", port: 3128, variable: "https_proxy"))
        #expect(both.httpProxy == .init(host: "all", port: 8080, variable: "ALL_PROXY"))
        let defaultPort = NetworkSettings(environment: ["HTTPS_PROXY": "http://proxy.example/"])
        #expect(defaultPort.httpsProxy?.port == 1080, "curl's default proxy port")
        #expect(defaultPort.httpProxy == nil)
        let six = NetworkSettings(environment: ["https_proxy": "http://[::1]:3128"])
        #expect(six.httpsProxy?.host == "::1" && six.httpsProxy?.address == "http://[::1]:3128")
        #expect(NetworkSettings(environment: [:]).summary == ["proxy: none", "trusted CAs: system roots"])
    }

    @Test("credentials are percent-decoded, sent, and never printed")
    func credentials() {
        let settings = NetworkSettings(environment: [
            "HTTPS_PROXY": "http://ana%40corp:s%3Acr%23t@proxy.example:3128", "HTTP_PROXY": "http://ana%40corp:s%3Acr%23t@proxy.example:3128",
            "NO_PROXY": ".corp.example, LOCALHOST",
        ])
        #expect(settings.httpsProxy?.username == "ana@corp")
        #expect(settings.httpsProxy?.password == "s:cr#t")
        #expect(settings.summary.first
            == "proxy: http://proxy.example:3128 (user and password hidden) for https and http; NO_PROXY: .corp.example,localhost")
        #expect(!settings.summary.joined().contains("cr#t") && !settings.summary.joined().contains("ana"))
        let split = NetworkSettings(environment: ["https_proxy": "http://ana@a.example:1", "http_proxy": "http://b.example:2"])
        #expect(split.summary.prefix(2) == ["proxy: http://a.example:1 (user hidden) for https (from https_proxy)",
                                            "proxy: http://b.example:2 for http (from http_proxy)"])
    }

    @Test("NO_PROXY: suffixes with or without a dot, `*`, addresses and ranges; loopback only when listed")
    func noProxy() {
        let settings = NetworkSettings(environment: [
            "NO_PROXY": "corp.example, .internal.example, 10.0.0.0/8, 192.168.1.7, fd00::/8, [::1]",
            "HTTPS_PROXY": "http://proxy.example:3128",
        ])
        for host in ["corp.example", "api.corp.example", "a.internal.example", "internal.example", "10.2.3.4",
                     "192.168.1.7", "fd12::1", "[::1]", "API.CORP.EXAMPLE."] {
            #expect(settings.bypassesProxy(host), "\(host)")
        }
        for host in ["notcorp.example", "example", "11.0.0.1", "192.168.1.8", "127.0.0.1", "api.checks.truora.com"] {
            #expect(!settings.bypassesProxy(host), "\(host)")
        }
        #expect(settings.route(scheme: "https", host: "api.checks.truora.com")
            == .proxy(.init(host: "proxy.example", port: 3128, variable: "HTTPS_PROXY")))
        #expect(settings.route(scheme: "http", host: "api.checks.truora.com") == .direct, "no http proxy is set")
        #expect(settings.route(scheme: "https", host: "x.corp.example") == .direct)
        #expect(NetworkSettings(environment: ["no_proxy": "*", "https_proxy": "p:1"]).route(scheme: "https", host: "a.b") == .direct)
    }

    @Test("a proxy that cannot be used refuses the requests it covers, and says why without the password")
    func unusable() {
        let settings = NetworkSettings(environment: ["HTTPS_PROXY": "socks5://ana:secret@proxy.example:1080",
                                                     "NO_PROXY": "corp.example"])
        #expect(settings.httpsProxy == nil)
        guard case .unusable(let reason) = settings.route(scheme: "https", host: "api.checks.truora.com") else {
            Issue.record("an unusable proxy must not be gone around")
            return
        }
        #expect(reason.contains("socks5://") && reason.contains("HTTPS_PROXY"))
        #expect(settings.route(scheme: "https", host: "corp.example") == .direct)
        #expect(settings.summary.first?.hasPrefix("proxy: HTTPS_PROXY names a socks5:// proxy") == true)
        #expect(!settings.summary.joined().contains("secret") && !settings.problems.joined().contains("secret"))
        #expect(NetworkSettings(environment: ["http_proxy": "http://host:notaport"]).problems.count == 1)
    }

    @Test("SSL_CERT_FILE and SSL_CERT_DIR are trusted besides the system roots; an unreadable one is said")
    func certificateAuthorities() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("idbatch-ca-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestCertificate.certificate.write(toFile: folder + "/company.pem", atomically: true, encoding: .utf8)
        try "not a certificate".write(toFile: folder + "/README", atomically: true, encoding: .utf8)
        let settings = NetworkSettings(environment: ["SSL_CERT_FILE": folder + "/company.pem", "SSL_CERT_DIR": folder])
        #expect(settings.extraTrustRoots.count == 2)
        #expect(settings.summary.last == "trusted CAs: system roots + SSL_CERT_FILE=\(folder)/company.pem (1 certificate)"
            + " + SSL_CERT_DIR=\(folder) (1 certificate)")
        let missing = NetworkSettings(environment: ["SSL_CERT_FILE": folder + "/missing.pem"])
        #expect(missing.problems.count == 1)
        #expect(missing.summary.last?.hasPrefix("trusted CAs: SSL_CERT_FILE=\(folder)/missing.pem holds no PEM") == true)
    }
}

/// Requests through a `CONNECT` proxy started in the test, and TLS trusted through `SSL_CERT_FILE`.
@Suite("Proxies and CA bundles")
struct ProxyTransportTests {
    static func ok(_ body: String) -> String { AsyncHTTPTransportTests.ok(body) }

    @Test("http and https requests go through the proxy's tunnel, with its credentials as basic auth")
    func tunnel() async throws {
        let certificate = try NIOSSLCertificate(bytes: Array(TestCertificate.certificate.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(TestCertificate.key.utf8), format: .pem)
        let serverTLS = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        var clientTLS = TLSConfiguration.makeClientConfiguration()
        clientTLS.trustRoots = .certificates([certificate])
        try await ConnectProxy.with { proxy in
            let settings = NetworkSettings(environment: [
                "HTTPS_PROXY": "http://ana:p%40ss@127.0.0.1:\(proxy.port)", "HTTP_PROXY": "http://ana:p%40ss@127.0.0.1:\(proxy.port)",
            ])
            let transport = AsyncHTTPTransport(settings: settings, tls: clientTLS)
            try await ScriptedServer.with([.answer(Self.ok("plain")), .answer(Self.ok("again"))]) { server in
                let first = try await transport.send(WireRequest(method: "GET", url: server.url + "/v1/checks"), timeout: .seconds(60))
                let second = try await transport.send(WireRequest(method: "POST", url: server.url + "/v1/checks"), timeout: .seconds(60))
                #expect(first.text == "plain" && second.text == "again")
                #expect(server.requests.count == 2)
            }
            try await ScriptedServer.with([.answer(Self.ok("secret"))], tls: serverTLS) { server in
                let answer = try await transport.send(
                    WireRequest(method: "GET", url: "https://localhost:\(server.port)/v1/checks"), timeout: .seconds(60))
                #expect(answer.text == "secret")
                #expect(proxy.connects.last == "localhost:\(server.port)")
            }
            await transport.shutdown()
            #expect(proxy.connects.count == 2, "one kept tunnel per server: \(proxy.connects)")
            #expect(proxy.tunnelledRequests == 2, "the TLS tunnel's request is not readable to the proxy")
            let basic = "Basic " + Data("ana:p@ss".utf8).base64EncodedString()
            #expect(proxy.authorizations == [basic, basic])
        }
    }

    @Test("NO_PROXY covering the host: the proxy sees nothing")
    func bypass() async throws {
        try await ConnectProxy.with { proxy in
            let transport = AsyncHTTPTransport(settings: NetworkSettings(environment: [
                "http_proxy": proxy.url, "https_proxy": proxy.url, "no_proxy": "example.com,127.0.0.1",
            ]))
            try await ScriptedServer.with([.answer(Self.ok("direct"))]) { server in
                let answer = try await transport.send(WireRequest(method: "GET", url: server.url), timeout: .seconds(60))
                #expect(answer.text == "direct")
            }
            await transport.shutdown()
            #expect(proxy.connects.isEmpty)
        }
    }

    @Test("a proxy that refuses the tunnel: the request was never sent")
    func refusedTunnel() async throws {
        try await ConnectProxy.with { proxy in
            // The test proxy tunnels to 127.0.0.1 only and answers 403 for 127.0.0.2 (still loopback,
            // so nothing could leave the machine even if the request went around the proxy).
            let transport = AsyncHTTPTransport(settings: NetworkSettings(environment: ["https_proxy": proxy.url]))
            let refused = await AsyncHTTPTransportTests.failure(transport, "https://127.0.0.2:9/v1/checks")
            await transport.shutdown()
            #expect(refused == .notSent("the proxy refused to open a tunnel"))
            #expect(proxy.connects.isEmpty)
        }
    }

    @Test("SSL_CERT_FILE naming the suite's certificate makes its TLS server trusted")
    func certificateFile() async throws {
        let certificate = try NIOSSLCertificate(bytes: Array(TestCertificate.certificate.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(TestCertificate.key.utf8), format: .pem)
        let serverTLS = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("idbatch-ca-\(UUID()).pem").path
        try TestCertificate.certificate.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await ScriptedServer.with([.answer(Self.ok("trusted"))], tls: serverTLS) { server in
            let transport = AsyncHTTPTransport(settings: NetworkSettings(environment: ["SSL_CERT_FILE": path]))
            let answer = try await transport.send(
                WireRequest(method: "GET", url: "https://localhost:\(server.port)/"), timeout: .seconds(60))
            await transport.shutdown()
            #expect(answer.text == "trusted")
        }
        // Unreadable: https is refused at once, not sent trusting less than was asked.
        let transport = AsyncHTTPTransport(settings: NetworkSettings(environment: ["SSL_CERT_FILE": path + ".missing"]))
        let refused = await AsyncHTTPTransportTests.failure(transport, "https://localhost:9/")
        await transport.shutdown()
        guard case .invalidRequest(let reason)? = refused else {
            Issue.record("expected the request refused, got \(String(describing: refused))")
            return
        }
        #expect(reason.contains("SSL_CERT_FILE"))
    }
}
