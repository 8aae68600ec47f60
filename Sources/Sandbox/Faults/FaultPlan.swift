import Foundation
import ProviderAPI

/// The faults the sandbox injects, parsed from `--faults SPEC`.
///
/// SPEC is a comma-separated list of rules `KIND:RATE[:OPTION=VALUE...][@METHOD PATH-PREFIX]`:
/// `503:5%`, `429:first=2:retry-after=date`, `reset:once@POST /v1/checks`, `slow:10%:delay=2000`.
public struct FaultPlan: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable, Hashable {
        /// Answer with this HTTP status (500, 502, 503, 429, 401) and the provider's error body.
        case status(Int)
        /// Act on the request, then reset the connection: the effect happened, no answer came.
        case reset
        /// Never answer (until the client gives up).
        case hang
        /// Act on the request and send a body cut short.
        case truncate
        /// Answer normally after `delay`.
        case slow

        public var name: String {
            switch self {
            case .status(let code): String(code)
            case .reset: "reset"
            case .hang: "hang"
            case .truncate: "truncate"
            case .slow: "slow"
            }
        }
    }

    public enum Rate: Sendable, Equatable {
        /// This share of matching requests, 0...100.
        case percent(Double)
        /// The first N matching requests.
        case first(Int)

        public static let once = Rate.first(1)
    }

    public enum RetryAfter: Sendable, Equatable {
        case seconds(Int)
        /// An HTTP date this many seconds ahead.
        case date(seconds: Int)
    }

    public struct Rule: Sendable, Equatable, CustomStringConvertible {
        public var kind: Kind
        public var rate: Rate
        public var retryAfter: RetryAfter?
        /// For `slow`, in milliseconds.
        public var delayMilliseconds: Int
        /// `nil` matches every method.
        public var method: String?
        /// `nil` matches every path.
        public var pathPrefix: String?

        public init(
            kind: Kind, rate: Rate, retryAfter: RetryAfter? = nil, delayMilliseconds: Int = 1000,
            method: String? = nil, pathPrefix: String? = nil
        ) {
            self.kind = kind
            self.rate = rate
            self.retryAfter = retryAfter
            self.delayMilliseconds = delayMilliseconds
            self.method = method
            self.pathPrefix = pathPrefix
        }

        public func matches(method: String, path: String) -> Bool {
            if let wanted = self.method, wanted != method { return false }
            if let prefix = pathPrefix, !path.hasPrefix(prefix) { return false }
            return true
        }

        public var description: String {
            var text = kind.name + ":"
            switch rate {
            case .percent(let share): text += "\(LooseDouble(share).text)%"
            case .first(1): text += "once"
            case .first(let n): text += "first=\(n)"
            }
            switch retryAfter {
            case .seconds(let s)?: text += ":retry-after=\(s)"
            case .date(let s)?: text += ":retry-after=date" + (s == 1 ? "" : "+\(s)")
            case nil: break
            }
            if kind == .slow { text += ":delay=\(delayMilliseconds)" }
            if method != nil || pathPrefix != nil {
                text += "@" + [method, pathPrefix].compactMap { $0 }.joined(separator: " ")
            }
            return text
        }
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public var rules: [Rule]

    public init(rules: [Rule] = []) {
        self.rules = rules
    }

    public var isEmpty: Bool { rules.isEmpty }
    public var description: String { rules.map(\.description).joined(separator: ",") }

    static let statuses: Set<Int> = [500, 502, 503, 504, 429, 401]
    static let methods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH"]

    /// Parses SPEC; every mistake names the rule and what is accepted.
    public init(parsing spec: String) throws(Problem) {
        var rules: [Rule] = []
        for text in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            rules.append(try Self.rule(text))
        }
        self.rules = rules
    }

    private static func rule(_ text: String) throws(Problem) -> Rule {
        var head = Substring(text)
        var method: String?
        var pathPrefix: String?
        if let at = text.firstIndex(of: "@") {
            head = text[..<at]
            let target = text[text.index(after: at)...].split(separator: " ", omittingEmptySubsequences: true)
            for part in target {
                if methods.contains(part.uppercased()) {
                    method = part.uppercased()
                } else if part.hasPrefix("/") {
                    pathPrefix = String(part)
                } else {
                    throw Problem(
                        message: "fault '\(text)': '\(part)' after @ is neither a method nor a path starting with /")
                }
            }
        }
        let parts = head.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else {
            throw Problem(message: "fault '\(text)': write KIND:RATE, e.g. 503:5% or reset:once")
        }
        let kind: Kind
        switch parts[0].lowercased() {
        case "reset": kind = .reset
        case "hang": kind = .hang
        case "truncate": kind = .truncate
        case "slow": kind = .slow
        case let code where Int(code).map(statuses.contains) == true: kind = .status(Int(code)!)
        default:
            throw Problem(
                message: "fault '\(text)': unknown kind '\(parts[0])' "
                    + "(use 500, 502, 503, 504, 429, 401, reset, hang, truncate or slow)")
        }
        let rateText = parts[1].lowercased()
        let rate: Rate
        if rateText == "once" {
            rate = .once
        } else if rateText.hasPrefix("first="), let n = Int(rateText.dropFirst(6)), n > 0 {
            rate = .first(n)
        } else if rateText.hasSuffix("%"), let share = Double(rateText.dropLast()), (0...100).contains(share) {
            rate = .percent(share)
        } else {
            throw Problem(message: "fault '\(text)': rate '\(parts[1])' must be a percentage (5%), once or first=N")
        }
        var rule = Rule(kind: kind, rate: rate, method: method, pathPrefix: pathPrefix)
        for option in parts.dropFirst(2) {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                throw Problem(message: "fault '\(text)': option '\(option)' must be NAME=VALUE")
            }
            switch pair[0].lowercased() {
            case "retry-after":
                guard kind == .status(429) || kind == .status(503) else {
                    throw Problem(message: "fault '\(text)': retry-after goes with 429 and 503 only")
                }
                let value = pair[1].lowercased()
                if let seconds = Int(value), seconds >= 0 {
                    rule.retryAfter = .seconds(seconds)
                } else if value == "date" {
                    rule.retryAfter = .date(seconds: 1)
                } else if value.hasPrefix("date+"), let seconds = Int(value.dropFirst(5)), seconds >= 0 {
                    rule.retryAfter = .date(seconds: seconds)
                } else {
                    throw Problem(message: "fault '\(text)': retry-after must be SECONDS, date or date+SECONDS")
                }
            case "delay":
                guard let ms = Self.milliseconds(pair[1]) else {
                    throw Problem(message: "fault '\(text)': delay must be milliseconds (250) or a duration (2s)")
                }
                rule.delayMilliseconds = ms
            default:
                throw Problem(message: "fault '\(text)': unknown option '\(pair[0])' (retry-after, delay)")
            }
        }
        return rule
    }

    /// `250`, `250ms`, `2s`.
    static func milliseconds(_ text: String) -> Int? {
        if text.hasSuffix("ms") { return Int(text.dropLast(2)).flatMap { $0 >= 0 ? $0 : nil } }
        if text.hasSuffix("s") { return Int(text.dropLast()).flatMap { $0 >= 0 ? $0 * 1000 : nil } }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
