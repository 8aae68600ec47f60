import Foundation

/// How a row's messages are kept in the ledger until a report is written: keys and arguments, not
/// text, so a report in Spanish and another in English show the same error in their own language.
/// A message stored by an older idbatch (plain text) is shown as it is.
public enum StoredMessage {
    /// Marks an encoded value (never the first character of a message written as text).
    private static let marker = "\u{1E}"

    private struct Entry: Codable {
        var column: String
        var subject: String?
        var message: Message

        enum CodingKeys: String, CodingKey { case column = "c", subject = "s", message = "m" }
    }

    /// A row's errors, for the ledger.
    public static func encode(_ issues: [RowIssue]) -> String {
        encode(issues.map { Entry(column: $0.column, subject: $0.subject, message: $0.message) })
    }

    /// One message that is not about a column (a provider's answer, a run that stopped).
    public static func encode(_ message: Message) -> String {
        encode([Entry(column: "", subject: nil, message: message)])
    }

    private static func encode(_ entries: [Entry]) -> String {
        guard let data = try? JSONEncoder().encode(entries) else { return "" }
        return marker + String(decoding: data, as: UTF8.self)
    }

    /// The text of a stored value in `language`: one message as it is, several each after its column.
    public static func render(_ stored: String, _ language: Language) -> String {
        text(parts(stored, language, column: ""))
    }

    /// Each message of a stored value with the column it blames; a value stored as plain text is
    /// one message blaming `column`.
    public static func parts(_ stored: String, _ language: Language, column: String) -> [Blame] {
        guard stored.hasPrefix(marker),
            let entries = try? JSONDecoder().decode([Entry].self, from: Data(stored.utf8.dropFirst(marker.utf8.count)))
        else { return [Blame(column: column, text: stored)] }
        return entries.map { Blame(column: $0.column, text: (($0.subject.map { "\($0): " }) ?? "") + $0.message.text(language)) }
    }

    /// Row issues in `language`, each with its column.
    public static func parts(_ issues: [RowIssue], _ language: Language) -> [Blame] {
        issues.map { Blame(column: $0.column, text: $0.text(language)) }
    }

    /// Messages as one text: the message itself, or each prefixed with its column.
    public static func text(_ parts: [Blame]) -> String {
        parts.count == 1 ? parts[0].text : parts.map { "[\($0.column)] \($0.text)" }.joined(separator: "; ")
    }
}

/// A message and the column it is about (header text, or an input's name when no column holds it).
public struct Blame: Sendable, Equatable {
    public var column: String
    public var text: String

    public init(column: String, text: String) {
        self.column = column
        self.text = text
    }
}
