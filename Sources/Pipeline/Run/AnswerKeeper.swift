import Foundation
import ProviderAPI
import Spreadsheet

/// Keeps provider answers idbatch could not use, for a support ticket: each in its own 0600 file
/// under `STATE/answers/`, with digit runs and tokens masked (``Redact/answer(_:)``), at most
/// ``limit`` per process so a provider that changed its answers cannot fill the disk.
public final class AnswerKeeper: @unchecked Sendable {
    // @unchecked: `kept` is read and written only under `lock`.
    private let lock = NSLock()
    private var kept = 0
    public let directory: String
    public static let limit = 50

    public init(stateDirectory: String) {
        directory = stateDirectory + "/answers"
    }

    /// Writes one answer; failures to write are ignored (the row's error says what happened).
    public func keep(operation: String, status: Int, body: [UInt8]) {
        lock.lock()
        guard kept < Self.limit else {
            lock.unlock()
            return
        }
        kept += 1
        let number = kept
        lock.unlock()
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let slug = String(operation.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        let text = "operation: \(operation)\nstatus: \(status)\n\n"
            + Redact.answer(String(decoding: body.prefix(64 * 1024), as: UTF8.self)) + "\n"
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? PrivateFile.write(text, to: "\(directory)/\(stamp)-\(ProcessInfo.processInfo.processIdentifier)-\(number)-\(slug).txt")
    }

    /// The closure a client's executor calls.
    public var sink: @Sendable (String, Int, [UInt8]) -> Void {
        { [self] operation, status, body in keep(operation: operation, status: status, body: body) }
    }
}
