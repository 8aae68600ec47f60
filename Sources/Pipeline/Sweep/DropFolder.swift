import Foundation
import Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// A drop folder's layout: people (or SFTP) put files in `inbox/`; a sweep claims each by renaming
/// it into `processing/`, runs it, and moves it to `processed/YYYY-MM-DD/` (its reports in
/// `reports/YYYY-MM-DD/`) or to `failed/` with `NAME.error.txt`. Every move is a rename inside the
/// folder, so a file is always whole in exactly one place.
public struct DropFolder: Sendable {
    public let root: String

    public init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    public var inbox: String { root + "/inbox" }
    public var processing: String { root + "/processing" }
    public var failed: String { root + "/failed" }
    public func processed(_ day: String) -> String { root + "/processed/" + day }
    public func reports(_ day: String) -> String { root + "/reports/" + day }

    /// Creates the folders that are missing (0700: everything here is personal data).
    func ensure(day: String) throws(PipelineError) {
        for folder in [inbox, processing, failed, processed(day), reports(day)] {
            try Self.makeFolder(folder)
        }
    }

    static func makeFolder(_ path: String) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw PipelineError(PipelineError.stateUnusable, "the drop folder cannot be created", file: path)
        }
    }

    /// Regular files directly in `folder`, by name.
    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().filter { name in
            var info = stat()
            return lstat(folder + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }

    /// Renames `from` into `folder` under its own name, or `NAME-2.EXT`… when that is taken.
    /// Returns the new path.
    @discardableResult
    static func move(_ from: String, into folder: String) throws(PipelineError) -> String {
        let name = from.split(separator: "/").last.map(String.init) ?? from
        var target = folder + "/" + name
        var suffix = 2
        while FileManager.default.fileExists(atPath: target) {
            let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
            let stem = dot.map { String(name[..<$0]) } ?? name
            let ext = dot.map { String(name[$0...]) } ?? ""
            target = folder + "/" + stem + "-\(suffix)" + ext
            suffix += 1
        }
        guard rename(from, target) == 0 else {
            throw PipelineError(PipelineError.stateUnusable,
                                "cannot move the file into \(folder) (\(String(cString: strerror(errno))))", file: from)
        }
        return target
    }

    /// Writes a short note beside a file (`NAME.error.txt`, `NAME.note.txt`), 0600.
    static func note(_ text: String, beside path: String, suffix: String) {
        try? PrivateFile.write(text + "\n", to: path + suffix)
    }

    /// What a sweep does with a file in the inbox.
    enum Readiness: Equatable {
        /// Not ours to touch: dotfiles, temporary and partial uploads, Excel's lock files, markers.
        case ignored
        /// Still being written (changed within the settle time, no marker).
        case waiting
        /// Not a spreadsheet: moved to `failed/` with the reason.
        case notSpreadsheet
        case ready
    }

    static let spreadsheetExtensions: Set<String> = ["csv", "tsv", "txt", "xlsx", "xlsm"]

    static func readiness(name: String, folder: String, now: Date, settle: Duration) -> Readiness {
        let lower = name.lowercased()
        if name.hasPrefix(".") || name.hasPrefix("~$") || name == "DONE" || lower.hasSuffix(".tmp")
            || lower.hasSuffix(".part") || lower.hasSuffix(".done") || lower.hasSuffix(".crdownload")
        {
            return .ignored
        }
        let ext = lower.split(separator: ".").count > 1 ? String(lower.split(separator: ".").last!) : ""
        guard spreadsheetExtensions.contains(ext) else { return .notSpreadsheet }
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: folder + "/" + name + ".done") || fileManager.fileExists(atPath: folder + "/DONE") {
            return .ready
        }
        var info = stat()
        guard stat(folder + "/" + name, &info) == 0 else { return .waiting }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return now.timeIntervalSince1970 - modified >= settle.seconds ? .ready : .waiting
    }
}

/// The exclusive lock a sweep holds on its state folder for the whole pass. The kernel lets go of
/// it when the process ends, however it ends, so a lock left by a killed sweep is simply taken.
public final class SweepLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock, or throws `lock_held` (exit 75) naming the holder's pid.
    public static func acquire(stateDirectory: String) throws(PipelineError) -> SweepLock {
        try DropFolder.makeFolder(stateDirectory)
        let path = stateDirectory + "/sweep.lock"
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PipelineError(PipelineError.stateUnusable, "the sweep lock cannot be opened", file: path)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, 31, 0)
            close(fd)
            let pid = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw PipelineError("lock_held", "another sweep is running (pid \(pid.isEmpty ? "?" : pid)); "
                                + "this one exits and the next timer tries again", file: path)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        return SweepLock(fd: fd)
    }
}
