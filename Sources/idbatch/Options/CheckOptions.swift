import ArgumentParser
import CheckInputs
import Pipeline
import Spreadsheet

/// The job file and the flags that override it: provider, country, type and column mapping.
struct CheckOptions: ParsableArguments {
    @Option(help: ArgumentHelp("YAML job file (provider, country, type, mapping, consent); see 'idbatch template --job'.",
                               valueName: "FILE"))
    var job: String?

    @Option(help: "truora-checks, truora-batch, trulioo, truora-di or truora-whatsapp (default: the job file's, else truora-checks).")
    var provider: Provider?

    @Option(help: ArgumentHelp("Country for rows without a country column (CO, BR, CL, MX, PE, CR, ALL).", valueName: "CC"))
    var country: String?

    @Option(help: ArgumentHelp("Check type for rows without a type column: person, vehicle, company or a custom type (run checks it against the account's /v1/config).",
                               valueName: "T"))
    var type: String?

    @Option(name: .customLong("map"), parsing: .singleValue,
            help: ArgumentHelp("Map a column (header text, letter or 1-based number) to an input, or to - to ignore it.",
                               valueName: "COLUMN=INPUT"))
    var mappings: [String] = []

    func validate() throws {
        for mapping in mappings where !mapping.contains("=") {
            throw ValidationError("--map takes COLUMN=INPUT, such as --map 'Nro. Doc=national_id'")
        }
        if let country, ValueText.country(country) == nil {
            throw ValidationError("--country takes a two-letter code such as CO")
        }
    }

    /// The job file's settings with the flags on top. Exits 78 for a bad job file.
    func settings() throws -> (CheckSettings, JobFile.ReportFormat?) {
        let file = try jobFile()
        return (file.settings, file.reportFormat)
    }

    /// The job file (or an empty one) with the flags on top of its settings. Exits 78 for a bad job file.
    func jobFile() throws -> JobFile {
        var file = JobFile(settings: CheckSettings())
        if let job {
            do {
                file = try JobFile.load(path: job)
            } catch {
                FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
                throw ExitCode(ExitStatus.configuration)
            }
        }
        var settings = file.settings
        if let provider { settings.provider = provider }
        if let country { settings.country = ValueText.country(country) }
        if let type { settings.type = type }
        for mapping in mappings {
            let parts = mapping.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let target = parts[1].trimmingCharacters(in: .whitespaces)
            // A flag replaces whatever the job file said about the same input.
            settings.bindings.removeAll { $0.target == target && target != ColumnBinding.ignore }
            settings.bindings.append(ColumnBinding(column: ColumnReference(String(parts[0])), target: target))
        }
        if let country = settings.country, settings.provider.isTruora,
            !TruoraRequirements.countries.contains(country)
        {
            throw ValidationError("Truora checks \(TruoraRequirements.countries.joined(separator: ", ")), not \(country)")
        }
        file.settings = settings
        return file
    }

    /// Prints a run's error and returns its exit code. A mapping problem is the job file's (78)
    /// unless --map flags were given (64); every other code maps through ``ExitStatus``.
    func fail(_ error: PipelineError) -> ExitCode {
        guard error.code == PipelineError.mappingInvalid else { return Console.fail(error) }
        FileHandleOutput.stderr("idbatch: error: \(error.message)\n")
        return ExitCode(mappings.isEmpty && job != nil ? ExitStatus.configuration : ExitStatus.usage)
    }
}

extension Provider: ExpressibleByArgument {}
