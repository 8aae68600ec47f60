@testable import CheckInputs
import Foundation
import FuzzTargets
import Testing

/// Every input the fuzzers kept (`Fuzz/corpus/TARGET/`), and every crash they found, replayed
/// through its target: seconds, in CI, where the fuzzing itself is not.
@Suite("fuzz corpora, replayed")
struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    @Test("each target's corpus runs through it without a crash", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) throws {
        let folder = Self.corpus + "/" + target.rawValue
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(!names.isEmpty, "the \(target.rawValue) corpus is empty")
        for name in names {
            target.run(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
        }
    }

    @Test("a YAML alias bomb is refused quickly, not expanded")
    func aliasBomb() throws {
        let text = try String(contentsOfFile: Self.corpus + "/jobfile/alias-bomb.yaml", encoding: .utf8)
        let started = ContinuousClock.now
        #expect(throws: JobFile.Problem.self) { try JobFile.parse(text, file: "bomb.yaml") }
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test("an alias used as a mapping key (found by the fuzzer: 0.75 s in the YAML library per file) is refused before parsing",
          arguments: ["regression-alias-as-key.yaml", "regression-alias-key-timeout.yaml"])
    func aliasAsKey(name: String) throws {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.corpus + "/jobfile/" + name)), as: UTF8.self)
        let started = ContinuousClock.now
        #expect(throws: JobFile.Problem.self) { try JobFile.parse(text, file: name) }
        #expect(ContinuousClock.now - started < .milliseconds(200))
    }

    @Test("aliases are counted as YAML sees them: not in quotes, comments or header text with a star")
    func aliasCount() {
        #expect(JobFile.aliasCount("a: &x 1\nb: *x\nc: [*x, *x]\n") == 3)
        #expect(JobFile.aliasCount("national_id: \"Cédula *\"\n# *not *counted\nname: 'a *b'\nx: Documento *\n") == 0)
        #expect(JobFile.aliasCount("a: O'Connor\nb: *x\n") == 1)
    }
}
