import Foundation
import ProviderAPI
import Sandbox
import Testing

@Suite("Truora checks against the sandbox")
struct TruoraChecksTests {
    @Test("a check is created not started, runs, and completes with scores from the type's weights")
    func lifecycle() async throws {
        try await Harness.with { h in
            let (output, created) = try await h.truora.createCheck(coPerson(0))
            #expect(created)
            #expect(output.check.checkID.hasPrefix("CHK") && output.check.checkID.count == 35)
            #expect(output.check.status == "not_started")
            #expect(output.check.score == -1)
            #expect(output.selfPath == "/v1/checks/\(output.check.checkID)")
            #expect(try await h.eventually { try await h.truora.getCheck(output.check.checkID).check.isFinal })
            let done = try await h.truora.getCheck(output.check.checkID).check
            #expect(done.status == "completed")
            #expect(done.score == 1 && done.idScore == 1 && done.nameScore == 1)
            #expect(done.inputs["national_id"] == "1032456780")
            #expect(done.scores?.count == 5)
            #expect(done.statuses?.contains { $0.status == "skipped" && $0.invalidInputs == ["date_of_birth"] } == true)
        }
    }

    @Test("outcomes follow the last digit of the ID")
    func outcomes() async throws {
        // Speed 50: the delayed window (60-600 sandbox seconds) lasts 1.2 s to 12 s, wide enough to see
        // on a busy machine (under a sanitizer beside a fuzzer, 2.7 s was not).
        try await Harness.with({ $0.speed = 50 }) { h in
            var ids: [Int: String] = [:]
            for digit in [6, 7, 8, 9] {
                ids[digit] = try await h.truora.createCheck(coPerson(digit)).output.check.checkID
            }
            // 8 is delayed before it completes.
            #expect(try await h.eventually(within: .seconds(12)) {
                try await h.truora.getCheck(ids[8]!).check.status == "delayed"
            })
            #expect(
                try await h.eventually(within: .seconds(30)) {
                    for id in ids.values where !(try await h.truora.getCheck(id).check.isFinal) { return false }
                    return true
                })
            let criminal = try await h.truora.getCheck(ids[9]!).check
            #expect(criminal.status == "completed")
            #expect(criminal.score == 0.4)  // criminal_record weighs 0.6 in a CO person check
            #expect(criminal.scores?.first { $0.dataSet == "criminal_record" }?.result == "found")
            let homonym = try await h.truora.getCheck(ids[6]!).check
            #expect(homonym.idScore == 1 && homonym.nameScore == 0.5 && homonym.score == 1)
            #expect(try await h.truora.getCheck(ids[7]!).check.status == "error")
            #expect(try await h.truora.getCheck(ids[8]!).check.status == "completed")
        }
    }

    @Test("the same inputs without force_creation return the existing check; forced ones point to it")
    func deduplication() async throws {
        try await Harness.with { h in
            let first = try await h.truora.createCheck(coPerson(1)).output.check
            let again = try await h.truora.createCheck(coPerson(1))
            #expect(!again.created)
            #expect(again.output.check.checkID == first.checkID)
            // A differently written ID is the same input once normalised.
            let spaced = TruoraCheckRequest(
                country: "co", type: "person", inputs: [("national_id", "1.032.456.781")],
                userAuthorized: true)
            #expect(try await h.truora.createCheck(spaced).output.check.checkID == first.checkID)
            let forced = try await h.truora.createCheck(coPerson(1, force: true))
            #expect(forced.created)
            #expect(forced.output.check.previousCheck == first.checkID)
            let stats = h.sandbox.statistics
            #expect(stats.checksCreated == 2)
            #expect(stats.duplicates == 1)
            #expect(stats.count("POST /v1/checks", status: 201) == 2)
            #expect(stats.count("POST /v1/checks", status: 200) == 2)
        }
    }

    @Test(
        "inputs are validated with the requirement table and the ID rules",
        arguments: [
            ("CO", "person", [("first_name", "Ana")], "national_id"),
            ("BR", "person", [("national_id", "111.444.777-34")], "check digit"),
            ("CO", "person", [("national_id", "12345"), ("date_of_birth", "31/02/1990")], "date_of_birth"),
            ("XX", "person", [("national_id", "1032456780")], "country"),
            ("CO", "spaceship", [("national_id", "1032456780")], "type"),
        ])
    func validation(country: String, type: String, inputs: [(String, String)], mentions: String) async throws {
        try await Harness.with { h in
            let request = TruoraCheckRequest(
                country: country, type: type, inputs: inputs.map { ($0.0, $0.1) }, userAuthorized: true)
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(request) }
            #expect(error?.status == 400)
            #expect(error?.code == .number(10400))
            #expect(error?.message.contains(mentions) == true, "\(error?.message ?? "")")
            #expect(error?.retrySafe == false)
            #expect(h.sandbox.statistics.checksCreated == 0)
        }
    }

    @Test(
        "rows the requirement table accepts are created; a missing required input is named",
        arguments: [
            ("CL", "person", [("national_id", "12.531.909-2")], nil),
            (
                "CL", "person",
                [
                    ("foreign_id", "76086428-5"), ("first_name", "Ana"), ("last_name", "Paz"),
                    ("date_of_birth", "1990-04-12"), ("native_country", "pe"),
                ], nil
            ),
            (
                "CL", "person",
                [
                    ("foreign_id", "76086428-5"), ("first_name", "Ana"), ("last_name", "Paz"),
                    ("date_of_birth", "1990-04-12"),
                ], "native_country"
            ),
            (
                "BR", "person", [("national_id", "390.533.447-05"), ("date_of_birth", "1990-04-12"), ("region", "SP")],
                nil
            ),
            ("BR", "person", [("national_id", "390.533.447-05"), ("date_of_birth", "1990-04-12")], "region"),
            ("CO", "company", [("tax_id", "900.123.456-8")], nil),
            ("CO", "person", [("foreign_id", "456789"), ("date_of_birth", "1990-04-12")], "issue_date"),
            ("MX", "company", [("tax_id", "MAB9307148T4")], nil),
            ("PE", "person", [("national_id", "10117410"), ("date_of_birth", "1990-04-12")], nil),
            ("PE", "person", [("national_id", "10117410")], "date_of_birth"),
            ("CL", "vehicle", [("national_id", "12.531.909-2")], "license_plate"),
        ])
    func requirementTable(country: String, type: String, inputs: [(String, String)], missing: String?) async throws {
        try await Harness.with { h in
            let request = TruoraCheckRequest(
                country: country, type: type, inputs: inputs.map { ($0.0, $0.1) }, userAuthorized: true)
            if let missing {
                let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(request) }
                #expect(error?.status == 400)
                #expect(error?.message.contains(missing) == true, "\(error?.message ?? "")")
            } else {
                let created = try await h.truora.createCheck(request)
                #expect(created.created)
                #expect(created.output.check.country == country && created.output.check.type == type)
            }
        }
    }

    @Test("high-priority checks are limited per country: past the limit 429, medium ones unaffected")
    func highPriority() async throws {
        func high(_ digit: Int) -> TruoraCheckRequest {
            var request = coPerson(digit)
            request.priority = "high"
            return request
        }
        // Speed 1: checks run for a minute, so the first two are still running when the third comes,
        // however slow the machine.
        try await Harness.with({
            $0.highPriorityLimit = 2
            $0.speed = 1
        }, retry: .none) { h in
            _ = try await h.truora.createCheck(high(0))
            _ = try await h.truora.createCheck(high(1))
            let limited = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(high(2)) }
            #expect(limited?.status == 429 && limited?.code == .number(10429))
            #expect(limited?.message.contains("high priority") == true)
            let medium = try await h.truora.createCheck(coPerson(3)).created
            #expect(medium)
        }
        // Speed 600: once the running ones finish, a slot is free again.
        try await Harness.with({
            $0.highPriorityLimit = 2
            $0.speed = 600
        }, retry: .none) { h in
            _ = try await h.truora.createCheck(high(0))
            _ = try await h.truora.createCheck(high(1))
            #expect(try await h.eventually(within: .seconds(30)) { (try? await h.truora.createCheck(high(2))) != nil })
        }
    }

    @Test("consent: refused is refused, and a version 1 key requires it")
    func consent() async throws {
        try await Harness.with { h in
            var refused = coPerson(2)
            refused.userAuthorized = false
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(refused) }
            #expect(error?.message.contains("user_authorized") == true)
            var unstated = coPerson(2)
            unstated.userAuthorized = nil
            let accepted = try await h.truora.createCheck(unstated).created
            #expect(accepted)
        }
        try await Harness.with(truoraKey: Sandbox.truoraKey(version: 1)) { h in
            var unstated = coPerson(3)
            unstated.userAuthorized = nil
            let error = await #expect(throws: ProviderError.self) { try await h.truora.createCheck(unstated) }
            #expect(error?.status == 400)
            let consented = try await h.truora.createCheck(coPerson(3)).created
            #expect(consented)
        }
    }

    @Test("a missing, malformed or expired key gets 401 as a credentials error that never shows the key")
    func credentials() async throws {
        for key in ["", "not-a-jwt", Sandbox.truoraKey(expires: Date(timeIntervalSinceNow: -60))] {
            try await Harness.with(truoraKey: key) { h in
                let error = await #expect(throws: ProviderError.self) { try await h.truora.listChecks() }
                #expect(error?.kind == .credentials)
                #expect(error?.status == 401)
                #expect(error?.retrySafe == false)
                if !key.isEmpty { #expect(error?.description.contains(key) == false) }
            }
        }
    }

    @Test("list and details page with start_key; summarize, attachments, delete, health")
    func listing() async throws {
        try await Harness.with({ $0.pageSize = 2 }) { h in
            var created: [String] = []
            for digit in 0..<5 {
                created.append(try await h.truora.createCheck(coPerson(digit, prefix: "52345678")).output.check.checkID)
            }
            var seen: [String] = []
            var startKey: String?
            var pages = 0
            repeat {
                let page = try await h.truora.listChecks(startKey: startKey)
                seen += page.checks.map(\.checkID)
                startKey = TruoraClient.startKey(fromNext: page.next)
                pages += 1
            } while startKey != nil
            #expect(pages == 3)
            #expect(seen == created.reversed())

            let found = try await h.truora.createCheck(coPerson(9, prefix: "52345678")).output.check.checkID
            #expect(try await h.eventually { try await h.truora.getCheck(found).check.isFinal })
            var details: [TruoraCheckDetail] = []
            startKey = nil
            repeat {
                let page = try await h.truora.checkDetails(found, startKey: startKey, lang: "es")
                #expect(page.details.count <= 2)
                details += page.details
                startKey = TruoraClient.startKey(fromNext: page.next)
            } while startKey != nil
            #expect(details.count == 5)
            #expect(details.filter { $0.result == "found" }.map(\.dataSet) == ["criminal_record"])
            #expect(details.first { $0.result == "found" }?.tables?.isEmpty == false)
            #expect(details.first { $0.result == "not_found" }?.tables == nil)
            let badLang = await #expect(throws: ProviderError.self) {
                try await h.truora.checkDetails(found, lang: "ES")
            }
            #expect(badLang?.status == 400)

            let summary = try await h.truora.summarize(found)
            #expect(summary.summary.first { $0.dataSet == "criminal_record" }?.findings.count == 1)
            let attachments = try await h.truora.attachments(found)
            #expect(attachments.attachments.count == 1)
            let file = try await h.get(attachments.attachments[0].url)
            #expect(file.body.starts(with: Array("%PDF".utf8)))

            let deleted = try await h.truora.deleteCheck(created[0])
            #expect(deleted.check.checkID == created[0])
            let gone = await #expect(throws: ProviderError.self) { try await h.truora.getCheck(created[0]) }
            #expect(gone?.status == 404 && gone?.code == .number(10404))

            let health = try await h.truora.health(
                country: "CO", unixTimestampSeconds: 1_700_000_000,
                timezoneOffsetSeconds: -18_000)
            #expect(health.allSatisfy { $0.databaseID.count == 43 && $0.hourlyStatus.count == 24 })
        }
    }

    @Test("custom types: weights summing to 1, reserved names refused, update needs an existing type, checks use them")
    func customTypes() async throws {
        try await Harness.with { h in
            let weights = ["personal_identity": 0.5, "alert_in_media": 0.5]
            let created = try await h.truora.createCustomType(country: "CO", type: "identity-alert", weights: weights)
            #expect(created.scoreConfigs["CO"]?["identity-alert"]?.count == 2)
            let again = await #expect(throws: ProviderError.self) {
                try await h.truora.createCustomType(country: "CO", type: "identity-alert", weights: weights)
            }
            #expect(again?.status == 400)
            let badSum = await #expect(throws: ProviderError.self) {
                try await h.truora.createCustomType(country: "CO", type: "x", weights: ["personal_identity": 0.9])
            }
            #expect(badSum?.message.contains("sum to 1") == true)
            let reserved = await #expect(throws: ProviderError.self) {
                try await h.truora.createCustomType(country: "CO", type: "person", weights: ["personal_identity": 1])
            }
            #expect(reserved?.status == 400)
            let missing = await #expect(throws: ProviderError.self) {
                try await h.truora.updateCustomType(country: "MX", type: "nope", weights: ["personal_identity": 1])
            }
            #expect(missing?.code == .number(10400))
            _ = try await h.truora.updateCustomType(
                country: "CO", type: "identity-alert",
                weights: ["personal_identity": 0.25, "alert_in_media": 0.75])
            let check = TruoraCheckRequest(
                country: "CO", type: "identity-alert", inputs: [("national_id", "1032456789")],
                userAuthorized: true)
            let id = try await h.truora.createCheck(check).output.check.checkID
            #expect(try await h.eventually { try await h.truora.getCheck(id).check.isFinal })
            #expect(
                Set(try await h.truora.getCheck(id).check.scores?.map(\.dataSet) ?? []) == [
                    "personal_identity", "alert_in_media",
                ])
            let listed = try await h.truora.listCustomTypes()
            #expect(
                listed.scoreConfigs["CO"]?["identity-alert"]?.first { $0.dataSet == "personal_identity" }?.weight.value
                    == 0.25)
            let remaining = try await h.truora.deleteCustomType(country: "CO", type: "identity-alert")
            #expect(remaining.scoreConfigs["CO"]?["identity-alert"] == nil)
        }
    }

    @Test("settings, continuous checks and PDFs")
    func settingsContinuousPDF() async throws {
        try await Harness.with({ $0.speed = 86_400 * 4 }) { h in
            let settings = try await h.truora.updateSettings(
                maxDuration: "2h", namesMatchingType: "exact", retries: true)
            #expect(settings.maxDuration == "2h" && settings.namesMatchingType == "exact" && settings.retries)
            let tooShort = await #expect(throws: ProviderError.self) {
                try await h.truora.updateSettings(maxDuration: "3m")
            }
            #expect(tooShort?.status == 400)

            let check = try await h.truora.createCheck(coPerson(0)).output.check.checkID
            let endDate = Timestamp(Date(timeIntervalSinceNow: 400 * 86_400 * 4)).day
            let continuous = try await h.truora.createContinuousCheck(
                checkID: check, frequency: "daily", endDate: endDate)
            #expect(continuous.continuousCheckID.hasPrefix("CCK"))
            #expect(continuous.status == "enabled" && continuous.scoreStatus == "new")
            let badFrequency = await #expect(throws: ProviderError.self) {
                try await h.truora.createContinuousCheck(checkID: check, frequency: "hourly", endDate: endDate)
            }
            #expect(badFrequency?.status == 400)
            #expect(
                try await h.eventually {
                    try await h.truora.getContinuousCheck(continuous.continuousCheckID).counter >= 2
                })
            let history = try await h.truora.continuousCheckHistory(continuous.continuousCheckID)
            #expect(history.history.count >= 2)
            let updated = try await h.truora.updateContinuousCheck(
                continuous.continuousCheckID, status: "disabled", frequency: "2w")
            #expect(updated.status == "disabled" && updated.frequency == "2w")
            #expect(try await h.truora.listContinuousChecks().continuousChecks.count == 1)
            let firstOfContinuous = await #expect(throws: ProviderError.self) { try await h.truora.deleteCheck(check) }
            #expect(firstOfContinuous?.status == 400)

            let early = await #expect(throws: ProviderError.self) { try await h.truora.downloadPDF(check) }
            #expect(early?.status == 404)
            #expect(try await h.truora.createPDF(check).pdfPath == "/v1/checks/\(check)/pdf")
            #expect(
                try await h.eventually {
                    (try? await h.truora.downloadPDF(check, lang: "en"))?.starts(with: Array("%PDF-".utf8)) == true
                })
        }
    }
}
