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
    /// Truora check id or Trulioo user state id.
    public var remoteID: String?
    public var errorCode: String?
    public var errorColumn: String?
    public var errorMessage: String?
    /// Truora check status or Trulioo profile status.
    public var remoteStatus: String?
    public var score: Double?
    public var idScore: Double?
    public var nameScore: Double?
    /// Trulioo signed URL.
    public var link: String?
    /// Times the result was looked at.
    public var polls: Int
    /// Unix seconds when the result should next be looked at.
    public var nextPoll: Double?
    /// The run that last wrote the record.
    public var runID: Int64

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
    }

    /// The values in the order of ``Ledger/rowColumns``, for the ledger's prepared insert.
    var arguments: StatementArguments {
        [fileID, mode, sourceRow, inputHash, state.rawValue, attempts, remoteID, errorCode, errorColumn, errorMessage,
         remoteStatus, score, idScore, nameScore, link, polls, nextPoll, runID]
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
