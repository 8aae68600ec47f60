import CheckInputs
import ProviderAPI

/// Which of a row's inputs fills each element of a Workflow Studio step: the job file's
/// `trulioo: fields: {INPUT: ELEMENT_NAME}` first, then the element's `role` (or its GlobalGateway
/// `normalizedName`), then its name with case, spaces and underscores ignored.
public struct TruliooFlowMapping: Sendable, Equatable {
    /// Input → element name (or id), from the job file.
    public var fields: [String: String]

    public init(fields: [String: String] = [:]) {
        self.fields = fields
    }

    public enum How: String, Sendable {
        /// The job file's `fields:` names the element.
        case fields
        /// The element's role (or GlobalGateway name) is the input.
        case role
        /// The element's name reads as the input's.
        case name
    }

    /// The input that fills `element`, and how it was matched; nil when none does.
    public func input(for element: TruliooElement) -> (input: String, how: How)? {
        let name = Self.key(element.name ?? "")
        for (input, target) in fields.sorted(by: { $0.key < $1.key })
        where target == element.id || (!name.isEmpty && Self.key(target) == name) {
            return (input, .fields)
        }
        if let role = element.role, let field = Self.field(named: role) { return (field.role, .role) }
        if let normalized = element.normalizedName, let field = Self.field(named: normalized) {
            return (field.role, .role)
        }
        if !name.isEmpty, let field = Self.field(named: element.name ?? "") { return (field.role, .name) }
        return nil
    }

    /// A Trulioo input by its role or one of its GlobalGateway names, compared as ``key(_:)``.
    static func field(named text: String) -> TruliooField? {
        let key = Self.key(text)
        guard !key.isEmpty else { return nil }
        return TruliooField.all.first { field in
            Self.key(field.role) == key || field.globalGatewayNames.contains { Self.key($0) == key }
        }
    }

    /// Lowercased, without spaces, underscores or hyphens: `First name` and `first_name` are one.
    static func key(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !" _-\t".unicodeScalars.contains($0) })
    }

    /// What a row gives one step.
    public struct Fill: Sendable, Equatable {
        /// Element id → value, for the submit.
        public var values: [String: JSONValue] = [:]
        /// Required elements no input of the row fills.
        public var missing: [TruliooElement] = []
    }

    /// The values `inputs` (input → value) give `step`'s elements.
    public func fill(_ step: TruliooStep, from inputs: [String: String]) -> Fill {
        var fill = Fill()
        for element in step.elements {
            if let (input, _) = input(for: element), let value = inputs[input], !value.isEmpty {
                fill.values[element.id] = .string(value)
            } else if element.required {
                fill.missing.append(element)
            }
        }
        return fill
    }

    /// One line of the element-to-column table (`--dry-run`, `doctor`).
    public struct Line: Sendable, Equatable {
        public var element: String
        public var elementID: String
        public var required: Bool
        public var input: String?
        public var how: How?
        /// The column (header text) or `constant` that gives the input; nil when nothing does.
        public var source: String?
    }

    /// The table of `step`'s elements against a file: `columns` maps each input to the header of
    /// the column that holds it, `constants` the inputs the job file sets.
    public func table(_ step: TruliooStep, columns: [String: String], constants: Set<String>) -> [Line] {
        step.elements.map { element in
            let match = input(for: element)
            let source = match.flatMap { match in
                columns[match.input] ?? (constants.contains(match.input) ? "constant" : nil)
            }
            return Line(element: element.name ?? element.id, elementID: element.id, required: element.required,
                        input: match?.input, how: match?.how, source: source)
        }
    }

    /// The required elements of `step` that nothing in the file fills (the run cannot start).
    public func unfilled(_ step: TruliooStep, columns: [String: String], constants: Set<String>) -> [Line] {
        table(step, columns: columns, constants: constants).filter { $0.required && $0.source == nil }
    }
}
