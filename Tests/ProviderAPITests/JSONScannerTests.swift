import Foundation
@testable import ProviderAPI
import Sandbox
import Testing

/// The check brief read from bytes must be exactly what JSONDecoder makes of the same answer,
/// or nothing (then JSONDecoder decides).
@Suite("JSON read without JSONDecoder")
struct JSONScannerTests {
    static func decoded(_ json: String) -> TruoraCheckBrief? {
        try? JSONDecoder().decode(TruoraCheckBrief.self, from: Data(json.utf8))
    }

    static func same(_ a: TruoraCheckBrief, _ b: TruoraCheckBrief) -> Bool {
        func equal(_ x: Double?, _ y: Double?) -> Bool { x == y || (x?.isNaN == true && y?.isNaN == true) }
        return a.checkID == b.checkID && a.status == b.status && equal(a.score, b.score)
            && equal(a.idScore, b.idScore) && equal(a.nameScore, b.nameScore)
    }

    @Test("a sandbox answer and Truora's documented one read the same both ways")
    func answers() throws {
        let answers = [
            #"{"check":{"check_id":"CHK1a2b","status":"completed","score":0.85,"id_score":1,"name_score":"0.5","country":"CO","scores":[{"data_set":"criminal_record","score":1}],"statuses":[]}}"#,
            #"{"check": {"check_id": "CHK\u00e9\ud83d\ude00\n", "status": null, "homonym_score": 0.3, "score": -1}, "self": "https://api.checks.truora.com/v1/checks/CHK"}"#,
            #"  {"other":[1,2.5e3,{"a":[true,false,null]}],"check":{"check_id":"x","status":"in_progress","score":"n/a"}}  "#,
        ]
        for answer in answers {
            let fast = try #require(TruoraCheckBrief(scanning: Array(answer.utf8)))
            let slow = try #require(Self.decoded(answer))
            #expect(Self.same(fast, slow), "\(answer)")
        }
        let emoji = TruoraCheckBrief(scanning: Array(answers[1].utf8))
        #expect(emoji?.checkID == "CHKé😀\n" && emoji?.status == "" && emoji?.nameScore == 0.3)
    }

    @Test("what the scanner does not take exactly as JSONDecoder would, it leaves to JSONDecoder", arguments: [
        #"{"check":{"check_id":"a"}} x"#, #"{"check":{"check_id":"a",}}"#, #"{"check":{"check_id":1}}"#,
        #"{"check":{"check_id":"a","status":3}}"#, #"{"check":{"check_id":"a","score":1e400}}"#,
        #"{"check":{"check_id":"a","check_id":"b"}}"#, #"{"check":{"check_id":"a"},"check":{}}"#,
        #"{"check":[]}"#, #"{"check":{"check_id":"\ud800"}}"#, "{\"check\":{\"check_id\":\"a\tb\"}}",
        #"{"check":{"check_id":"a","score":01}}"#, #"{"check":{"check_id":"a","score":-}}"#, "\u{FEFF}{}",
        #"{"check":{"check_id":"a","x":[1,]}}"#, #"{"check":{"check_id":"a","x":tru}}"#, "",
    ])
    func refused(_ answer: String) {
        #expect(TruoraCheckBrief(scanning: Array(answer.utf8)) == nil)
    }

    @Test("20,000 generated answers, well-formed and broken: the scanner agrees with JSONDecoder or stays out")
    func generated() {
        var random = SeededGenerator(seed: 20261203)
        var taken = 0
        for _ in 0..<20_000 {
            let (json, clean) = Self.answer(&random)
            let fast = TruoraCheckBrief(scanning: Array(json.utf8))
            let slow = Self.decoded(json)
            if let fast {
                taken += 1
                #expect(slow.map { Self.same(fast, $0) } == true, "\(json)")
            } else if clean {
                // A well-formed answer with nothing unusual is always read by the scanner.
                #expect(slow == nil, "\(json)")
            }
        }
        #expect(taken > 5_000)
    }

    /// A check answer with random fields, values and whitespace, sometimes broken by a byte edit.
    /// `clean` says nothing unusual was put in (no repeats, no broken bytes).
    static func answer(_ random: inout SeededGenerator) -> (String, clean: Bool) {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func space() -> String { pick(["", "", " ", "\n  ", "\t"]) }
        func text() -> String {
            pick(["\"\"", "\"CHK0a\"", "\"caf\\u00e9\"", "\"a\\\"b\\\\c\\/d\"", "\"\\ud83d\\ude00\"", "\"ñandú\"",
                  "\"0.75\"", "\"1e2\"", "\"nan\"", "\" 1\"", "\"línea\\nnueva\""])
        }
        func scalar() -> String {
            pick([text(), "0", "-0", "1", "0.5", "-1", "1E-3", "2.5e+2", "123456789012345678901", "true", "false",
                  "null", "[]", "{}", "[1, {\"a\": null}]", "{\"x\": [\"y\", 2]}"])
        }
        var check: [String] = []
        var clean = true
        for key in ["check_id", "status", "score", "id_score", "name_score", "homonym_score", "country", "scores"]
        where random.next() % 4 != 0 {
            // Mostly strings where the model wants them, so most answers get through.
            let value = (key == "check_id" || key == "status") && random.next() % 5 != 0 ? text() : scalar()
            check.append("\"\(key)\"\(space()):\(space())\(value)")
        }
        if random.next() % 10 == 0 {
            check.append("\"score\":\(scalar())")
            clean = false
        }
        check.shuffle(using: &random)
        var top = ["\"check\":\(space()){\(check.joined(separator: ",\(space())"))}"]
        if random.next() % 2 == 0 { top.append("\"self\":\(space())\(scalar())") }
        top.shuffle(using: &random)
        var json = Array("\(space()){\(top.joined(separator: ","))}\(space())".utf8)
        if random.next() % 5 == 0, !json.isEmpty {
            let at = Int(random.next() % UInt64(json.count))
            switch random.next() % 3 {
            case 0: json.remove(at: at)
            case 1: json.insert(pick(Array("{}[],:\"\\0-e. x".utf8)), at: at)
            default: json.removeSubrange(at...)
            }
            clean = false
        }
        return (String(decoding: json, as: UTF8.self), clean)
    }
}
