import ArgumentParser
import CheckInputs
import Foundation
import Pipeline
import ProviderAPI
import Spreadsheet

/// `idbatch run`: every valid row submitted exactly once, results merged into a report.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send every valid row to the provider once and write the merged report.",
        discussion: """
            Maps and validates every row, then sends each valid row (truora-checks: one check per row, \
            then looks for its result until --wait runs out; truora-batch: Truora's batch upload, rows in \
            batches of --batch-size per country and type, each created, uploaded as xlsx, started, and its \
            report merged back onto the rows; trulioo: one Workflow Studio session per row, filled \
            step by step from the row until a step needs the person (DocV, an element no column fills) or \
            the flow ends, and a signed URL with --signed-url; truora-di: a Digital Identity web key per row, whose verification link goes in \
            verification_url; truora-whatsapp: one approved outbound WhatsApp message per row, which starts \
            the flow when the person accepts). A ledger in --state records every row and batch before and after its calls, so \
            running the same file again resumes: no row that has a check or a user state is sent again, and \
            a batch goes on from the step it reached. Rows still running are pending; 'idbatch collect' \
            finishes them later. Before sending, a Truora run looks at the health of the country's \
            databases: one reported down is a warning on the console and in the Summary sheet \
            (--wait-healthy waits for it first).

            Writes to --out: NAME.report.xlsx|csv (every input row and column, in order, then idbatch_row, \
            idbatch_status ok|failed|pending|skipped, idbatch_error_code, idbatch_error_message and the \
            provider's columns, with batch_id for truora-batch, pdf with --pdf and continuous_check_id with \
            --continuous; an xlsx report has a Summary sheet), NAME.pdf/ (--pdf), NAME.errors.EXT (only \
            the failed rows, in the input's format, to fix and run again) and NAME.summary.json (rows read = ok + failed + \
            pending + skipped). All are created 0600 and appear whole or not at all.

            Credentials come from the environment only: TRUORA_API_KEY, TRULIOO_CLIENT_ID, \
            TRULIOO_CLIENT_SECRET (or NAME_FILE); --sandbox needs none. Ctrl-C stops taking rows, lets the \
            calls in flight finish and writes the reports; a second Ctrl-C quits at once (the ledger still \
            resumes correctly). Exit codes: 0 every row ok, 2 some rows failed, pending or skipped, 64 usage, \
            65 input unreadable, 66 input missing, 69 provider unavailable (circuit open), 73 output cannot \
            be created, 75 rate-limited to a stop, 77 credentials missing or refused, 78 bad job file, \
            130 interrupted.
            """
    )

    @Argument(help: "The CSV or xlsx files to run, one after another.")
    var inputs: [String]

    @OptionGroup var check: CheckOptions

    @OptionGroup var language: LanguageOption

    @Option(help: ArgumentHelp("Folder for the reports, error files and summaries.", valueName: "DIR"))
    var out: String = "."

    @Option(help: ArgumentHelp("xlsx, csv or same (the input's format; default: the job file's, else same).",
                               valueName: "FORMAT"))
    var reportFormat: JobFile.ReportFormat?

    @OptionGroup var providerOptions: ProviderOptions

    @Option(help: ArgumentHelp("Most new rows sent per second (default: as fast as answers come).",
                               valueName: "PER_SECOND"))
    var rate: Double?

    @Option(help: ArgumentHelp("How long to look for results once every row is sent (90s, 10m, 2h; 0s: none; default 5m, 0s for truora-di and truora-whatsapp, whose results come when people finish: collect them later).",
                               valueName: "DURATION"))
    var wait: String?

    @Option(help: ArgumentHelp("truora-batch: most rows in one batch upload (default: the job file's batch_size, else 1000).",
                               valueName: "ROWS"))
    var batchSize: Int?

    @Option(help: ArgumentHelp("Truora: when the country's databases are reported down before sending, wait this long for them (default 0s: warn and go on).",
                               valueName: "DURATION"))
    var waitHealthy: String = "0s"

    @Flag(help: "Truora: download each finished check's PDF into --out/NAME.pdf/ (a pdf column links it).")
    var pdf = false

    @Option(help: ArgumentHelp("Truora: enroll each finished check as a continuous check this often (daily, weekly, monthly, yearly, or 3d, 2w, 6m, 1y); needs --until.",
                               valueName: "FREQUENCY"))
    var continuous: String?

    @Option(help: ArgumentHelp("Truora: the last day of the continuous checks (YYYY-MM-DD, after today).",
                               valueName: "DATE"))
    var until: String?

    @Flag(help: "Map, validate and write the report and error file, and count the billable requests, without calling any provider.")
    var dryRun = false

    @Flag(help: "Print the summary as one JSON object on stdout.")
    var json = false

    @Flag(help: "Trulioo: also create a signed URL per row for the hosted flow.")
    var signedURL = false

    @Option(help: ArgumentHelp("The flow each row starts: Trulioo's Workflow Studio flow, or Truora's IPF… flow for truora-di and truora-whatsapp (default: the job file's).",
                               valueName: "ID"))
    var flowID: String?

    @Option(help: ArgumentHelp("trulioo and truora-di: where the flow sends the person at the end (default: the job file's).",
                               valueName: "URL"))
    var redirectURL: String?

    @Option(help: ArgumentHelp("truora-whatsapp: the approved outbound message (OTB…) each row gets (default: the job file's whatsapp: outbound_id).",
                               valueName: "ID"))
    var outboundID: String?

    @Option(help: ArgumentHelp("trulioo: workflow-studio (Trulioo's documented routes; the default) or platform-v2 (the seed's /customer/v2 routes) (default: the job file's trulioo: api).",
                               valueName: "API"))
    var truliooAPI: TruliooAPI?

    @OptionGroup var inputOptions: InputOptions

    func validate() throws {
        if let wait, DurationText.parse(wait) == nil {
            throw ValidationError("--wait takes a duration such as 90s, 10m or 2h")
        }
        guard DurationText.parse(waitHealthy) != nil else {
            throw ValidationError("--wait-healthy takes a duration such as 90s, 10m or 2h")
        }
        if let rate, rate <= 0 { throw ValidationError("--rate must be above 0") }
        if let continuous, ValueText.frequency(continuous) == nil {
            throw ValidationError("--continuous takes daily, weekly, monthly, yearly or a number with d, w, m or y (3d, 6m)")
        }
        if (continuous == nil) != (until == nil) {
            throw ValidationError("--continuous and --until go together: how often, and until when")
        }
        if let until {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            guard let date = formatter.date(from: until), formatter.string(from: date) == until else {
                throw ValidationError("--until takes a date as YYYY-MM-DD")
            }
            guard date > Date() else { throw ValidationError("--until must be after today") }
        }
        if let batchSize, !(1...JobFile.maxBatchSize).contains(batchSize) {
            throw ValidationError("--batch-size takes a number of rows from 1 to \(JobFile.maxBatchSize)")
        }
    }

    func run() async throws {
        let job = try check.jobFile()
        let settings = job.settings
        try OutputFolder.ensure(out)
        var configuration = RunConfiguration(job: job, readOptions: inputOptions.readOptions)
        configuration.outDirectory = out
        configuration.language = language.resolve(job: job.language, country: settings.country)
        switch reportFormat {
        case .xlsx?: configuration.reportFormat = .xlsx
        case .csv?: configuration.reportFormat = .csv
        case .same?: configuration.reportFormat = nil
        case nil: break
        }
        configuration.concurrency = providerOptions.concurrency
        configuration.rate = rate
        configuration.wait = wait.flatMap(DurationText.parse) ?? (settings.provider.startsProcess ? .zero : .seconds(300))
        configuration.waitHealthy = DurationText.parse(waitHealthy) ?? .zero
        configuration.dryRun = dryRun
        if let batchSize { configuration.batchSize = batchSize }
        configuration.followUps = FollowUpPlan(pdf: pdf, frequency: continuous.flatMap(ValueText.frequency),
                                               until: until)
        if settings.provider == .trulioo, !configuration.followUps.isEmpty {
            FileHandleOutput.stderr("idbatch: error: --pdf and --continuous are for Truora checks, not trulioo runs\n")
            throw ExitCode(ExitStatus.usage)
        }
        configuration.signedURL = signedURL || configuration.signedURL
        configuration.redirectURL = redirectURL ?? configuration.redirectURL
        configuration.outboundID = outboundID ?? configuration.outboundID
        configuration.flowID = flowID ?? configuration.flowID
        if let truliooAPI { configuration.truliooAPI = truliooAPI }
        // Before connecting: a usage error is named before any credential is looked for.
        if let problem = configuration.setupProblem {
            FileHandleOutput.stderr("idbatch: error: \(problem)\n")
            throw ExitCode(ExitStatus.usage)
        }

        let ledger: Ledger
        do {
            ledger = dryRun ? try Ledger.throwaway() : try providerOptions.ledger()
        } catch let error as PipelineError {
            throw Console.fail(error)
        }
        var connection: ProviderOptions.Connection?
        let readsFlow = settings.provider == .trulioo && configuration.truliooAPI == .workflowStudio
        if dryRun, readsFlow {
            // A dry run reads the flow's first step (a free session start) to show which column fills
            // each element; without credentials it says so and goes on.
            connection = try await providerOptions.connect([settings.provider], requireAll: false,
                                                           truliooAPI: configuration.truliooAPI)
            configuration.flowID = configuration.flowID ?? connection?.defaultFlowID
        }
        if !dryRun {
            connection = try await providerOptions.connect([settings.provider], truliooAPI: configuration.truliooAPI)
            configuration.flowID = configuration.flowID ?? connection?.defaultFlowID
            if settings.provider == .trulioo, configuration.flowID == nil {
                await connection?.close()
                FileHandleOutput.stderr("idbatch: error: a trulioo run needs the flow to start: --flow-id ID, "
                                        + "or trulioo: flow_id: in the job file\n")
                throw ExitCode(ExitStatus.usage)
            }
        }
        let control = RunControl()
        Interruption.stopGracefully(control)
        let view = RunProgressView()
        let engine = RunEngine(configuration: configuration, providers: connection?.providers ?? RunProviders(),
                               ledger: ledger, control: control, observe: { view.show($0) })
        var results: [RunResult] = []
        var failure: PipelineError?
        for input in inputs where !control.isStopped {
            do {
                results.append(try await engine.run(input: input))
            } catch {
                failure = error
                break
            }
        }
        view.finish()
        await connection?.close()
        for result in results { Self.print(result) }
        if json, !results.isEmpty {
            FileHandleOutput.stdout(results.count == 1 ? results[0].summary.json() : RunCommand.combined(results))
        }
        if let failure { throw check.fail(failure) }
        let code = results.map(\.exitCode).max { Self.severity($0) < Self.severity($1) } ?? 0
        if code != 0 { throw ExitCode(code) }
    }

    /// Which exit code wins when several files ran.
    static func severity(_ code: Int32) -> Int {
        [ExitStatus.ok, ExitStatus.someRowsNotOK, ExitStatus.temporary, ExitStatus.unavailable,
         ExitStatus.credentials, ExitStatus.interrupted].firstIndex(of: code) ?? 6
    }

    static func combined(_ results: [RunResult]) -> String {
        "{\"runs\": [\n" + results.map { $0.summary.json().trimmingCharacters(in: .newlines) }.joined(separator: ",\n")
            + "\n]}\n"
    }

    static func print(_ result: RunResult) {
        let summary = result.summary
        for warning in summary.warnings { Console.warning("\(summary.file): \(warning)") }
        var lines = ["\(summary.file): \(summary.accounting) (\(Console.clock(summary.durationSeconds)))"]
        if let table = result.flowTable {
            lines.append("  the Trulioo flow's first step, element by element:")
            lines += flowTableLines(table).map { "    " + $0 }
        }
        if let matching = summary.processMatching {
            lines.append("  processes: \(matching["matched"] ?? 0) row(s) matched to a process, "
                         + "\(matching["waiting"] ?? 0) still waiting for the person to start")
        }
        if summary.dryRun {
            let bill = summary.wouldBill.sorted { $0.key < $1.key }.map { "\($1) \($0)" }.joined(separator: ", ")
            lines.append("  dry run: nothing was sent; billable requests a run would make: \(bill.isEmpty ? "none" : bill)")
        } else {
            let made = summary.requests.sorted { $0.key < $1.key }.map { "\($1) \($0)" }.joined(separator: ", ")
            lines.append("  requests: \(made.isEmpty ? "none" : made) (billable: \(summary.billableRequests))")
        }
        for (code, count) in summary.byCode.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("  \(code): \(count) row(s)")
        }
        if let stopped = summary.stopped { lines.append("  stopped early: \(stopped)") }
        lines.append("  report: \(summary.report)")
        if let errors = summary.errorsFile { lines.append("  failed rows: \(errors)") }
        lines.append("  summary: \(result.summaryPath)")
        if summary.pending > 0, !summary.dryRun {
            lines.append("  \(summary.pending) row(s) pending: 'idbatch collect' fetches their results later")
        }
        for line in lines { Console.note(line) }
    }
}

extension RunCommand {
    /// The element-to-column table: each element, whether it is required, the input and column
    /// (or constant) that fills it, or what is missing.
    /// Without `file` (doctor with no INPUT), an input with no constant is left to the file's header.
    static func flowTableLines(_ table: [TruliooFlowMapping.Line], file: Bool = true) -> [String] {
        let width = min(32, table.map(\.element.count).max() ?? 0)
        return table.map { line in
            let name = line.element.padding(toLength: max(width, line.element.count), withPad: " ", startingAt: 0)
            let need = line.required ? "required" : "optional"
            guard let input = line.input else { return "\(name)  \(need)  no input matches (trulioo: fields: in the job file)" }
            let how = line.how.map { " by \($0.rawValue)" } ?? ""
            guard let source = line.source else {
                return "\(name)  \(need)  \(input)\(how)" + (file ? ", but no column holds it" : " <- a column mapped to it")
            }
            return "\(name)  \(need)  \(input)\(how) <- \(source == "constant" ? "constant" : "column '\(source)'")"
        }
    }
}

extension TruliooAPI: ExpressibleByArgument {}

extension JobFile.ReportFormat: ExpressibleByArgument {}
