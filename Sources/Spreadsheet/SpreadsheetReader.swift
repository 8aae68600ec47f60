#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two file formats idbatch reads and writes.
public enum SpreadsheetFormat: String, Sendable, Codable, CaseIterable {
    case csv
    case xlsx
}

/// How to open a file for reading.
public struct ReadOptions: Sendable {
    /// The sheet of a workbook; nil reads the first visible worksheet.
    public var sheet: SheetSelector?
    /// The CSV delimiter; nil sniffs it.
    public var delimiter: UInt8?
    public var limits: ReadLimits

    public init(sheet: SheetSelector? = nil, delimiter: UInt8? = nil, limits: ReadLimits = .default) {
        self.sheet = sheet
        self.delimiter = delimiter
        self.limits = limits
    }
}

/// Streams the rows of a CSV file or an xlsx sheet through one API.
///
/// ```swift
/// let reader = try SpreadsheetReader(path: "people.xlsx")
/// while let row = try reader.next() { print(row.number, row[0].text) }
/// ```
/// Rows come in file order with their source row numbers; memory does not grow with the number of
/// rows (an xlsx file's shared-strings table aside). Not `Sendable`: one task reads a file.
public final class SpreadsheetReader {
    public let path: String
    public let format: SpreadsheetFormat
    /// Every sheet of a workbook, in order; empty for CSV.
    public let sheets: [SheetInfo]
    /// The sheet being read (xlsx).
    public let sheetName: String?
    /// The CSV file's encoding.
    public let encoding: TextEncoding?
    /// The CSV delimiter in use.
    public let delimiter: UInt8?

    private let source: Source
    private let limits: ReadLimits
    /// Units produced so far (bytes of cell text plus cells), for the expansion cap.
    private var produced: Int64 = 0
    /// A CSV file's size: its rows come from nothing else.
    private var csvBytes: Int64 = 0

    private enum Source {
        case csv(CSVReader)
        case xlsx(XLSXWorkbook, XLSXSheetReader)
    }

    public init(path: String, options: ReadOptions = ReadOptions()) throws {
        self.path = path
        limits = options.limits
        do {
            let format = try SpreadsheetReader.detectFormat(path: path)
            self.format = format
            switch format {
            case .csv:
                let reader = try CSVReader(path: path, delimiter: options.delimiter, limits: options.limits)
                source = .csv(reader)
                var info = stat()
                csvBytes = stat(path, &info) == 0 ? Int64(info.st_size) : 0
                sheets = []
                sheetName = nil
                encoding = reader.encoding
                delimiter = reader.delimiter
            case .xlsx:
                let workbook = try XLSXWorkbook(path: path, limits: options.limits)
                let sheet = try workbook.sheet(options.sheet)
                source = .xlsx(workbook, try XLSXSheetReader(workbook: workbook, sheet: sheet))
                sheets = workbook.sheets
                sheetName = sheet.name
                encoding = nil
                delimiter = nil
            }
        } catch let error as SpreadsheetError {
            throw error.at(file: path)
        }
    }

    /// The next row, or nil at the end of the sheet.
    public func next() throws -> Row? {
        do {
            let row: Row?
            switch source {
            case .csv(let reader): row = try reader.next()
            case .xlsx(_, let reader): row = try reader.next()
            }
            if let row {
                produced += Int64(row.bytes.count + row.spans.count)
                if produced > limits.expansionGraceUnits { try checkExpansion(row: row.number) }
            }
            return row
        } catch let error as SpreadsheetError {
            throw error.at(file: path)
        }
    }

    /// Counts `cells` empty cells that the caller pads in around the rows (blank rows for gaps,
    /// short rows padded to the widest) against the same expansion cap as the rows themselves, so
    /// a file with one cell at XFD1 and one at XFD1048576 cannot make seventeen billion.
    public func account(paddedCells cells: Int, row: Int) throws {
        guard cells > 0 else { return }
        produced += Int64(cells)
        if produced > limits.expansionGraceUnits {
            do { try checkExpansion(row: row) } catch let error as SpreadsheetError { throw error.at(file: path) }
        }
    }

    /// Bytes of the source the rows so far came from: the CSV file, or the sheet XML parsed and
    /// the shared strings loaded.
    private var sourceBytes: Int64 {
        switch source {
        case .csv: return csvBytes
        case .xlsx(_, let reader): return reader.sourceBytes
        }
    }

    private func checkExpansion(row: Int) throws {
        let source = sourceBytes
        guard produced > limits.expansionAllowance(sourceBytes: source) else { return }
        let ratio = Int((Double(produced) / Double(max(source, 1))).rounded())
        throw SpreadsheetError(
            .expansionLimit,
            "the file expands too far: \(Counted.grouped(source)) bytes of sheet data have produced "
                + "\(Counted.grouped(produced)) bytes and cells so far (\(Counted.grouped(ratio)) times their size, the "
                + "limit is \(Counted.grouped(Int(limits.maxExpansion))) past the first \(limits.expansionGraceUnits >> 20) MiB), "
                + "which is how a small hostile file fills a disk; if the file is genuine, raise --max-expansion",
            row: row)
    }

    /// Things a person should know about how the file was read (encoding fallbacks, ragged rows).
    /// The number format of the last date cell read in `column` (0-based): xlsx only.
    public func dateFormat(column: Int) -> NumberFormatRef? {
        if case .xlsx(_, let reader) = source { return reader.dateFormat(column: column) }
        return nil
    }

    public var warnings: [String] {
        guard case .csv(let reader) = source else { return [] }
        var result = reader.warnings
        if reader.raggedCount > 0 {
            let listed = reader.raggedRows.map(String.init).joined(separator: ", ")
            let more = reader.raggedCount > reader.raggedRows.count ? " and \(reader.raggedCount - reader.raggedRows.count) more" : ""
            result.append("\(reader.raggedCount) row(s) have a different number of fields than the header: rows \(listed)\(more)")
        }
        return result
    }

    /// Format from the first bytes: a zip is xlsx, an OLE compound file is refused, the rest is CSV.
    /// A name ending in `.xlsx`/`.xlsm` must be a zip.
    public static func detectFormat(path: String) throws -> SpreadsheetFormat {
        let head = try InputFile.prefix(of: path, count: 8)
        let lower = path.lowercased()
        let namedXLSX = lower.hasSuffix(".xlsx") || lower.hasSuffix(".xlsm")
        if head.isEmpty {
            throw SpreadsheetError(.emptyFile, "the file is empty")
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .xlsx
        }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            if try OLEFile.isEncryptedPackage(path: path) {
                throw SpreadsheetError(.encrypted,
                                       "the workbook is password-protected (encrypted); open it in Excel, remove "
                                       + "the password (File > Info > Protect Workbook) and save it again")
            }
            throw SpreadsheetError(.legacyXLS, "this is an old-style .xls workbook; save it as .xlsx or CSV and try again")
        }
        if namedXLSX || head.starts(with: [0x50, 0x4B]) {
            throw SpreadsheetError(.notZip, "the file is not an xlsx workbook (not a zip archive); it may be damaged "
                                   + "or a different kind of file renamed to .xlsx")
        }
        return .csv
    }
}

/// Just enough of the OLE compound-file format to tell an encrypted OOXML package from an .xls.
enum OLEFile {
    static func isEncryptedPackage(path: String) throws -> Bool {
        let marker = Array("EncryptedPackage".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let file = try InputFile(path: path)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        var total = 0
        while total < 64 << 20 {
            let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
            if n == 0 { break }
            total += n
            let window = carry + buffer[0..<n]
            if window.withUnsafeBufferPointer({ contains($0, marker) }) { return true }
            carry = Array(window.suffix(marker.count))
        }
        return false
    }

    private static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count, let first = needle.first else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == first && Array(haystack[i..<i + needle.count]) == needle { return true }
            i += 1
        }
        return false
    }
}
