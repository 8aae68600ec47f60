import Dispatch
import Pipeline
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

    /// The first Ctrl-C or SIGTERM stops the run gracefully (no new rows; calls in flight finish;
    /// reports are written); a second one quits at once, which the ledger survives.
    static func stopGracefully(_ control: RunControl) {
        let signals = Mutex(0)
        takeOver { signalNumber in
            let count = signals.withLock { count -> Int in
                count += 1
                return count
            }
            if count == 1 {
                control.stop(.interrupted)
                FileHandleOutput.stderr("\nidbatch: stopping: no new rows; finishing the calls in flight and "
                                        + "writing the reports (press Ctrl-C again to quit now)\n")
            } else {
                TemporaryFiles.removeAll()
                FileHandleOutput.stderr("\nidbatch: quit; run the same file again to resume\n")
                exit(128 + signalNumber)
            }
        }
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
