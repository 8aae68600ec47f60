/// Caps that keep a hostile or broken file from exhausting memory or disk.
///
/// The zip caps follow Apache POI's `ZipSecureFile` (1,000 entries, an inflate ratio below 1% past
/// 100 KiB is a bomb). They bound what is inflated; the expansion caps bound what is produced from
/// it: a cell's text (Excel's own limit is 32,767 characters) and everything a sheet turns into
/// (text and cells, empty ones padded in included) against the bytes of the parts it came from.
/// Every one can be raised by flag.
public struct ReadLimits: Sendable, Equatable, Codable {
    /// Most entries a zip may hold.
    public var maxEntries: Int = 1_000
    /// Most bytes actually inflated from one part.
    public var maxPartBytes: Int64 = 2 << 30
    /// Most bytes actually inflated from all parts together.
    public var maxTotalBytes: Int64 = 4 << 30
    /// Smallest compressed/inflated ratio allowed once a part has inflated `ratioGraceBytes`.
    public var minInflateRatio: Double = 0.01
    /// Bytes a part may inflate before the ratio is checked.
    public var ratioGraceBytes: Int64 = 100 << 10
    /// Longest CSV field in bytes.
    public var maxFieldBytes: Int = 32 << 20
    /// Most characters one xlsx cell may hold (Excel's own limit).
    public var maxCellCharacters: Int = 32_767
    /// Most units a file may produce per byte of its source parts, past `expansionGraceUnits`: a
    /// unit is a byte of cell text or one cell (empty cells padded in count too).
    public var maxExpansion: Double = 100
    /// Units produced before `maxExpansion` is checked.
    public var expansionGraceUnits: Int64 = 64 << 20

    public init() {}

    public static let `default` = ReadLimits()

    /// The most units a file may produce from `sourceBytes` bytes of parts.
    @inlinable
    public func expansionAllowance(sourceBytes: Int64) -> Int64 {
        let scaled = Double(sourceBytes) * maxExpansion
        return expansionGraceUnits + (scaled >= Double(Int64.max / 2) ? Int64.max / 2 : Int64(scaled))
    }

    // Limits stored by an earlier version (a run's report plan) lack the newer keys: defaults apply.
    private enum CodingKeys: String, CodingKey {
        case maxEntries, maxPartBytes, maxTotalBytes, minInflateRatio, ratioGraceBytes, maxFieldBytes
        case maxCellCharacters, maxExpansion, expansionGraceUnits
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ReadLimits.default
        maxEntries = try c.decodeIfPresent(Int.self, forKey: .maxEntries) ?? d.maxEntries
        maxPartBytes = try c.decodeIfPresent(Int64.self, forKey: .maxPartBytes) ?? d.maxPartBytes
        maxTotalBytes = try c.decodeIfPresent(Int64.self, forKey: .maxTotalBytes) ?? d.maxTotalBytes
        minInflateRatio = try c.decodeIfPresent(Double.self, forKey: .minInflateRatio) ?? d.minInflateRatio
        ratioGraceBytes = try c.decodeIfPresent(Int64.self, forKey: .ratioGraceBytes) ?? d.ratioGraceBytes
        maxFieldBytes = try c.decodeIfPresent(Int.self, forKey: .maxFieldBytes) ?? d.maxFieldBytes
        maxCellCharacters = try c.decodeIfPresent(Int.self, forKey: .maxCellCharacters) ?? d.maxCellCharacters
        maxExpansion = try c.decodeIfPresent(Double.self, forKey: .maxExpansion) ?? d.maxExpansion
        expansionGraceUnits = try c.decodeIfPresent(Int64.self, forKey: .expansionGraceUnits) ?? d.expansionGraceUnits
    }
}
