import Foundation

/// A provider's error code: Truora sends numbers (10400) and sometimes strings, Trulioo's OAuth
/// server sends strings (`invalid_client`), its platform numbers (4006).
public enum ProviderCode: Sendable, Hashable, CustomStringConvertible, Codable {
    case number(Int)
    case text(String)

    public var description: String {
        switch self {
        case .number(let n): String(n)
        case .text(let s): s
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            let text = try container.decode(String.self)
            self = Int(text).map(ProviderCode.number) ?? .text(text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let n): try container.encode(n)
        case .text(let s): try container.encode(s)
        }
    }
}

/// Everything a provider call can fail with. Its description names the call and the reason and
/// never carries a key, a token, a URL query or an ID longer than its last four digits.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The provider answered with an error status.
        case http
        /// The request never reached the provider (after the retries allowed).
        case unreachable
        /// The request may have reached the provider and been acted on, but no usable answer came.
        /// Look before sending it again.
        case ambiguous
        /// The credentials were refused.
        case credentials
        /// The answer could not be read.
        case decoding
        /// The provider answered success, but without a field the run needs (named in the message);
        /// the call took effect, so the row fails and is not sent again blindly.
        case unexpectedAnswer
        /// The request could not be built (bad base URL, bad argument).
        case invalidRequest
    }

    public var provider: String
    /// What was being done: `create check`, `init`.
    public var operation: String
    public var kind: Kind
    public var status: Int?
    public var code: ProviderCode?
    public var message: String
    /// Whether sending the same request again is safe (it cannot have had an effect, or repeating
    /// it has none). False for ambiguous failures of non-idempotent calls.
    public var retrySafe: Bool
    /// How long the provider asked to wait, when it said.
    public var retryAfter: Duration?
    public var attempts: Int

    public init(
        provider: String, operation: String, kind: Kind, status: Int? = nil, code: ProviderCode? = nil,
        message: String, retrySafe: Bool, retryAfter: Duration? = nil, attempts: Int = 1
    ) {
        self.provider = provider
        self.operation = operation
        self.kind = kind
        self.status = status
        self.code = code
        self.message = Redact.digits(in: message)
        self.retrySafe = retrySafe
        self.retryAfter = retryAfter
        self.attempts = attempts
    }

    /// 429, or a 503 that said when to come back.
    public var isRateLimited: Bool { status == 429 }

    /// A stable code for ledgers, reports and exit codes; it never changes with the message.
    public var stableCode: String {
        switch kind {
        case .credentials: return "credentials_refused"
        case .unreachable: return "provider_unreachable"
        case .ambiguous: return "outcome_unknown"
        case .decoding: return "provider_answer_unreadable"
        case .unexpectedAnswer: return "provider_answer_unexpected"
        case .invalidRequest: return "provider_request_invalid"
        case .http:
            switch status ?? 0 {
            case 401, 403: return "credentials_refused"
            case 429: return "provider_rate_limited"
            case 500...: return "provider_error"
            default: return "provider_rejected"
            }
        }
    }

    public var description: String {
        var text = "\(provider) \(operation): "
        switch kind {
        case .http, .credentials:
            text += "HTTP \(status.map(String.init) ?? "?")"
            if let code { text += " (code \(code))" }
            text += ": \(message)"
        case .unreachable: text += "unreachable: \(message)"
        case .ambiguous: text += "no reliable answer (\(message)); it may have been acted on"
        case .decoding: text += "unreadable answer: \(message)"
        case .unexpectedAnswer: text += "unexpected answer: \(message)"
        case .invalidRequest: text += message
        }
        if attempts > 1 { text += " [after \(attempts) attempts]" }
        return text
    }
}

public enum Redact {
    /// An answer kept for a support ticket. JSON keeps its keys, structure, booleans and small
    /// numbers; a string survives only when it reads as a code (`pending`, `trulioo_doc_v`: lower
    /// case, at most 32 characters), every other string (names, IDs, dates, links, keys) becomes
    /// `•••` with its last four characters when it has twelve or more, and its length. Other text
    /// has digit runs masked as in ``digits(in:)`` and every JWT-shaped token replaced whole.
    public static func answer(_ text: String) -> String {
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            return String(decoding: JSONCoding.encode(masked(value)), as: UTF8.self)
        }
        return plainAnswer(text)
    }

    static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): return .object(object.mapValues(masked))
        case .array(let array): return .array(array.map(masked))
        case .number(let number): return abs(number) < 100_000 ? value : .string("•••(number)")
        case .string(let text):
            let code = text.count <= 32 && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || $0 == "_" || $0 == "-"
            }
            if code { return value }
            return .string("•••" + (text.count >= 12 ? String(text.suffix(4)) : "") + "(\(text.count))")
        case .bool, .null: return value
        }
    }

    static func plainAnswer(_ text: String) -> String {
        var out: [Substring] = []
        var rest = Substring(text)
        // JWTs start with the base64 of `{"`: `eyJ`.
        while let start = rest.range(of: "eyJ") {
            out.append(rest[..<start.lowerBound])
            var end = start.lowerBound
            while end < rest.endIndex, rest[end].isASCII,
                rest[end].isLetter || rest[end].isNumber || "-_.".contains(rest[end])
            {
                end = rest.index(after: end)
            }
            let token = rest[start.lowerBound..<end]
            out.append(token.filter { $0 == "." }.count >= 2 ? "•••(token)" : token)
            rest = rest[end...]
        }
        out.append(rest)
        return digits(in: out.joined())
    }

    /// Masks every run of 6 or more digits (an ID, a phone) as `•••` + its last 4 digits.
    public static func digits(in text: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            out += run.count >= 6 ? "•••" + run.suffix(4) : run
            run = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }
}
