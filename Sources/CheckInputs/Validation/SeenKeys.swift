/// Where a ``RowValidator`` remembers the IDs it has seen, to name a later row with the same one.
/// A key is a 64-bit hash of the row's type, country and ID; a row is a source row number.
public protocol SeenKeys: AnyObject {
    /// The first row remembered with `key`; when there is none, remembers `row` as that row and
    /// returns nil.
    func firstRow(for key: Int, row: Int) -> Int?
}

/// Keeps every key in memory: about 40 MB for a million rows.
public final class SeenKeysInMemory: SeenKeys {
    private var rows: [Int: Int] = [:]

    public init() {}

    public func firstRow(for key: Int, row: Int) -> Int? {
        if let first = rows[key] { return first }
        rows[key] = row
        return nil
    }
}
