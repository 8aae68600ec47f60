#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading by descriptor; closed when released.
final class InputFile {
    private let fd: Int32
    let path: String

    init(path: String) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 {
            throw SpreadsheetError(errno == ENOENT ? .fileMissing : .readFailed,
                                   errno == ENOENT ? "the file does not exist" : "the file cannot be read")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw SpreadsheetError(.readFailed, "this is a folder, not a file")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw SpreadsheetError(.readFailed, "the file cannot be opened for reading") }
    }

    deinit { close(fd) }

    /// Reads up to `buffer.count` bytes; 0 at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SpreadsheetError(.readFailed, "reading the file failed (errno \(errno))")
        }
    }

    /// The first `count` bytes (fewer when the file is shorter), leaving the position at the start.
    static func prefix(of path: String, count: Int) throws -> [UInt8] {
        let file = try InputFile(path: path)
        var bytes = [UInt8](repeating: 0, count: count)
        let n = try bytes.withUnsafeMutableBytes { try file.read(into: $0) }
        return Array(bytes[0..<n])
    }
}

/// Output written the safe way: a 0600 temporary file in the same folder, fsynced, then renamed
/// over the destination and the folder fsynced. Readers never see half a file; a failure removes it.
final class AtomicOutput {
    let destination: String
    let temporaryPath: String
    private(set) var fd: Int32
    private var committed = false

    init(destination: String) throws {
        self.destination = destination
        let directory = AtomicOutput.directory(of: destination)
        let base = destination.split(separator: "/").last.map(String.init) ?? destination
        // mkstemp replaces the six trailing X's with a unique suffix.
        let suffix = String(repeating: "X", count: 6)
        var template = Array("\(directory)/.\(base).tmp-\(suffix)".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw SpreadsheetError(.writeFailed, "cannot create a file in '\(directory)' (errno \(errno))",
                                   file: destination)
        }
        fchmod(fd, 0o600)
        self.fd = fd
        self.temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        TemporaryFiles.register(temporaryPath)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
        TemporaryFiles.unregister(temporaryPath)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(.writeFailed, "writing failed (errno \(errno))", file: destination)
            }
            offset += n
        }
    }

    /// Makes the file durable and gives it its final name.
    func commit() throws {
        guard fsync(fd) == 0 else {
            throw SpreadsheetError(.writeFailed, "fsync failed (errno \(errno))", file: destination)
        }
        close(fd)
        fd = -1
        guard rename(temporaryPath, destination) == 0 else {
            throw SpreadsheetError(.writeFailed, "cannot rename into place (errno \(errno))", file: destination)
        }
        committed = true
        let dir = open(AtomicOutput.directory(of: destination), O_RDONLY | O_DIRECTORY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }

    /// Closes the descriptor without renaming (for a library that writes the temporary path itself).
    func closeDescriptor() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// After a library wrote `temporaryPath` itself: fsync it and rename it into place.
    func commitWrittenByPath() throws {
        let reopened = open(temporaryPath, O_RDONLY)
        guard reopened >= 0 else {
            throw SpreadsheetError(.writeFailed, "the written file vanished", file: destination)
        }
        fd = reopened
        try commit()
    }

    /// Removes the temporary file.
    func discard() {
        if fd >= 0 { close(fd) }
        fd = -1
        if !committed { unlink(temporaryPath) }
        committed = true
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Small files (summaries, job skeletons) written like reports: 0600, temporary name, fsync, rename.
public enum PrivateFile {
    public static func write(_ text: String, to path: String) throws {
        var text = text
        try text.withUTF8 { try write(bytes: UnsafeRawBufferPointer($0), to: path) }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try bytes.withUnsafeBytes { try write(bytes: $0, to: path) }
    }

    private static func write(bytes: UnsafeRawBufferPointer, to path: String) throws {
        let output = try AtomicOutput(destination: path)
        do {
            try output.write(bytes)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }
}
