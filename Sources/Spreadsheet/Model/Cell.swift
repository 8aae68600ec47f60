/// What kind of value a cell held in its source file.
public enum CellType: UInt8, Sendable, Codable, CaseIterable {
    case empty
    case text
    case number
    case boolean
    case date
    case error
}

/// One cell as the user sees it: its displayed text and the type it had in the source file.
public struct Cell: Sendable, Equatable, CustomStringConvertible {
    /// The text as shown to a person: integers without `.0`, dates as ISO dates, booleans as `TRUE`/`FALSE`.
    public var text: String
    /// The type the source file gave the cell.
    public var type: CellType
    /// True when the source number had more than 15 significant digits, so Excel has already lost digits.
    public var precisionLost: Bool

    public init(text: String, type: CellType, precisionLost: Bool = false) {
        self.text = text
        self.type = type
        self.precisionLost = precisionLost
    }

    /// An empty cell.
    public static let empty = Cell(text: "", type: .empty)

    public var isEmpty: Bool { type == .empty || text.isEmpty }

    public var description: String { "\(type)(\(text.count) chars)" }
}
