internal import CLibzip
import Synchronization

/// Bytes inflated from one file, shared by every archive handle opened on it (one per thread), so
/// the total cap holds however the parts are read.
final class InflateBudget: Sendable {
    private let used = Atomic<Int64>(0)

    /// Adds `bytes`; returns the new total.
    func add(_ bytes: Int64) -> Int64 {
        used.add(bytes, ordering: .relaxed).newValue
    }
}

/// A read-only zip archive with the caps of ``ReadLimits`` enforced on the bytes actually inflated.
///
/// The only file that touches libzip. Not `Sendable`: one reader owns it.
final class ZipArchive {
    private let handle: OpaquePointer
    let path: String
    let limits: ReadLimits
    /// Entry names in the archive's order.
    let entryNames: [String]
    private var lowercasedIndex: [String: Int] = [:]
    /// Bytes inflated from every part of the file read so far, across handles.
    let budget: InflateBudget

    /// Opens `path`; `budget` is shared with other handles on the same file.
    init(path: String, limits: ReadLimits, budget: InflateBudget = InflateBudget()) throws {
        self.path = path
        self.limits = limits
        self.budget = budget
        var errorCode: Int32 = 0
        guard let handle = zip_open(path, ZIP_RDONLY, &errorCode) else {
            throw ZipArchive.openError(code: errorCode, path: path)
        }
        self.handle = handle
        let count = zip_get_num_entries(handle, 0)
        guard count >= 0 else {
            zip_discard(handle)
            throw SpreadsheetError(.corruptZip, "the zip directory cannot be read; the file is damaged or truncated")
        }
        guard count <= Int64(limits.maxEntries) else {
            zip_discard(handle)
            throw SpreadsheetError(.tooManyEntries,
                                   "the zip holds \(count) entries, more than the limit of \(limits.maxEntries) "
                                   + "(raise it with --max-entries if the file is trusted)")
        }
        var names: [String] = []
        names.reserveCapacity(Int(count))
        var index: [String: Int] = [:]
        for i in 0..<Int(count) {
            let name = zip_get_name(handle, zip_uint64_t(i), zip_flags_t(ZIP_FL_ENC_GUESS)).map { String(cString: $0) } ?? ""
            let key = ZipArchive.partKey(name)
            if index[key] != nil {
                zip_discard(handle)
                throw SpreadsheetError(.duplicateEntry,
                                       "the zip holds two parts named '\(name)' (names differ only in case); "
                                       + "a valid workbook never does", part: name)
            }
            index[key] = i
            names.append(name)
        }
        self.entryNames = names
        self.lowercasedIndex = index
    }

    deinit { zip_discard(handle) }

    /// Part names compare case-insensitively and without a leading slash (OPC, ECMA-376 Part 2).
    static func partKey(_ name: String) -> String {
        // Some writers store Windows separators (`xl\\workbook.xml`).
        let name = name.contains("\\") ? name.replacingBackslashes() : name
        var n = Substring(name)
        while n.hasPrefix("/") { n = n.dropFirst() }
        return n.lowercased()
    }

    func contains(_ name: String) -> Bool { lowercasedIndex[ZipArchive.partKey(name)] != nil }

    /// Opens a part for streaming, or returns nil when it does not exist.
    func open(_ name: String) throws -> ZipEntryReader? {
        guard let index = lowercasedIndex[ZipArchive.partKey(name)] else { return nil }
        var stat = zip_stat_t()
        zip_stat_init(&stat)
        guard zip_stat_index(handle, zip_uint64_t(index), 0, &stat) == 0 else {
            throw SpreadsheetError(.corruptZip, "the part's zip header cannot be read", part: name)
        }
        let compressed = (stat.valid & zip_uint64_t(ZIP_STAT_COMP_SIZE)) != 0 ? Int64(stat.comp_size) : 0
        let declared = (stat.valid & zip_uint64_t(ZIP_STAT_SIZE)) != 0 ? Int64(stat.size) : nil
        guard let file = zip_fopen_index(handle, zip_uint64_t(index), 0) else {
            let message = String(cString: zip_strerror(handle))
            if zip_error_code_zip(zip_get_error(handle)) == ZIP_ER_NOPASSWD
                || zip_error_code_zip(zip_get_error(handle)) == ZIP_ER_ENCRNOTSUPP {
                throw SpreadsheetError(.encrypted, "the part is encrypted", part: name)
            }
            throw SpreadsheetError(.corruptZip, "the part cannot be opened (\(message))", part: name)
        }
        return ZipEntryReader(archive: self, file: file, name: name, compressedSize: compressed, declaredSize: declared)
    }

    /// Reads a whole (small) part into memory, within the limits.
    func readAll(_ name: String) throws -> [UInt8]? {
        guard let reader = try open(name) else { return nil }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// A second handle on the same file, for reading a part on another thread (a libzip handle
    /// must not be shared between threads), counting against the same total.
    func reopen() throws -> ZipArchive {
        try ZipArchive(path: path, limits: limits, budget: budget)
    }

    fileprivate func add(inflated: Int, part: String) throws {
        if budget.add(Int64(inflated)) > limits.maxTotalBytes {
            throw SpreadsheetError(.zipBomb,
                                   "the parts inflate to more than \(limits.maxTotalBytes >> 20) MiB in total "
                                   + "(raise --max-total-mib if the file is trusted)", part: part)
        }
    }

    private static func openError(code: Int32, path: String) -> SpreadsheetError {
        switch code {
        case ZIP_ER_NOENT:
            return SpreadsheetError(.fileMissing, "the file does not exist")
        case ZIP_ER_OPEN, ZIP_ER_READ:
            return SpreadsheetError(.readFailed, "the file cannot be opened for reading")
        case ZIP_ER_NOZIP:
            // The file starts like a zip (the format was sniffed) but has no central directory.
            return SpreadsheetError(.corruptZip, "the zip archive is truncated or damaged (its directory is missing); "
                                    + "copy or save the workbook again")
        case ZIP_ER_INCONS, ZIP_ER_CRC, ZIP_ER_EOF:
            return SpreadsheetError(.corruptZip, "the zip archive is damaged or truncated; save the workbook again")
        default:
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            let text = String(cString: zip_error_strerror(&error))
            return SpreadsheetError(.corruptZip, "the zip archive cannot be read (\(text))")
        }
    }
}

extension String {
    fileprivate func replacingBackslashes() -> String {
        String(map { $0 == "\\" ? "/" : $0 })
    }
}

/// A stream of one part's inflated bytes, checked against the limits as it goes.
final class ZipEntryReader {
    private let archive: ZipArchive
    private var file: OpaquePointer?
    let name: String
    private let compressedSize: Int64
    /// The inflated size the zip directory states (not trusted for safety; a sizing hint).
    let declaredSize: Int64?
    private(set) var inflated: Int64 = 0

    fileprivate init(archive: ZipArchive, file: OpaquePointer, name: String, compressedSize: Int64,
                     declaredSize: Int64?) {
        self.archive = archive
        self.file = file
        self.name = name
        self.compressedSize = compressedSize
        self.declaredSize = declaredSize
    }

    deinit { if let file { zip_fclose(file) } }

    /// Reads up to `buffer.count` bytes; returns 0 at the end of the part.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let file, let base = buffer.baseAddress else { return 0 }
        let n = zip_fread(file, base, zip_uint64_t(buffer.count))
        if n < 0 {
            let text = String(cString: zip_file_strerror(file))
            throw SpreadsheetError(.corruptZip, "the part cannot be inflated (\(text)); the file is damaged", part: name)
        }
        if n == 0 {
            zip_fclose(file)
            self.file = nil
            return 0
        }
        inflated += Int64(n)
        let limits = archive.limits
        if inflated > limits.maxPartBytes {
            throw SpreadsheetError(.zipBomb,
                                   "the part inflates to more than \(limits.maxPartBytes >> 20) MiB "
                                   + "(raise --max-part-mib if the file is trusted)", part: name)
        }
        if inflated > limits.ratioGraceBytes, Double(compressedSize) / Double(inflated) < limits.minInflateRatio {
            throw SpreadsheetError(.zipBomb,
                                   "the part inflates more than \(Int(1 / limits.minInflateRatio))-fold, as zip bombs do "
                                   + "(lower --min-inflate-ratio if the file is trusted)", part: name)
        }
        try archive.add(inflated: Int(n), part: name)
        return Int(n)
    }
}
