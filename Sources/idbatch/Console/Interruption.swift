import Dispatch
import Spreadsheet
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C and SIGTERM: remove the temporary files of outputs being written, then exit with the
/// conventional 128 + signal number. The handler runs on a dispatch queue, not in signal context,
/// so it may take locks and allocate.
enum Interruption {
    // nonisolated(unsafe): written once by `install()` at start-up, before any other task runs;
    // it only keeps the sources alive.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    /// A command that stops gracefully on a signal (the sandbox) takes the signal instead.
    private static let takeover = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// Hands SIGINT, SIGTERM and SIGHUP to `handler` instead of exiting.
    static func takeOver(_ handler: @escaping @Sendable (Int32) -> Void) {
        takeover.withLock { $0 = handler }
    }

    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if let handler = takeover.withLock({ $0 }) {
                    handler(signalNumber)
                    return
                }
                TemporaryFiles.removeAll()
                FileHandleOutput.stderr("\nidbatch: interrupted; no partial output was left\n")
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
