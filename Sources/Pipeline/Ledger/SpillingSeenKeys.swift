import CheckInputs
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Remembers the rows' ID keys in memory up to `memoryLimit` of them, then in a scratch SQLite file,
/// so a run's memory stays flat however many rows its file has (a million keys in memory take
/// about 40 MB). The file is created in `directory` and unlinked at once: it holds only the
/// keys (hashes with a per-process seed) and row numbers, and nothing is left behind, even after a
/// kill. Should the file fail (a full disk), the keys go back into memory and the run goes on.
final class SpillingSeenKeys: SeenKeys {
    private var memory: [Int: Int] = [:]
    private var disk: DatabaseQueue?
    /// Set once a scratch file could not be made or failed: the keys stay in memory from then on.
    private var diskFailed = false
    private let directory: String
    let memoryLimit: Int

    init(directory: String, memoryLimit: Int = 100_000) {
        self.directory = directory
        self.memoryLimit = memoryLimit
    }

    /// Whether the keys have moved to the scratch file (tests).
    var spilled: Bool { disk != nil }

    func firstRow(for key: Int, row: Int) -> Int? {
        if let disk {
            do {
                return try disk.inDatabase { db in
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO seen(key, row) VALUES (?, ?)")
                        .execute(arguments: [key, row])
                    if db.changesCount > 0 { return nil }
                    return try Int.fetchOne(db.cachedStatement(sql: "SELECT row FROM seen WHERE key = ?"),
                                            arguments: [key])
                }
            } catch {
                unspill()
            }
        }
        if let first = memory[key] { return first }
        memory[key] = row
        if memory.count >= memoryLimit, disk == nil, !diskFailed { spill() }
        return nil
    }

    private func spill() {
        let path = directory + "/seen-\(UUID().uuidString).sqlite"
        var configuration = Configuration()
        // One transaction, never committed: pages go to the file only when SQLite's cache is full.
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -4096")
        }
        do {
            let fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                diskFailed = true
                return
            }
            close(fd)
            defer { unlink(path) }
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.inDatabase { db in
                try db.execute(sql: "CREATE TABLE seen(key INTEGER PRIMARY KEY, row INTEGER NOT NULL); BEGIN")
                let insert = try db.makeStatement(sql: "INSERT INTO seen(key, row) VALUES (?, ?)")
                for (key, row) in memory { try insert.execute(arguments: [key, row]) }
            }
            disk = queue
            memory = [:]
        } catch {
            disk = nil
            diskFailed = true
        }
    }

    /// The file failed: its keys come back into memory (as many as can be read).
    private func unspill() {
        guard let disk else { return }
        self.disk = nil
        diskFailed = true
        try? disk.inDatabase { db in
            let rows = try GRDB.Row.fetchCursor(db, sql: "SELECT key, row FROM seen")
            while let row = try rows.next() { memory[row[0] as Int] = row[1] as Int }
        }
    }
}

extension Ledger {
    /// Where a run remembers its rows' IDs to name duplicates: a scratch file beside the ledger
    /// once there are many, so memory stays flat in the number of rows.
    func seenKeys() -> any SeenKeys {
        SpillingSeenKeys(directory: directory ?? NSTemporaryDirectory())
    }
}
