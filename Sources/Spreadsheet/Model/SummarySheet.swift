/// A sheet of labelled figures in sections, written after a report's rows, with a chart of one
/// section. Plain values only: a label or value that looks like a formula is still text.
public struct SummarySheet: Sendable {
    /// A figure or a piece of text.
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
    }

    /// One label and its value.
    public struct Line: Sendable, Equatable {
        public var label: String
        public var value: Value

        public init(_ label: String, _ value: Value) {
            self.label = label
            self.value = value
        }
    }

    /// A titled block of lines; `chart` draws its numbers as a column chart beside the sheet.
    public struct Section: Sendable {
        public var title: String
        public var lines: [Line]
        public var chart: Bool

        public init(title: String, lines: [Line], chart: Bool = false) {
            self.title = title
            self.lines = lines
            self.chart = chart
        }
    }

    public var name: String
    public var sections: [Section]

    public init(name: String, sections: [Section]) {
        self.name = name
        self.sections = sections
    }
}
