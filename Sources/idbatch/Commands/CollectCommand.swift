import ArgumentParser
import CheckInputs
import Foundation
import Pipeline

/// `idbatch collect`: finishes the rows earlier runs left pending and writes their reports again.
struct CollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Fetch the results of rows earlier runs left pending, and rewrite their reports.",
        discussion: """
            Looks once at every row of earlier runs whose result was not final (Truora checks still \
            running, Trulioo profiles not yet accepted or declined), keeps looking for --wait, and writes \
            each run's report, error file and summary again in place (atomically). When a run's input has \
            moved or changed, its report holds the result columns by row number instead, and the input is \
            named. Makes no new check. Exit 0 when every row of every run is ok, 2 otherwise.
            """
    )

    @OptionGroup var providerOptions: ProviderOptions

    @Option(help: ArgumentHelp("Write the reports here instead of where each run wrote them.", valueName: "DIR"))
    var out: String?

    @Option(help: ArgumentHelp("Keep looking for results this long after the first look (90s, 10m).",
                               valueName: "DURATION"))
    var wait: String = "0s"

    @Flag(help: "Print the summaries as one JSON object on stdout.")
    var json = false

    func validate() throws {
        guard DurationText.parse(wait) != nil else { throw ValidationError("--wait takes a duration such as 90s or 10m") }
    }

    func run() async throws {
        if let out { try OutputFolder.ensure(out) }
        let ledger = try providerOptions.ledger()
        if providerOptions.sandbox {
            Console.warning("--sandbox starts a new sandbox, which knows none of the checks earlier runs made "
                            + "in theirs; to try collect, run 'idbatch sandbox' and point runs at it instead")
        }
        let connection = try await providerOptions.connect([.truoraChecks, .trulioo], requireAll: false)
        let control = RunControl()
        Interruption.stopGracefully(control)
        let view = RunProgressView()
        var collector = Collector(ledger: ledger, providers: connection.providers, control: control)
        collector.concurrency = providerOptions.concurrency
        collector.wait = DurationText.parse(wait) ?? .zero
        collector.outDirectory = out
        collector.observe = { view.show($0) }
        let collected = try await connection.finishing(view) { () async throws(PipelineError) in
            try await collector.collect()
        }
        if collected.isEmpty { Console.note("nothing to collect: no earlier run has rows waiting for a result") }
        for item in collected {
            if let problem = item.inputProblem { Console.warning(problem) }
            RunCommand.print(item.result)
        }
        if json {
            FileHandleOutput.stdout(collected.count == 1 ? collected[0].result.summary.json()
                                    : RunCommand.combined(collected.map(\.result)))
        }
        if control.stopReason == .interrupted { throw ExitCode(ExitStatus.interrupted) }
        if collected.contains(where: { $0.result.summary.ok != $0.result.summary.rowsRead }) {
            throw ExitCode(ExitStatus.someRowsNotOK)
        }
    }
}
