import CheckInputs
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
}
