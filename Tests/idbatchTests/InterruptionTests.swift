import Foundation
import Testing

@Suite("Interrupting idbatch")
struct InterruptionTests {
    @Test("SIGTERM in the middle of a conversion leaves no file behind, not even a temporary one")
    func killMidConversion() throws {
        let directory = try CommandRunner.scratchDirectory()
        let input = directory + "/big.csv"
        var text = "cedula;nombre;nota\n"
        text.reserveCapacity(40 << 20)
        for i in 0..<400_000 { text += "\(1_000_000_000 + i);Persona Número \(i);nota larga de la fila \(i) con texto\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: input))
        let outputs = try CommandRunner.scratchDirectory()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.binary)
        process.arguments = ["convert", input, "--to", "xlsx", "-o", outputs + "/big.xlsx"]
        process.standardError = Pipe()
        try process.run()
        // Wait until the temporary output exists, so the kill lands mid-write.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: outputs), !names.isEmpty { break }
            usleep(10_000)
        }
        usleep(200_000)
        #expect(process.isRunning, "the conversion should still be running when it is killed")
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outputs).isEmpty)
    }
}
