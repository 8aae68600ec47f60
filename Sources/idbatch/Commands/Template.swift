import ArgumentParser
import CheckInputs
import Spreadsheet

/// `idbatch template`: ready-to-fill spreadsheets and job-file skeletons.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Write a ready-to-fill spreadsheet (or a job-file skeleton) for a provider, country and type.",
        discussion: """
            xlsx templates have a header in the chosen language, in words idbatch maps with no flags \
            (required columns marked * and highlighted), a document-type dropdown where the ID can be \
            more than one document, a consent column with yes/no for truora-checks, ID columns formatted \
            as text, dropdowns for enumerated inputs, a note with an example on each header cell and an \
            Instructions sheet. CSV templates get the header and a commented job file beside them \
            (FILE.job.yaml). --type takes person, vehicle, company or a table column such as \
            person-foreigner. --all DIR writes every template idbatch ships in every language, as \
            DIR/LANG/PROVIDER/NAME.xlsx (as in templates/).
            """
    )

    @Option(help: "truora-checks, truora-batch, trulioo, truora-di or truora-whatsapp.")
    var provider: Provider?

    @Option(help: ArgumentHelp("Country (CO, BR, CL, MX, PE, CR, ALL); required for Truora.", valueName: "CC"))
    var country: String?

    @Option(help: ArgumentHelp("person, vehicle, company, or person-national, person-foreigner, vehicle-national, "
                               + "vehicle-foreigner.", valueName: "T"))
    var type: String?

    @OptionGroup var language: LanguageOption

    @Option(help: "xlsx or csv.")
    var format: SpreadsheetFormat = .xlsx

    @Option(name: .shortAndLong, help: "Output file (default: PROVIDER-COUNTRY-TYPE.xlsx here).")
    var output: String?

    @Flag(help: "Print a commented job-file skeleton on stdout instead.")
    var job = false

    @Option(help: ArgumentHelp("Write every shipped template into this folder.", valueName: "DIR"))
    var all: String?

    func validate() throws {
        if all == nil && provider == nil { throw ValidationError("--provider is required (truora-checks, truora-batch, trulioo, truora-di, truora-whatsapp)") }
    }

    func run() throws {
        if let all {
            try OutputFolder.ensure(all)
            var count = 0
            for language in language.lang.map({ [$0] }) ?? Language.allCases {
                for template in Template.all(language: language) {
                    let folder = "\(all)/\(language.rawValue)/\(template.provider.rawValue)"
                    try OutputFolder.ensure("\(all)/\(language.rawValue)")
                    try OutputFolder.ensure(folder)
                    try Self.write(template, format: .xlsx, to: "\(folder)/\(template.name).xlsx")
                    count += 1
                }
            }
            Console.note("wrote \(count) templates to \(all)")
            return
        }
        let template: Template
        do {
            let country = country.flatMap(ValueText.country)
            template = try Template(provider: provider!, country: country, kind: try kind(),
                                    language: language.resolve(job: nil, country: country))
        } catch let problem as Template.Problem {
            throw ValidationError(problem.message)
        }
        if job {
            FileHandleOutput.stdout(JobSkeleton.text(for: template))
            return
        }
        let stem = template.name == template.provider.rawValue ? template.name
            : "\(template.provider.rawValue)-\(template.name)"
        let path = output ?? "\(stem).\(format.rawValue)"
        try Self.write(template, format: format, to: path)
        Console.note("wrote \(path)")
    }

    private func kind() throws -> TruoraRequirements.CheckKind? {
        guard let type else { return nil }
        if let kind = TruoraRequirements.CheckKind(rawValue: type.lowercased()) { return kind }
        switch type.lowercased() {
        case "person": return .personNational
        case "vehicle": return .vehicleNational
        case "company": return .company
        default:
            throw ValidationError("--type takes person, vehicle, company or one of "
                                  + TruoraRequirements.CheckKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }

    static func write(_ template: Template, format: SpreadsheetFormat, to path: String) throws {
        var header = Row(number: 1)
        for column in template.columns { header.append(Cell(text: column.header, type: .text)) }
        do {
            let language = template.language
            func word(_ key: String) -> String { Words.text(key, language) }
            var options = WriteOptions(sheetName: word(template.provider == .trulioo || template.provider.startsProcess
                                                         ? "instr.sheetPeople" : "instr.sheetChecks"))
            if format == .xlsx {
                for (index, column) in template.columns.enumerated() {
                    if column.isText { options.textColumns.insert(index) }
                    if !column.choices.isEmpty { options.xlsx.choices[index] = column.choices }
                    if column.required { options.xlsx.highlightedColumns.insert(index) }
                    options.xlsx.headerNotes[index] = column.note
                    // Wide enough for the header (and its filter button), the example and the longest choice.
                    let longest = ([column.header, column.example ?? ""] + column.choices.prefix(40)).map(\.count).max() ?? 0
                    options.xlsx.columnWidths[index] = min(40, max(14, Double(longest) + 4))
                }
                options.xlsx.choicePrompt = XLSXWriter.ChoicePrompt(
                    title: word("prompt.title"), message: word("prompt.message"),
                    errorTitle: word("prompt.errorTitle"), errorMessage: word("prompt.errorMessage"))
                options.xlsx.extraSheets = [XLSXWriter.ExtraSheet(name: word("instr.sheet"), rows: template.instructions,
                                                                  widths: [34, 22, 70, 30, 24])]
                options.xlsx.reproducible = true
            }
            try SpreadsheetWriter.open(path: path, format: format, options: options).writeAll([header])
            if format == .csv {
                // A CSV header cannot carry notes and dropdowns: a commented job file beside it does.
                let jobPath = (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + ".job.yaml"
                try PrivateFile.write(JobSkeleton.text(for: template), to: jobPath)
            }
        } catch let error as SpreadsheetError {
            throw Console.fail(error)
        }
    }
}
