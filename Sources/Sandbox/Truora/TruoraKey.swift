import Foundation
import ProviderAPI

/// Truora API keys: JWT-shaped, optionally with `exp` and `api_key_version` claims.
enum TruoraKey {
    /// A key the sandbox accepts (see ``Sandbox/truoraKey(version:expires:)``).
    static func make(version: Int, expires: Date?) -> String {
        var claims = "{\"key_type\":\"backend\",\"key_name\":\"sandbox\",\"api_key_version\":\(version)"
        if let expires { claims += ",\"exp\":\(Int(expires.timeIntervalSince1970))" }
        claims += "}"
        return encodeBase64URL("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + encodeBase64URL(claims)
            + ".c2FuZGJveC1zaWduYXR1cmU"
    }

    /// The characters of base64url (and its padding); built once, as every request is checked.
    private static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")

    static func check(_ key: String, now: Date) -> Result<Int, KeyProblem> {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(alphabet.contains) }) else {
            return .failure(KeyProblem(description: "the API key is not a JWT"))
        }
        guard let payload = decodeBase64URL(parts[1]),
            let claims = try? JSONDecoder().decode([String: JSONValue].self, from: Data(payload))
        else {
            return .failure(KeyProblem(description: "the API key's claims are unreadable"))
        }
        if case .number(let exp)? = claims["exp"], exp < now.timeIntervalSince1970 {
            return .failure(KeyProblem(description: "the API key has expired"))
        }
        let version = claims["api_key_version"]?.string.flatMap(Int.init) ?? 0
        return .success(version)
    }

    struct KeyProblem: Error, CustomStringConvertible { var description: String }

    static func encodeBase64URL(_ text: String) -> String { Base64URL.encode(text.utf8) }

    static func decodeBase64URL(_ text: Substring) -> [UInt8]? {
        Base64URL.decode(text.replacingOccurrences(of: "=", with: ""))
    }
}
