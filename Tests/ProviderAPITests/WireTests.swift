import Foundation
import ProviderAPI
import Sandbox
import Testing

@Suite("Wire formats, retry arithmetic and fault specs")
struct WireTests {
    @Test(
        "timestamps with 0 to 9 fraction digits, offsets, and bare dates",
        arguments: [
            ("2020-04-01T23:00:30.581232281Z", "2020-04-01T23:00:30.581232281Z"),
            ("2019-08-08T19:48:03.81398584Z", "2019-08-08T19:48:03.81398584Z"),
            ("2020-02-24T18:13:08.373Z", "2020-02-24T18:13:08.373Z"),
            ("2020-04-01T23:00:30Z", "2020-04-01T23:00:30Z"),
            ("2020-04-01T18:00:30-05:00", "2020-04-01T23:00:30Z"),
            ("1933-02-26T00:00:00Z", "1933-02-26T00:00:00Z"),
            ("1990-04-12", "1990-04-12T00:00:00Z"),
            ("2020-04-01T23:00:30.1234567891Z", "2020-04-01T23:00:30.123456789Z"),
        ])
    func timestamps(text: String, expected: String) throws {
        #expect(try #require(Timestamp(parsing: text)).description == expected)
    }

    @Test(
        "malformed timestamps are refused",
        arguments: ["", "2020-13-01T00:00:00Z", "2020-04-01T23:00:30", "2020-04-01T23:00:30.Z", "yesterday"])
    func badTimestamps(text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    @Test("a Truora check decodes tolerantly: old homonym_score, string numbers, Input, extra fields")
    func tolerantCheck() throws {
        let json = """
            {"check_id":"CHK429a0a41c683451bc40146b297748932","country":"CO","type":"credit-person","status":"completed",
             "creation_date":"2020-02-22T17:09:45.414Z","update_date":"2019-08-08T19:48:03.81398584Z",
             "national_id":"1151953477","first_name":"DIANA","date_of_birth":"1933-02-26T00:00:00Z",
             "score":"0.9","id_score":1,"homonym_score":0.9,"billing_hub":"x",
             "wrong_inputs":[{"Input":"document_expedition_date"}],
             "summary":{"identity_status":"found","drivers_license":{"status":"ACTIVA"}},
             "scores":[{"data_set":"criminal_record","result":"found","score":1,"severity":"none"}]}
            """
        let check = try JSONDecoder().decode(TruoraCheck.self, from: Data(json.utf8))
        #expect(check.score == 0.9 && check.nameScore == 0.9 && check.idScore == 1)
        #expect(check.type == "credit-person")
        #expect(check.inputs["national_id"] == "1151953477")
        #expect(check.wrongInputs == [WrongInput(input: "document_expedition_date")])
        #expect(check.summary?["drivers_license"]?["status"] == "ACTIVA")
        let error = try JSONDecoder().decode(
            TruoraErrorBody.self, from: Data(#"{"code":"10404","http_code":404,"message":"x"}"#.utf8))
        #expect(error.code == .number(10404))
        let config = try JSONDecoder().decode(
            TruoraConfig.self,
            from: Data(
                #"{"score_configs":{"CO":{"t":[{"data_set":"criminal_record","weight":"0.6"}]}}}"#.utf8))
        #expect(config.scoreConfigs["CO"]?["t"]?.first?.weight.value == 0.6)
        let profiles = try JSONDecoder().decode(
            TruliooProfilesPage.self, from: Data(#"[{"id":"a","status":"ACCEPTED"}]"#.utf8))
        #expect(profiles.profiles.first?.clientId == "a" && profiles.last)
    }

    @Test("form bodies escape and parse back")
    func forms() {
        var form = FormBody()
        form.append("first_name", "José María")
        form.append("email", "a+b@x.co")
        form.append("columns_mapping.national_id", "0")
        #expect(form.encoded == "first_name=Jos%C3%A9+Mar%C3%ADa&email=a%2Bb%40x.co&columns_mapping.national_id=0")
        #expect(FormBody.parse(form.encoded) == form)
        #expect(TruoraClient.startKey(fromNext: "/v1/checks?start_key=CHKabc&report_id=x") == "CHKabc")
        #expect(TruoraClient.startKey(fromNext: "") == nil)
    }

    @Test("Retry-After: seconds and the three HTTP-date forms")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 784_111_777 - 10)  // 10 s before Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120") == .seconds(120))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: now) == .seconds(10))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now.addingTimeInterval(60)) == .zero)
        #expect(RetryAfter.parse("soon") == nil)
        #expect(RetryAfter.parse("-5") == nil)
    }

    @Test("full-jitter backoff stays within min(cap, base·2^n)")
    func backoff() {
        let policy = RetryPolicy(base: .seconds(1), cap: .seconds(30), maxAttempts: 8)
        #expect(policy.backoff(afterAttempt: 1, random: 1) == .seconds(1))
        #expect(policy.backoff(afterAttempt: 3, random: 1) == .seconds(4))
        #expect(policy.backoff(afterAttempt: 7, random: 1) == .seconds(30))
        #expect(policy.backoff(afterAttempt: 7, random: 0) == .zero)
        #expect(policy.backoff(afterAttempt: 2, random: 0.5) == .seconds(1))
    }

    @Test("IDs in provider messages are masked to their last four digits")
    func redaction() {
        #expect(Redact.digits(in: "national_id 1032456780 is invalid") == "national_id •••6780 is invalid")
        #expect(Redact.digits(in: "code 10400, row 12") == "code 10400, row 12")
        let error = ProviderError(
            provider: "truora", operation: "create check", kind: .http, status: 400,
            message: "CPF 11144477735 invalid", retrySafe: false)
        #expect(!error.description.contains("11144477735"))
    }

    @Test("fault specs parse as DESIGN writes them, and mistakes are named")
    func faultSpecs() throws {
        let plan = try FaultPlan(
            parsing: "503:5%,429:2%:retry-after=1,reset:1%@POST /v1/checks,401:once,hang:first=2@GET,slow:10%:delay=2s")
        #expect(plan.rules.count == 6)
        #expect(plan.rules[0].kind == .status(503) && plan.rules[0].rate == .percent(5))
        #expect(plan.rules[1].retryAfter == .seconds(1))
        #expect(
            plan.rules[2].kind == .reset && plan.rules[2].method == "POST" && plan.rules[2].pathPrefix == "/v1/checks")
        #expect(plan.rules[3].rate == .once)
        #expect(plan.rules[4].rate == .first(2) && plan.rules[4].method == "GET" && plan.rules[4].pathPrefix == nil)
        #expect(plan.rules[5].delayMilliseconds == 2000)
        #expect(try FaultPlan(parsing: plan.description) == plan)
        for bad in ["503", "418:5%", "503:150%", "500:5%:retry-after=1", "reset:once@nowhere", "slow:1%:delay=soon"] {
            #expect(throws: FaultPlan.Problem.self) { try FaultPlan(parsing: bad) }
        }
    }
}
