import CheckInputs
import Foundation
import GRDB

/// Where a row stands with its provider. Valid rows that were never sent have no record at all.
///
/// `sent` is written before the provider call and `acknowledged`, `final`, `failed` or `unknown`
/// after it, so a crash between the two leaves `sent`: the request may have arrived, and the next
/// run looks before it sends again.
public enum RowState: String, Sendable, Codable, CaseIterable {
    /// The call was about to be made (or was in flight) when the record was last written.
    case sent
    /// The provider answered with its id; the result is not final yet.
    case acknowledged
    /// The provider's result is final.
    case final
    /// Validation or the provider refused the row; `errorCode` says why.
    case failed
    /// The call may have been acted on but no usable answer came.
    case unknown
}

/// One row of one file in one mode, as the ledger keeps it: no input value in clear, only a keyed
/// hash of the normalised inputs, the provider's ids and results, and error codes.
public struct LedgerRecord: Sendable, Equatable, FetchableRecord {
    public var fileID: Int64
    public var mode: String
    /// 1-based row number in the sheet.
    public var sourceRow: Int
    /// HMAC-SHA256 of the normalised inputs (hex); empty for rows that failed validation.
    public var inputHash: String
    public var state: RowState
    /// Provider calls made for the row, across runs.
    public var attempts: Int
    /// Truora check id, Trulioo user state id, or Truora process id (truora-di, truora-whatsapp).
    public var remoteID: String?
    public var errorCode: String?
    public var errorColumn: String?
    public var errorMessage: String?
    /// Truora check status, Trulioo profile status or Truora process status.
    public var remoteStatus: String?
    public var score: Double?
    public var idScore: Double?
    public var nameScore: Double?
    /// Trulioo signed URL, or the Digital Identity verification link.
    public var link: String?
    /// Times the result was looked at.
    public var polls: Int
    /// Unix seconds when the result should next be looked at.
    public var nextPoll: Double?
    /// The run that last wrote the record.
    public var runID: Int64
    /// truora-batch: the ledger's batch the row was uploaded in.
    public var batch: Int64?
    /// `--pdf`: `wanted`, `asked` (created at Truora, not downloaded yet), or the downloaded file's
    /// path relative to the report.
    public var pdf: String?
    /// `--continuous`: `wanted`, `enrolling` (the call may have reached Truora), or the `CCK…` id.
    public var continuousID: String?
    /// The row's own continuous check (its `frequency` and `end_date` columns), over the run's.
    public var continuousFrequency: String?
    public var continuousUntil: String?
    /// truora-di and truora-whatsapp: the person's Truora account (the row's, or one made from its
    /// keyed hash and kept here so a rerun uses the same).
    public var accountID: String?
    /// Why a Digital Identity or WhatsApp process failed (`declined_reason`).
    public var declinedReason: String?
    /// Trulioo Workflow Studio: the step the session waits at (a form's title, `trulioo_doc_v`,
    /// `pending`, `end`).
    public var step: String?

    /// Read by column position, in the order of ``Ledger/rowColumns`` (faster than `Decodable` on
    /// every page of rows).
    public init(row: GRDB.Row) throws {
        fileID = row[0]
        mode = row[1]
        sourceRow = row[2]
        inputHash = row[3]
        state = RowState(rawValue: row[4]) ?? .unknown
        attempts = row[5]
        remoteID = row[6]
        errorCode = row[7]
        errorColumn = row[8]
        errorMessage = row[9]
        remoteStatus = row[10]
        score = row[11]
        idScore = row[12]
        nameScore = row[13]
        link = row[14]
        polls = row[15]
        nextPoll = row[16]
        runID = row[17]
        batch = row[18]
        pdf = row[19]
        continuousID = row[20]
        continuousFrequency = row[21]
        continuousUntil = row[22]
        accountID = row[23]
        declinedReason = row[24]
        step = row[25]
    }

    /// The values in the order of ``Ledger/rowColumns``, for the ledger's prepared insert.
    var arguments: StatementArguments {
        [fileID, mode, sourceRow, inputHash, state.rawValue, attempts, remoteID, errorCode, errorColumn, errorMessage,
         remoteStatus, score, idScore, nameScore, link, polls, nextPoll, runID, batch, pdf, continuousID,
         continuousFrequency, continuousUntil, accountID, declinedReason, step]
    }

    public init(fileID: Int64, mode: String, sourceRow: Int, inputHash: String, state: RowState, runID: Int64) {
        self.fileID = fileID
        self.mode = mode
        self.sourceRow = sourceRow
        self.inputHash = inputHash
        self.state = state
        self.attempts = 0
        self.polls = 0
        self.runID = runID
    }

    /// Records an error with a message kept as key and arguments (shown in each report's language).
    public mutating func fail(_ code: String, _ message: Message) {
        fail(code, message: StoredMessage.encode(message))
    }

    /// Records an error; the message must already be free of IDs (row and provider messages are).
    public mutating func fail(_ code: String, column: String = "", message: String) {
        state = .failed
        errorCode = code
        errorColumn = column
        errorMessage = message
    }

    mutating func clearError() {
        errorCode = nil
        errorColumn = nil
        errorMessage = nil
    }
}

/// A run as the ledger keeps it: what was read, how, and where its reports went, so `collect` can
/// write them again.
public struct RunRecord: Sendable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"

    public var id: Int64?
    public var fileID: Int64
    public var mode: String
    public var startedAt: Double
    public var finishedAt: Double?
    /// The report plan as JSON (``ReportPlan``).
    public var plan: String
    /// Counts by report status as JSON, once the run has written its reports.
    public var counts: String?

    enum CodingKeys: String, CodingKey {
        case id, fileID = "file_id", mode, startedAt = "started_at", finishedAt = "finished_at", plan, counts
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// An input file, known by the SHA-256 of its content.
public struct FileRecord: Sendable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "file"

    public var id: Int64?
    public var sha256: String
    /// Where it was last read from.
    public var path: String
    public var firstSeen: Double

    enum CodingKeys: String, CodingKey { case id, sha256, path, firstSeen = "first_seen" }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// Where a Truora batch stands, step by step, so a rerun continues it from the step it reached:
/// never a second batch for rows already started, never a second start.
public enum BatchStep: String, Sendable, Codable {
    /// Rows assigned and marked `sent`; the create call may not have been answered.
    case planned
    /// Truora gave the batch its id and upload link.
    case created
    /// The file is at the upload link.
    case uploaded
    /// Started: Truora creates the checks.
    case started
    /// Finished at Truora and its report requested.
    case reporting
    /// The report is merged into the rows.
    case merged
    /// Stopped or failed at Truora (its rows failed with the reason), or given up by idbatch.
    case failed
}

/// A Truora batch as the ledger keeps it. No ID in clear: `idHashes` holds a short keyed hash of each
/// row's identifier, in upload order, to check the report's rows against.
public struct LedgerBatch: Sendable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "batch"

    public var id: Int64?
    public var fileID: Int64
    public var mode: String
    public var country: String
    public var type: String
    public var step: BatchStep
    /// Rows in the upload.
    public var size: Int
    /// Truora's `BAT…` id.
    public var remoteID: String?
    /// The signed upload link (valid 30 minutes, single use).
    public var uploadLink: String?
    /// Truora's batch status, and its failure reason.
    public var status: String?
    public var failure: String?
    /// The input whose values `idHashes` hold.
    public var idColumn: String?
    /// JSON array of hex hashes, one per row in upload order.
    public var idHashes: String
    /// Create calls made for it (a link that expired is replaced by a new batch).
    public var creates: Int
    public var polls: Int
    public var nextPoll: Double?
    public var runID: Int64

    public init(fileID: Int64, mode: String, country: String, type: String, size: Int, idColumn: String?,
                idHashes: [String], runID: Int64) {
        self.fileID = fileID
        self.mode = mode
        self.country = country
        self.type = type
        step = .planned
        self.size = size
        self.idColumn = idColumn
        self.idHashes = String(decoding: (try? JSONEncoder().encode(idHashes)) ?? Data("[]".utf8), as: UTF8.self)
        creates = 0
        polls = 0
        self.runID = runID
    }

    public var hashes: [String] { (try? JSONDecoder().decode([String].self, from: Data(idHashes.utf8))) ?? [] }

    enum CodingKeys: String, CodingKey {
        case id, fileID = "file_id", mode, country, type, step, size, remoteID = "remote_id",
            uploadLink = "upload_link", status, failure, idColumn = "id_column", idHashes = "id_hashes", creates,
            polls, nextPoll = "next_poll", runID = "run_id"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One sweep pass as `idbatch status` shows it: when, over which folder, what became of its files.
public struct SweepRecord: Sendable, Codable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "sweep"

    public var id: Int64?
    public var folder: String
    public var startedAt: Double
    public var finishedAt: Double
    public var processed: Int
    public var duplicates: Int
    public var failed: Int
    public var held: Int
    public var waiting: Int
    public var collected: Int
    public var purged: Int
    public var exitCode: Int
    /// The folder the pass wrote its reports to.
    public var reports: String

    public init(folder: String, startedAt: Date, finishedAt: Date, processed: Int, duplicates: Int, failed: Int,
                held: Int, waiting: Int, collected: Int, purged: Int, exitCode: Int32, reports: String) {
        self.folder = folder
        self.startedAt = startedAt.timeIntervalSince1970
        self.finishedAt = finishedAt.timeIntervalSince1970
        self.processed = processed
        self.duplicates = duplicates
        self.failed = failed
        self.held = held
        self.waiting = waiting
        self.collected = collected
        self.purged = purged
        self.exitCode = Int(exitCode)
        self.reports = reports
    }

    enum CodingKeys: String, CodingKey {
        case id, folder, startedAt = "started_at", finishedAt = "finished_at", processed, duplicates, failed, held,
            waiting, collected, purged, exitCode = "exit_code", reports
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
