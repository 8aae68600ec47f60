import Spreadsheet

extension RowValidator {
    /// Validates one record given as input name → value pairs (an API request rather than a
    /// spreadsheet row): each name that is an input of `settings.provider` becomes its own column,
    /// mapped explicitly; other names and repeats are ignored. Issues name the input as the column.
    public static func validate(record fields: [(name: String, value: String)], settings: CheckSettings)
        throws(ColumnMapper.Problem) -> RowOutcome
    {
        var header: [String] = []
        var bindings: [ColumnBinding] = []
        var row = Row(number: 1)
        for (name, value) in fields
        where HeaderAliases.isTarget(name, provider: settings.provider) && !header.contains(name) {
            header.append(name)
            bindings.append(ColumnBinding(column: ColumnReference(name), target: name))
            row.append(Cell(text: value, type: .text))
        }
        let mapping = try ColumnMapper(provider: settings.provider, bindings: bindings).map(header: header)
        var validator = RowValidator(settings: settings, mapping: mapping)
        return validator.validate(row)
    }
}
