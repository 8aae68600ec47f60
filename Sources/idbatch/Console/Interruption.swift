import Dispatch
import Spreadsheet

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

    static func install() {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeAll()
                FileHandleOutput.stderr("\nidbatch: interrupted; no partial output was left\n")
                exit(128 + signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }
}
