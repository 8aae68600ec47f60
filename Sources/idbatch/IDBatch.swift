import ArgumentParser

/// The idbatch command line: spreadsheets in, identity and background checks out.
@main
struct IDBatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idbatch",
        abstract: "Turn spreadsheets into identity and background checks (Truora, Trulioo).",
        discussion: """
            Reads CSV and xlsx files as Excel in Spanish and Portuguese locales writes them, sends each \
            valid row to the provider once ('idbatch run', resumable over a ledger; 'idbatch collect' \
            finishes what is pending; 'idbatch sweep' does both over a drop folder, for cron) and writes \
            reports people can act on. 'idbatch sandbox', or --sandbox on run and collect, emulates both \
            providers locally. Exit codes: 0 ok, 2 some rows failed, are pending or were skipped, 64 usage, \
            65 input unreadable or unsafe, 66 input missing, 69 provider unavailable, 73 output cannot be \
            created, 75 rate-limited to a stop or another sweep running, 77 credentials missing or refused, \
            78 bad job file, 130 interrupted.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, CollectCommand.self, SweepCommand.self, StatusCommand.self, PurgeCommand.self,
                      Validate.self, TemplateCommand.self, Inspect.self, Convert.self, SandboxCommand.self,
                      DoctorCommand.self]
    )

    static func main() async {
        Interruption.install()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
