/// A problem with one row: a stable code (the error file's `idbatch_error_code`), the column it is
/// in (header text, or the input name when no column holds it) and a message a person can act on.
/// Messages never contain a full ID.
public struct RowIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes; scripts and the error file rely on them. ID problems use ``IDIssue/Code``'s values.
    public enum Code: String, Sendable, CaseIterable {
        case inputMissing = "input_missing"
        case valueNotAllowed = "value_not_allowed"
        case dateInvalid = "date_invalid"
        case dateOrderMixed = "date_order_mixed"
        case documentTypeUnknown = "document_type_unknown"
        case checkNotOffered = "check_not_offered"
        case consentMissing = "consent_missing"
        case consentRefused = "consent_refused"
        case duplicateRow = "duplicate_row"
        case phoneInvalid = "phone_invalid"
        case emailInvalid = "email_invalid"
        case emptyRow = "empty_row"
        case accountIDInvalid = "account_id_invalid"
    }

    public var code: String
    public var column: String
    public var message: Message
    /// The input a message is about when the message itself does not name it (an ID rule such as
    /// "a CPF has 11 digits" is shown as `national_id: …`).
    public var subject: String?
    public var severity: IDIssue.Severity

    public init(_ code: Code, column: String, _ message: Message, severity: IDIssue.Severity = .error) {
        self.init(code: code.rawValue, column: column, message: message, severity: severity)
    }

    public init(code: String, column: String, message: Message, subject: String? = nil,
                severity: IDIssue.Severity = .error) {
        self.code = code
        self.column = column
        self.message = message
        self.subject = subject
        self.severity = severity
    }

    public var isError: Bool { severity == .error }

    /// The message in `language`, with its subject in front when it has one.
    public func text(_ language: Language) -> String {
        (subject.map { "\($0): " } ?? "") + message.text(language)
    }

    public var description: String { "\(severity.rawValue) \(code) [\(column)]: \(text(.en))" }
}
