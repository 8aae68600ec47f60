import Foundation
import NIOSSL

/// The network a run goes through, read from the environment as curl reads it: which proxy each
/// request takes, which hosts skip it, and which extra certificate authorities TLS trusts.
///
/// - `https_proxy` / `HTTPS_PROXY` for https URLs, `http_proxy` / `HTTP_PROXY` for http URLs,
///   `all_proxy` / `ALL_PROXY` for either when its own is unset; the lowercase name wins, an empty
///   value counts as unset. A proxy is `[http://][user[:password]@]host[:port]`; the port is 1080
///   when none is given (curl's default); user and password are percent-decoded and sent to the
///   proxy as basic authentication. Every request through a proxy goes in a `CONNECT` tunnel, http
///   as well as https (AsyncHTTPClient tunnels both).
/// - `no_proxy` / `NO_PROXY`: comma-separated hosts that go direct. `*` covers every host; a name
///   covers itself and its subdomains, with or without a leading dot; an IP address covers itself,
///   `10.0.0.0/8` or `fd00::/8` a range. Loopback is not skipped by itself: like curl, list it.
/// - `SSL_CERT_FILE` (a PEM bundle) and `SSL_CERT_DIR` (a folder of PEM files; several folders
///   separated by `:`) are trusted *as well as* the system's roots, so a company CA that
///   re-signs traffic is accepted without losing the public ones.
///
/// What cannot be used (a SOCKS or TLS proxy, an unreadable CA file) is kept in ``problems`` and
/// said in ``summary``; the transport then refuses the requests it concerns rather than going
/// around the company's proxy or trusting less than was asked.
public struct NetworkSettings: Sendable {
    /// An HTTP proxy: where it is, and the credentials sent to it (never printed).
    public struct Proxy: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String?
        /// Sent as basic authentication; kept out of ``address``, ``summary`` and every message.
        var password: String?
        /// The variable it was read from, e.g. `HTTPS_PROXY`.
        public var variable: String

        /// `http://host:port`, without credentials.
        public var address: String {
            "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }

        public init(host: String, port: Int, username: String? = nil, password: String? = nil, variable: String) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.variable = variable
        }

        /// Whether two settings name the same proxy with the same credentials, wherever read.
        func sameServer(as other: Proxy) -> Bool {
            host == other.host && port == other.port && username == other.username && password == other.password
        }
    }

    /// How requests to one scheme leave: direct, through a proxy, or refused because the proxy
    /// named for them cannot be used.
    enum Route: Sendable, Equatable {
        case direct
        case proxy(Proxy)
        case unusable(String)
    }

    /// The proxy for https URLs, if one is set and usable.
    public private(set) var httpsProxy: Proxy?
    /// The proxy for http URLs, if one is set and usable.
    public private(set) var httpProxy: Proxy?
    private var httpsProblem: String?
    private var httpProblem: String?
    /// `NO_PROXY`'s entries, lowercased and trimmed.
    public private(set) var noProxy: [String] = []
    /// `SSL_CERT_FILE` as given: a PEM bundle trusted besides the system's roots.
    public private(set) var caFile: String?
    /// `SSL_CERT_DIR` as given: folders (`:`-separated) of PEM files trusted besides the system's roots.
    public private(set) var caDirectory: String?
    /// The certificates read from them, trusted besides the system's roots.
    public private(set) var extraTrustRoots: [NIOSSLCertificate] = []
    private var caFileCount = 0
    private var caDirectoryCount = 0
    private var trustProblem: String?

    /// What in the environment cannot be used, each a sentence that says what to change.
    public var problems: [String] {
        [httpsProblem, httpProblem == httpsProblem ? nil : httpProblem, trustProblem].compactMap { $0 }
    }

    /// No proxy and the system's roots only, whatever the environment says: for the sandbox on
    /// loopback, which a company proxy could not reach, and for tests.
    public static let direct = NetworkSettings(environment: [:])

    /// Reads the variables above from `environment`, and the CA files they name.
    public init(environment: [String: String]) {
        func value(_ names: String...) -> (name: String, value: String)? {
            for name in names {
                if let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty {
                    return (name, value)
                }
            }
            return nil
        }
        if let (name, text) = value("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY") {
            switch Self.parseProxy(text, variable: name) {
            case .success(let proxy): httpsProxy = proxy
            case .failure(let problem): httpsProblem = problem.message
            }
        }
        if let (name, text) = value("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY") {
            switch Self.parseProxy(text, variable: name) {
            case .success(let proxy): httpProxy = proxy
            case .failure(let problem): httpProblem = problem.message
            }
        }
        if let (_, text) = value("no_proxy", "NO_PROXY") {
            noProxy = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }
        }
        if let (_, path) = value("SSL_CERT_FILE") {
            caFile = path
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                if certificates.isEmpty { throw NIOSSLError.failedToLoadCertificate }
                extraTrustRoots += certificates
                caFileCount = certificates.count
            } catch {
                trustProblem =
                    "SSL_CERT_FILE=\(path) holds no PEM certificate that can be read; "
                    + "https requests are refused until it names a readable CA bundle or is unset"
            }
        }
        if let (_, folders) = value("SSL_CERT_DIR") {
            caDirectory = folders
            for folder in folders.split(separator: ":").map(String.init) where !folder.isEmpty {
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                    trustProblem =
                        trustProblem ?? "SSL_CERT_DIR=\(folder) cannot be read; "
                        + "https requests are refused until it names a readable folder or is unset"
                    continue
                }
                // OpenSSL looks certificates up by hash name; here every PEM file in the folder is
                // read (hash links only repeat a certificate), and anything else is skipped.
                for name in names.sorted() {
                    guard let certificates = try? NIOSSLCertificate.fromPEMFile(folder + "/" + name) else { continue }
                    extraTrustRoots += certificates
                    caDirectoryCount += certificates.count
                }
            }
        }
    }

    /// How a request to `host` over `scheme` (`http` or `https`) leaves.
    func route(scheme: String, host: String) -> Route {
        let secure = scheme == "https"
        if let problem = secure ? httpsProblem : httpProblem {
            return bypassesProxy(host) ? .direct : .unusable(problem)
        }
        guard let proxy = secure ? httpsProxy : httpProxy, !bypassesProxy(host) else { return .direct }
        return .proxy(proxy)
    }

    /// Why https requests cannot be trusted as asked, if they cannot.
    var trustFailure: String? { trustProblem }

    /// Whether `NO_PROXY` sends requests to `host` direct.
    public func bypassesProxy(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        let address = IPAddress(host)
        for entry in noProxy {
            if entry == "*" { return true }
            var pattern = entry
            if pattern.hasPrefix("["), let close = pattern.firstIndex(of: "]") {
                pattern = String(pattern[pattern.index(after: pattern.startIndex)..<close])
            }
            if let address, let slash = pattern.firstIndex(of: "/"),
                let network = IPAddress(String(pattern[..<slash])),
                let bits = Int(pattern[pattern.index(after: slash)...])
            {
                if address.isIn(network, prefix: bits) { return true }
                continue
            }
            if pattern.hasPrefix(".") { pattern.removeFirst() }
            if pattern.hasSuffix(".") { pattern.removeLast() }
            if pattern.isEmpty { continue }
            if host == pattern { return true }
            if address == nil, host.hasSuffix("." + pattern) { return true }
        }
        return false
    }

    /// Lines for a person (`idbatch doctor`): the proxies in use and for what, `NO_PROXY`, and the
    /// trusted CAs. Never a proxy's user name or password.
    public var summary: [String] {
        var lines: [String] = []
        let skipped = noProxy.isEmpty ? "" : "; NO_PROXY: " + noProxy.joined(separator: ",")
        func describe(_ proxy: Proxy) -> String {
            let hidden =
                proxy.password != nil ? " (user and password hidden)" : proxy.username != nil ? " (user hidden)" : ""
            return proxy.address + hidden
        }
        switch (httpsProxy, httpProxy) {
        case (let https?, let http?) where https.sameServer(as: http):
            lines.append("proxy: \(describe(https)) for https and http\(skipped)")
        case (let https, let http):
            if let https { lines.append("proxy: \(describe(https)) for https (from \(https.variable))\(skipped)") }
            if let http { lines.append("proxy: \(describe(http)) for http (from \(http.variable))\(skipped)") }
        }
        for problem in [httpsProblem, httpProblem == httpsProblem ? nil : httpProblem].compactMap({ $0 }) {
            lines.append("proxy: " + problem)
        }
        if lines.isEmpty { lines.append("proxy: none") }
        if let trustProblem {
            lines.append("trusted CAs: " + trustProblem)
        } else {
            var roots = "trusted CAs: system roots"
            if let caFile { roots += " + SSL_CERT_FILE=\(caFile) (\(Self.count(caFileCount)))" }
            if let caDirectory { roots += " + SSL_CERT_DIR=\(caDirectory) (\(Self.count(caDirectoryCount)))" }
            lines.append(roots)
        }
        return lines
    }

    private static func count(_ certificates: Int) -> String {
        certificates == 1 ? "1 certificate" : "\(certificates) certificates"
    }

    struct Problem: Error {
        var message: String
    }

    /// `[http://][user[:password]@]host[:port][/]`; the message never repeats the password.
    static func parseProxy(_ text: String, variable: String) -> Result<Proxy, Problem> {
        var rest = Substring(text)
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
            guard scheme == "http" else {
                return .failure(
                    Problem(
                        message: "\(variable) names a \(scheme):// proxy, which idbatch cannot use; "
                            + "set it to an http:// proxy (requests it covers are refused until then)"))
            }
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                username = String(userinfo[..<colon]).removingPercentEncoding
                password = String(userinfo[userinfo.index(after: colon)...]).removingPercentEncoding
            } else {
                username = String(userinfo).removingPercentEncoding
            }
            if username == nil || (password == nil && userinfo.contains(":")) {
                return .failure(
                    Problem(
                        message: "\(variable) has a user name or password that is not valid percent-encoding; "
                            + "fix it (requests it covers are refused until then)"))
            }
        }
        var host = rest
        var port = 1080
        let malformed = Problem(
            message: "\(variable) is not a proxy address ([http://][user:password@]host[:port]); "
                + "fix it (requests it covers are refused until then)")
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(malformed) }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { return .failure(malformed) }
                port = value
            } else if !after.isEmpty {
                return .failure(malformed)
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]) else { return .failure(malformed) }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return .failure(malformed) }
        return .success(
            Proxy(
                host: String(host), port: port, username: username.flatMap { $0.isEmpty ? nil : $0 },
                password: password, variable: variable))
    }
}

/// An IPv4 or IPv6 address as bytes, for `NO_PROXY` ranges.
struct IPAddress: Equatable {
    var bytes: [UInt8]

    init?(_ text: String) {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// Whether the first `prefix` bits equal `network`'s.
    func isIn(_ network: IPAddress, prefix: Int) -> Bool {
        guard bytes.count == network.bytes.count, (0...bytes.count * 8).contains(prefix) else { return false }
        for bit in 0..<prefix {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            if bytes[bit / 8] & mask != network.bytes[bit / 8] & mask { return false }
        }
        return true
    }
}
