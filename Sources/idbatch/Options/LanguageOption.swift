import ArgumentParser
import CheckInputs

/// `--lang`: the language of what people read inside the output files.
struct LanguageOption: ParsableArguments {
    @Option(help: ArgumentHelp("Language of the messages, notes and labels inside the output files: es, pt or en (default: the job file's lang, else pt for BR, es for other LATAM countries, en otherwise). Codes and idbatch_* columns never change.",
                                valueName: "LANG"))
    var lang: Language?

    /// The flag, else the job file's, else the country's language.
    func resolve(job: Language?, country: String?) -> Language {
        lang ?? job ?? Language.forCountry(country)
    }
}

extension Language: ExpressibleByArgument {}
