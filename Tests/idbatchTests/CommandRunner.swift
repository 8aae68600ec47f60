import Foundation

/// Runs the built `idbatch` binary and captures what a user would see.
struct CommandResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

enum CommandRunner {
    /// The `idbatch` next to the test bundle (or `IDBATCH_BINARY`).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["IDBATCH_BINARY"] { return path }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("idbatch").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("idbatch").path
    }

    /// Runs `idbatch` to its end. `environment` is added to this process's, without any provider
    /// credential or base URL of its own (a test names those it wants).
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
        -> CommandResult
    {
        try start(arguments, in: directory, environment: environment).finish()
    }

    /// ``run(_:in:environment:)`` for tests whose sandbox lives in the test process: the wait for
    /// the child happens on a thread of its own, so the sandbox's tasks keep the cooperative pool
    /// (blocking two of its threads, on two cores, would leave the child no one to answer it).
    static func running(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:])
        async throws -> CommandResult
    {
        try await start(arguments, in: directory, environment: environment).finished()
    }

    /// Starts `idbatch` and returns at once, so a test can signal or kill it.
    static func start(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws
        -> Running
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TRUORA_") && !$0.key.hasPrefix("TRULIOO_") }
        variables.merge(environment) { $1 }
        process.environment = variables
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let running = Running(process: process)
        process.standardOutput = running.out
        process.standardError = running.err
        try process.run()
        return running
    }

    /// A started `idbatch`.
    struct Running {
        let process: Process
        let out = Pipe()
        let err = Pipe()

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        /// ``finish()`` on a thread of its own, leaving the cooperative pool free.
        func finished() async -> CommandResult {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: finish()) }.start()
            }
        }

        /// Waits for it to end and returns what it printed.
        func finish() -> CommandResult {
            // Both pipes are drained at once, so a chatty child never blocks on a full pipe.
            nonisolated(unsafe) var stderr = Data()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
                stderr = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            return CommandResult(exitCode: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                 stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    /// A checked-in spreadsheet fixture (shared with the Spreadsheet tests).
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SpreadsheetTests/Fixtures/\(name)").path
    }

    static func scratchDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("idbatch-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}
