import ArgumentParser
import Foundation
import Pipeline
import Spreadsheet
import Synchronization

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

    /// Prints the error and returns the exit code its code maps to (``ExitStatus``, the one place).
    static func fail(_ error: SpreadsheetError) -> ExitCode {
        FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
        return ExitCode(ExitStatus.code(for: error.code.rawValue))
    }

    static func fail(_ error: PipelineError) -> ExitCode {
        FileHandleOutput.stderr("idbatch: error: \(error.description)\n")
        return ExitCode(error.exitCode)
    }

    /// `1m05s`, `42s`, `1h02m`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
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

/// A run's progress on stderr: on a terminal one line redrawn in place a few times a second;
/// elsewhere (cron, journald) a plain line every few seconds, so logs stay readable. No colour.
final class RunProgressView: Sendable {
    private let terminal = Console.stderrIsTerminal
    private let every: Duration
    private let last: Mutex<ContinuousClock.Instant?>

    /// Off a terminal the first line comes only after `plainEvery`, so a short run logs nothing but its summary.
    init(plainEvery: Duration = .seconds(5)) {
        every = plainEvery
        last = Mutex(Console.stderrIsTerminal ? nil : ContinuousClock.now)
    }

    func show(_ progress: RunProgress) {
        let now = ContinuousClock.now
        let due = last.withLock { last -> Bool in
            if let previous = last, now - previous < (terminal ? .milliseconds(250) : every) { return false }
            last = now
            return true
        }
        guard due else { return }
        let name = progress.file.split(separator: "/").last.map(String.init) ?? progress.file
        var text = "\(name): \(progress.phase.rawValue)"
        switch progress.phase {
        case .counting: text += " rows"
        case .health: text += " of Truora's databases"
        case .writing: text += " the report"
        case .sending, .waiting:
            let what = progress.phase == .sending ? "rows" : "results"
            text += " \(progress.done)\(progress.total.map { "/\($0)" } ?? "") \(what)"
            text += String(format: " (%.1f/s", progress.rate)
            if let eta = progress.eta { text += ", ETA \(Console.clock(eta))" }
            text += ")"
            if progress.phase == .sending {
                text += " ok \(progress.ok) failed \(progress.failed) pending \(progress.pending)"
            }
        }
        FileHandleOutput.stderr(terminal ? "\r\u{1B}[K\(text)" : "idbatch: \(text)\n")
    }

    /// Clears the live line before the summary is printed.
    func finish() {
        if terminal { FileHandleOutput.stderr("\r\u{1B}[K") }
    }
}
