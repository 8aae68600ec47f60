import ArgumentParser
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// Messages for people on stderr; results stay on stdout.
enum Console {
    static func note(_ message: String) {
        FileHandleOutput.stderr("idbatch: \(message)\n")
    }

    static func warning(_ message: String) {
        FileHandleOutput.stderr("idbatch: warning: \(message)\n")
    }

    /// `1.234 s` for a duration.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction) s"
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 && getenv("TERM").map { String(cString: $0) } != "dumb" }

    /// Prints the error and returns the exit code it maps to (sysexits).
    static func fail(_ error: SpreadsheetError) -> ExitCode {
        FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
        switch error.code {
        case .fileMissing: return ExitCode(66)
        case .writeFailed: return ExitCode(73)
        default: return ExitCode(65)
        }
    }
}

enum FileHandleOutput {
    static func stderr(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func stdout(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }
}

/// A progress line on stderr, redrawn at most a few times a second, only on a terminal.
struct Progress {
    private let enabled = Console.stderrIsTerminal
    private var last = ContinuousClock.now

    mutating func update(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - last > .milliseconds(250) else { return }
        last = now
        FileHandleOutput.stderr("\r\u{1B}[K\(text())")
    }

    func finish() {
        if enabled { FileHandleOutput.stderr("\r\u{1B}[K") }
    }
}
