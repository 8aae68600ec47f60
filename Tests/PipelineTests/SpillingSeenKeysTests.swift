import CheckInputs
import Foundation
@testable import Pipeline
import Testing

@Suite("IDs remembered for duplicates")
struct SpillingSeenKeysTests {
    @Test("past the memory limit the keys move to a scratch file that nobody sees; answers stay the same")
    func spills() throws {
        let folder = NSTemporaryDirectory() + "/idbatch-seen-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let seen = SpillingSeenKeys(directory: folder, memoryLimit: 100)
        var generator = SystemRandomNumberGenerator()
        let keys = (0..<1_000).map { _ in Int.random(in: .min ... .max, using: &generator) }
        for (row, key) in keys.enumerated() { #expect(seen.firstRow(for: key, row: row + 2) == nil) }
        #expect(seen.spilled)
        // The file was unlinked as soon as it was opened.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        // Every key, whether it was remembered in memory (the first 100) or in the file, names its first row.
        for (row, key) in keys.enumerated().reversed() { #expect(seen.firstRow(for: key, row: 5_000) == row + 2) }
        #expect(seen.firstRow(for: 42, row: 6_000) == nil || keys.contains(42))
    }

    @Test("a folder that cannot hold the file leaves the keys in memory")
    func unwritable() {
        let seen = SpillingSeenKeys(directory: "/nonexistent/idbatch", memoryLimit: 10)
        for key in 0..<50 { #expect(seen.firstRow(for: key, row: key) == nil) }
        #expect(!seen.spilled)
        for key in 0..<50 { #expect(seen.firstRow(for: key, row: 99) == key) }
    }
}
