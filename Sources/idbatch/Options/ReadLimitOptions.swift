import ArgumentParser
import Spreadsheet

/// Flags that raise or lower the safety caps on input files.
struct ReadLimitOptions: ParsableArguments {
    @Option(help: "Most entries an xlsx zip may hold.")
    var maxEntries: Int = ReadLimits.default.maxEntries

    @Option(help: "Most MiB one xlsx part may inflate to.")
    var maxPartMib: Int64 = ReadLimits.default.maxPartBytes >> 20

    @Option(help: "Most MiB all xlsx parts together may inflate to.")
    var maxTotalMib: Int64 = ReadLimits.default.maxTotalBytes >> 20

    @Option(help: "Smallest compressed/inflated ratio accepted past 100 KiB (zip-bomb guard).")
    var minInflateRatio: Double = ReadLimits.default.minInflateRatio

    @Option(help: "Most characters one xlsx cell may hold (Excel's own limit is 32,767).")
    var maxCellChars: Int = ReadLimits.default.maxCellCharacters

    @Option(help: ArgumentHelp(
        "Most bytes of text and cells a file may produce per byte of its sheet data, past the first 64 Mi "
            + "(guards against small files that expand without end).", valueName: "RATIO"))
    var maxExpansion: Double = ReadLimits.default.maxExpansion

    func validate() throws {
        guard maxEntries > 0, maxPartMib > 0, maxTotalMib > 0, maxCellChars > 0, maxExpansion > 0 else {
            throw ValidationError("limits must be positive")
        }
        guard (0...1).contains(minInflateRatio) else {
            throw ValidationError("--min-inflate-ratio must be between 0 and 1")
        }
    }

    var limits: ReadLimits {
        var limits = ReadLimits()
        limits.maxEntries = maxEntries
        limits.maxPartBytes = maxPartMib << 20
        limits.maxTotalBytes = maxTotalMib << 20
        limits.minInflateRatio = minInflateRatio
        limits.maxCellCharacters = maxCellChars
        limits.maxExpansion = maxExpansion
        return limits
    }
}

/// How to read one input file.
struct InputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Sheet to read, by name or 1-based index (default: first visible).",
                                            valueName: "NAME|INDEX"))
    var sheet: String?

    @Option(name: .long, help: ArgumentHelp("CSV delimiter: ',', ';', 'tab' or '|' (default: detected).",
                                            valueName: "CHAR"))
    var delimiter: String?

    @OptionGroup var limitOptions: ReadLimitOptions

    func validate() throws {
        if let delimiter, InputOptions.delimiterByte(delimiter) == nil {
            throw ValidationError("--delimiter must be one of ',', ';', 'tab', '|'")
        }
    }

    static func delimiterByte(_ text: String) -> UInt8? {
        switch text {
        case ",", "comma": return UInt8(ascii: ",")
        case ";", "semicolon": return UInt8(ascii: ";")
        case "\t", "tab", "\\t": return 9
        case "|", "pipe": return UInt8(ascii: "|")
        default: return nil
        }
    }

    var readOptions: ReadOptions {
        ReadOptions(sheet: sheet.map(SheetSelector.init), delimiter: delimiter.flatMap(InputOptions.delimiterByte),
                    limits: limitOptions.limits)
    }
}
