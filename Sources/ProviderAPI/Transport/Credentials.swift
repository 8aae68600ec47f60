import Foundation

/// Credentials and base URLs from the environment, as DESIGN specifies: `TRUORA_API_KEY`,
/// `TRULIOO_CLIENT_ID`, `TRULIOO_CLIENT_SECRET` (each also as `NAME_FILE`, a file holding the value,
/// or as a systemd credential of that name in `$CREDENTIALS_DIRECTORY`),
/// and `TRUORA_BASE_URL`, `TRUORA_BATCH_BASE_URL`, `TRUORA_CONNECT_BASE_URL`, `TRUORA_IDENTITY_URL`,
/// `TRUORA_IDENTITY_API_BASE_URL`, `TRULIOO_BASE_URL`, `TRULIOO_AUTH_URL` overriding the production hosts.
/// Never from flags; values never appear in an error.
public struct Environment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String] = ProcessInfo.processInfo.environment) {
        self.variables = variables
    }

    public struct Missing: Error, Sendable, CustomStringConvertible {
        /// The variables that could have supplied it.
        public var names: [String]
        public var reason: String
        public var description: String { reason }
    }

    /// `NAME`, else the contents of the file `NAME_FILE`, else systemd's credential `NAME`
    /// (`LoadCredential=NAME:…`, read from `$CREDENTIALS_DIRECTORY/NAME`); trailing newlines dropped.
    public func secret(_ name: String) throws(Missing) -> String {
        if let value = variables[name], !value.isEmpty { return value }
        if let path = variables[name + "_FILE"], !path.isEmpty {
            return try contents(of: path, named: name + "_FILE")
        }
        if let folder = variables["CREDENTIALS_DIRECTORY"], !folder.isEmpty,
            FileManager.default.fileExists(atPath: folder + "/" + name)
        {
            return try contents(of: folder + "/" + name, named: "the systemd credential \(name)")
        }
        throw Missing(
            names: [name, name + "_FILE"],
            reason: "set \(name) (or \(name)_FILE naming a file that holds it, or a systemd credential \(name))")
    }

    private func contents(of path: String, named source: String) throws(Missing) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Missing(names: [source], reason: "\(source) names a file that cannot be read")
        }
        let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else {
            throw Missing(names: [source], reason: "\(source) names an empty file")
        }
        return value
    }

    /// A base URL override: `http(s)://host[:port][/path]`.
    public func url(_ name: String) throws(Missing) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw Missing(names: [name], reason: "\(name) must be an http or https URL")
        }
        return value
    }

    public func truora(retry: RetryPolicy = RetryPolicy()) throws(Missing) -> TruoraConfiguration {
        let key = try secret("TRUORA_API_KEY")
        let base = try url("TRUORA_BASE_URL") ?? TruoraConfiguration.productionBaseURL
        var account = try url("TRUORA_ACCOUNT_BASE_URL")
        if account == nil { account = try url("TRUORA_BATCH_BASE_URL") }
        return TruoraConfiguration(
            apiKey: key, baseURL: base, batchBaseURL: account,
            connectBaseURL: try url("TRUORA_CONNECT_BASE_URL"), identityURL: try url("TRUORA_IDENTITY_URL"),
            identityAPIBaseURL: try url("TRUORA_IDENTITY_API_BASE_URL"), retry: retry)
    }

    public func trulioo(api: TruliooAPI = .workflowStudio, retry: RetryPolicy = RetryPolicy()) throws(Missing)
        -> TruliooConfiguration
    {
        TruliooConfiguration(
            clientID: try secret("TRULIOO_CLIENT_ID"), clientSecret: try secret("TRULIOO_CLIENT_SECRET"),
            baseURL: try url("TRULIOO_BASE_URL") ?? TruliooConfiguration.productionBaseURL,
            tokenURL: try url("TRULIOO_AUTH_URL"), api: api, retry: retry)
    }
}
