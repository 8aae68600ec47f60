/// Caps that keep a hostile or broken file from exhausting memory or disk.
///
/// The defaults follow Apache POI's `ZipSecureFile` (1,000 entries, an inflate ratio below 1% past
/// 100 KiB is a bomb) and the field notes' suggestions for this tool. Every one can be raised by flag.
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

    public init() {}

    public static let `default` = ReadLimits()
}
