import CheckInputs
import Foundation
import Pipeline
import ProviderAPI
import Sandbox
import Testing

/// truora-di and truora-whatsapp against the in-process sandbox, and collect for every mode that
/// leaves something to look at later (Trulioo profiles too).
@Suite("verification links and WhatsApp messages per row, results by collect")
struct ProcessRunTests {
    /// People for a link or a message: phones ending in the sandbox's outcome digits, one row with a
    /// declined_reason in its account id, and bad rows (a phone too short, consent refused).
    func peopleCSV(_ harness: PipelineHarness, _ name: String) throws -> String {
        let text = """
            Nombre,Celular,Correo,ID de cuenta,Autoriza,{{.name}}
            Ana,+57 300 123 4560,ana@example.com,,sí,Ana
            Luis,3001234567,,,sí,Luis
            Eva,300 123 4568,eva@example.com,,sí,Eva
            Sol,+573001234569,,,sí,Sol
            Iván,3001234561,,cliente-vpn_detected,sí,Iván
            Corto,12,,,sí,Corto
            Noa,3001234562,,con espacio,sí,Noa
            Teo,3001234563,,,no,Teo

            """
        let path = harness.folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func configuration(_ harness: PipelineHarness, _ mode: Provider, wait: Duration) -> RunConfiguration {
        var configuration = harness.configuration(mode, wait: wait)
        configuration.flowID = "IPFdemo1a2b"
        configuration.redirectURL = "https://example.com/listo"
        configuration.outboundID = "OTBdemo3c4d"
        return configuration
    }

    @Test("truora-di: a link per valid row; a rerun makes none; collect brings every outcome into the report")
    func digitalIdentity() async throws {
        try await PipelineHarness.with(sandbox: { $0.processDuration = 1_200 }) { harness in
            let input = try peopleCSV(harness, "links.csv")
            let ledger = try Ledger(directory: harness.state)
            // No look at a process for a minute: however slow the machine, the runs leave them all pending.
            var settings = configuration(harness, .truoraDI, wait: .zero)
            settings.pollBase = .seconds(60)
            let run = try await harness.engine(settings, ledger: ledger).run(input: input)
            // Consent is WhatsApp's: in this mode the row that refused it still gets a link.
            #expect(run.summary.rowsRead == 8 && run.summary.pending == 6 && run.summary.failed == 2)
            #expect(run.summary.byCode["phone_invalid"] == 1 && run.summary.byCode["account_id_invalid"] == 1)
            #expect(harness.sandbox.statistics.webKeysCreated == 6)
            var rows = try reportRows(run.summary.report)
            #expect(rows[0]["verification_url"]?.hasPrefix(harness.running.baseURL + "/identity/?token=") == true)
            #expect(rows[0]["account_id"]?.hasPrefix("idbatch-") == true)
            #expect(rows[4]["account_id"] == "cliente-vpn_detected")
            #expect(rows[0]["process_status"] == "pending" && rows[0]["idbatch_error_code"] == "process_pending")
            let accounts = rows.map { $0["account_id"] }

            // The same file again: no second link for anyone, the same accounts.
            let again = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.webKeysCreated == 6)
            #expect(harness.sandbox.statistics.mostProcessesForOneAccount == 1)
            #expect(again.summary.pending == 6)
            #expect(try reportRows(again.summary.report).map { $0["account_id"] } == accounts)

            // Processes end 1,200 sandbox seconds after they start: 2 s at 600x; collect waits for them.
            var collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            collector.wait = .seconds(30)
            let collected = try await collector.collect()
            let summary = try #require(collected.first?.result.summary)
            #expect(summary.ok == 6 && summary.pending == 0 && summary.failed == 2)
            #expect(summary.processes == ["success": 3, "failure: not_used": 1, "failure: validation_not_finished": 1,
                                          "failure: vpn_detected": 1])
            rows = try reportRows(run.summary.report)
            #expect(rows[0]["process_status"] == "success" && rows[0]["idbatch_status"] == "ok")
            #expect(rows[1]["process_status"] == "failure" && rows[1]["declined_reason"] == "not_used")
            // A reviewer overrode the failure: the status that counts is the override's.
            #expect(rows[2]["process_status"] == "success")
            #expect(rows[3]["declined_reason"] == "validation_not_finished")
            #expect(rows[4]["declined_reason"] == "vpn_detected")
            #expect(try await collector.collect().isEmpty)
        }
    }

    @Test("truora-di with keys that name no process: rows wait, then collect finds each process by its account")
    func processesFoundByAccount() async throws {
        try await PipelineHarness.with(sandbox: { $0.processDuration = 1_200; $0.webKeyNamesProcess = false }) { harness in
            let input = try peopleCSV(harness, "links.csv")
            let ledger = try Ledger(directory: harness.state)
            var settings = configuration(harness, .truoraDI, wait: .zero)
            settings.pollBase = .seconds(60)
            let run = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(run.summary.pending == 6 && run.summary.byCode["process_waiting"] == 6)
            #expect(run.summary.processMatching == ["matched": 0, "waiting": 6])
            let rows = try reportRows(run.summary.report)
            #expect(rows[0]["process_id"] == "" && rows[0]["idbatch_error_message"]?.contains("idbatch-") == true)

            var collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            collector.wait = .seconds(30)
            let collected = try await collector.collect()
            let summary = try #require(collected.first?.result.summary)
            #expect(summary.ok == 6 && summary.pending == 0)
            #expect(summary.processMatching == ["matched": 6, "waiting": 0])
            #expect((summary.requests["process_lists"] ?? 0) >= 1)
            let after = try reportRows(run.summary.report)
            #expect(after[0]["process_id"]?.hasPrefix("IDP") == true && after[0]["process_status"] == "success")
            #expect(after[4]["declined_reason"] == "vpn_detected")
        }
    }

    @Test("truora-whatsapp: one message per consenting row with its variables; a rerun sends none")
    func whatsApp() async throws {
        try await PipelineHarness.with(sandbox: { $0.outboundApprovalDelay = 0 }) { harness in
            // An outbound whose text has a variable: the sandbox refuses a send without var.name.
            let outbound = try await harness.providers.truora!.createOutbound(TruoraOutboundMessage(
                name: "bienvenida", category: "TRANSACTIONAL", languageCode: "es", content: "Hola {{.name}}",
                isNotification: false, wabaPhoneNumber: "573170000000", continueProcessMessage: "Sí",
                cancelProcessMessage: "No", examples: [("name", "Ana")]))
            let input = try peopleCSV(harness, "messages.csv")
            let ledger = try Ledger(directory: harness.state)
            var settings = configuration(harness, .truoraWhatsApp, wait: .seconds(30))
            settings.outboundID = outbound.outboundID
            let run = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(run.summary.rowsRead == 8 && run.summary.ok == 5 && run.summary.failed == 3)
            #expect(run.summary.byCode["consent_refused"] == 1)
            #expect(harness.sandbox.statistics.messagesSent == 5)
            let rows = try reportRows(run.summary.report)
            #expect(rows[0]["process_status"] == "success" && rows[0]["verification_url"] == "")
            settings.wait = .zero
            _ = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.messagesSent == 5)
        }
    }

    @Test("a link whose answer never came is unknown, names the account to look for, and is never made again")
    func unknownLinkIsNotResent() async throws {
        try await PipelineHarness.with(faults: "reset:once@POST /v1/api-keys") { harness in
            let input = try peopleCSV(harness, "links.csv")
            let ledger = try Ledger(directory: harness.state)
            var settings = configuration(harness, .truoraDI, wait: .zero)
            settings.concurrency = 1
            let run = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(run.summary.byCode["outcome_unknown"] == 1)
            let made = harness.sandbox.statistics.webKeysCreated
            #expect(made == 6)  // the reset one was made at Truora, its answer lost
            let again = try await harness.engine(settings, ledger: ledger).run(input: input)
            #expect(harness.sandbox.statistics.webKeysCreated == made)
            let unknown = try #require(try reportRows(again.summary.report).first { $0["idbatch_error_code"] == "outcome_unknown" })
            #expect(unknown["idbatch_error_message"]?.contains("look for account idbatch-") == true)
        }
    }

    @Test("a run without its flow or outbound stops before any call and names what is missing")
    func missingFlow() {
        var settings = CheckSettings(provider: .truoraDI)
        settings.country = "CO"
        var configuration = RunConfiguration(settings: settings)
        #expect(configuration.missingForProcesses.count == 2)
        configuration.flowID = "IPF1"
        configuration.redirectURL = "https://example.com"
        #expect(configuration.missingForProcesses.isEmpty)
        settings.provider = .truoraWhatsApp
        var whatsapp = RunConfiguration(settings: settings)
        whatsapp.flowID = "IPF1"
        #expect(whatsapp.missingForProcesses == ["--outbound-id (whatsapp: outbound_id)"])
    }

    @Test("trulioo on the seed's platform-v2 routes: collect fetches each profile's status and writes it back")
    func truliooCollect() async throws {
        try await PipelineHarness.with(strict: false) { harness in
            let input = try harness.peopleCSV("people.csv", count: 3)
            let ledger = try Ledger(directory: harness.state)
            var configuration = harness.configuration(.trulioo)
            configuration.truliooAPI = .platformV2
            let run = try await harness.engine(configuration, ledger: ledger).run(input: input)
            #expect(run.summary.ok == 3)
            var rows = try reportRows(run.summary.report)
            #expect(rows.allSatisfy { $0["profile_status"] == "NOT_STARTED" })
            // One person goes through the flow to its end.
            let client = try #require(harness.providers.trulioo)
            let first = try #require(rows[0]["user_state_id"])
            var step = try await client.submit(userStateId: first, values: [:])
            while step.stepType != "end" { step = try await client.submit(userStateId: first, values: [:]) }
            let collector = Collector(ledger: ledger, providers: harness.providers, control: RunControl())
            let collected = try await collector.collect()
            #expect(collected.count == 1 && collected[0].result.summary.requests["profile_looks"] == 3)
            rows = try reportRows(run.summary.report)
            #expect(rows[0]["profile_status"] == "ACCEPTED")
            #expect(rows[1]["profile_status"] == "NOT_STARTED")
        }
    }
}
