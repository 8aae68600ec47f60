/// A problem found in an ID, with a stable code for the error file and a message a person can act
/// on. Messages never repeat the ID itself (at most its expected check digit), so they are safe
/// to log.
public struct IDIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    /// Stable identifiers; scripts and the error file rely on them.
    public enum Code: String, Sendable, CaseIterable {
        case empty = "id_empty"
        case characters = "id_characters"
        case length = "id_length"
        case checkDigit = "id_check_digit"
        case repeatedDigits = "id_repeated_digits"
        case leadingZerosLost = "id_leading_zeros_lost"
        case precisionLost = "id_precision_lost"
        case date = "id_date"
        case structure = "id_structure"
    }

    public var code: Code
    public var severity: Severity
    public var message: Message

    public init(_ code: Code, _ severity: Severity, _ message: Message) {
        self.code = code
        self.severity = severity
        self.message = message
    }

    /// An error.
    public init(_ code: Code, _ message: Message) {
        self.init(code, .error, message)
    }

    public var description: String { "\(severity.rawValue) \(code.rawValue): \(message)" }
}

/// The outcome of checking one ID: its cleaned form and what is wrong with it, if anything.
public struct IDCheckResult: Sendable, Equatable {
    /// The ID without display punctuation, uppercased (`12.531.909-2` → `125319092`).
    public var normalised: String
    public var issues: [IDIssue]

    /// No errors (warnings allowed).
    public var isValid: Bool { !issues.contains { $0.severity == .error } }

    public init(normalised: String, issues: [IDIssue] = []) {
        self.normalised = normalised
        self.issues = issues
    }
}
