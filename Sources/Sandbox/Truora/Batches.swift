import Foundation
import ProviderAPI
import Spreadsheet

/// A Truora batch as the sandbox keeps it.
struct BatchRecord: Sendable {
    struct Line: Sendable {
        /// Row number in the uploaded sheet.
        var row: Int
        var checkID: String?
        var failure: String?
        /// The row's inputs as uploaded, echoed in the report so a client can tell its rows apart.
        var fields: [(String, String)] = []
    }

    var id: String
    var type: String
    var country: String
    /// Input names in column order.
    var columns: [String]
    /// input → 0-based column.
    var mapping: [String: Int]
    var frequency: String?
    var endDate: String?
    var status = "not_started"
    var created: Double
    var updated: Double
    var uploadToken: String
    var uploadExpires: Double
    var file: [UInt8]?
    var lines: [Line] = []
    var failureReason = ""
    var reportFormat: String?
    var reportToken: String?
}

extension TruoraState {
    func createBatch(
        type: String, country: String, mapping: [String: Int], frequency: String?, endDate: String?,
        linkLifetime: Double
    ) -> BatchRecord {
        let columns = mapping.sorted { $0.value < $1.value }.map(\.key)
        let record = BatchRecord(
            id: Identifiers.batch(), type: type, country: country, columns: columns, mapping: mapping,
            frequency: frequency, endDate: endDate, created: now, updated: now,
            uploadToken: Identifiers.token(48), uploadExpires: now + linkLifetime)
        batches[record.id] = record
        uploadLinks[record.uploadToken] = record.id
        return record
    }

    enum UploadResult { case stored, expired, used, unknown }

    /// The link accepts the first file only, until it expires.
    func upload(token: String, bytes: [UInt8]) -> UploadResult {
        guard let id = uploadLinks[token], var record = batches[id] else { return .unknown }
        if record.file != nil { return .used }
        if now > record.uploadExpires { return .expired }
        record.file = bytes
        record.updated = now
        batches[id] = record
        return .stored
    }

    func batch(_ id: String) -> BatchRecord? {
        guard var record = batches[id] else { return nil }
        // In progress until every check it created has its final answer.
        if record.status == "in_progress",
            record.lines.allSatisfy({ $0.checkID.flatMap { self.check($0) }?.isFinal ?? true })
        {
            record.status = "completed"
            record.updated = now
            batches[id] = record
        }
        return record
    }

    func setBatch(_ record: BatchRecord) {
        batches[record.id] = record
    }

    func requestReport(_ id: String, format: String) -> BatchRecord? {
        guard var record = batches[id] else { return nil }
        record.reportFormat = format
        if record.reportToken == nil {
            record.reportToken = Identifiers.token(48)
            reportLinks[record.reportToken!] = id
        }
        batches[id] = record
        return record
    }

    func batchForReport(token: String) -> BatchRecord? {
        reportLinks[token].flatMap { batch($0) }
    }

    func render(_ record: BatchRecord, origin: String, withLink: Bool) -> TruoraBatch {
        var batch = TruoraBatch(
            batchID: record.id, service: "checks", type: record.type, country: record.country,
            status: record.status, size: record.lines.count)
        if record.status != "not_started" {
            batch.createdChecksCount = record.lines.filter { $0.checkID != nil }.count
            batch.invalidChecksCount = record.lines.filter { $0.failure != nil }.count
        }
        batch.failureReason = record.failureReason
        batch.creationDate = timestamp(record.created)
        batch.updateDate = timestamp(record.updated)
        if withLink {
            batch.columns = record.columns
            batch.fileUploadLink =
                "\(origin)/uploads/\(record.uploadToken)?X-Amz-Expires=\(Int(record.uploadExpires - record.created))"
        }
        return batch
    }
}

/// Reading an uploaded batch file and writing its report, with the project's own reader and writers.
enum BatchFiles {
    /// Rows of the uploaded xlsx as (row number, input → text); row 1 is a header when its cells
    /// name inputs. Blank rows are skipped.
    static func rows(
        _ bytes: [UInt8], columns: [String], mapping: [String: Int],
        directory: String
    ) throws -> [(Int, [(String, String)])] {
        let path = directory + "/upload-\(Identifiers.hex(12)).xlsx"
        guard
            FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600])
        else { throw SandboxError(500, "could not store the uploaded file") }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try SpreadsheetReader(path: path)
        var out: [(Int, [(String, String)])] = []
        var first = true
        let names = Set(columns.map { $0.lowercased() })
        while let row = try reader.next() {
            defer { first = false }
            if first,
                row.cells.contains(where: { names.contains($0.text.trimmingCharacters(in: .whitespaces).lowercased()) })
            {
                continue
            }
            if row.isBlank { continue }
            var fields: [(String, String)] = []
            for (input, index) in mapping.sorted(by: { $0.value < $1.value }) where index < row.count {
                let text = row[index].text
                if !text.isEmpty { fields.append((input, text)) }
            }
            out.append((row.number, fields))
        }
        return out
    }

    /// The report: one line per uploaded row (row, check id, status, score, failure reason, then
    /// the batch's input columns as uploaded).
    static func report(
        _ lines: [(row: Int, checkID: String, status: String, score: String, failure: String)],
        inputs: [[(String, String)]], columns: [String], format: String, directory: String
    ) throws -> [UInt8] {
        let path = directory + "/report-\(Identifiers.hex(12)).\(format == "csv" ? "csv" : "xlsx")"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let header = ["row", "check_id", "status", "score", "failure_reason"] + columns
        var rows = [Row(number: 1, cells: header.map { Cell(text: $0, type: .text) })]
        for (index, line) in lines.enumerated() {
            var row = Row(
                number: index + 2,
                cells: [
                    Cell(text: String(line.row), type: .number), Cell(text: line.checkID, type: .text),
                    Cell(text: line.status, type: .text),
                    Cell(text: line.score, type: line.score.isEmpty ? .empty : .number),
                    Cell(text: line.failure, type: .text),
                ])
            let fields = index < inputs.count ? inputs[index] : []
            for column in columns {
                let value = fields.first { $0.0 == column }?.1 ?? ""
                row.append(value.isEmpty ? Cell.empty : Cell(text: value, type: .text))
            }
            rows.append(row)
        }
        let writer: any RowWriter =
            format == "csv"
            ? try CSVWriter(path: path, options: .init(byteOrderMark: false))
            : try XLSXWriter(path: path, options: .init(sheetName: "Report"))
        try writer.writeAll(rows)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
