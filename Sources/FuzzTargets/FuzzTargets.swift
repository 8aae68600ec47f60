import CheckInputs
import Foundation
import Spreadsheet

/// What the fuzzers feed: each target takes arbitrary bytes and must never crash, hang or grow
/// without bound on them; an error thrown is a good outcome (it is the input being refused).
/// `scripts/fuzz.sh TARGET` runs one under libFuzzer; the tests replay every corpus through here.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case csv, xlsx, jobfile, header, validators

    public var summary: String {
        switch self {
        case .csv: "the CSV reader: encoding and dialect sniffing, quoting, every row read"
        case .xlsx: "the xlsx reader fed whole zips: zip, XML, shared strings, styles, every row read"
        case .jobfile: "the job-file parser (YAML, anchors and aliases included)"
        case .header: "header detection and column mapping on arbitrary cell text, for each provider"
        case .validators: "the ID check digits, dates, phones, countries and frequencies on arbitrary text"
        }
    }

    /// Limits small enough that one input stays fast, large enough to reach every branch.
    static let limits: ReadLimits = {
        var limits = ReadLimits()
        limits.maxCellCharacters = 4_096
        return limits
    }()

    public func run(_ data: Data) {
        switch self {
        case .csv: Self.read(data, extension: "csv")
        case .xlsx: Self.read(data, extension: "xlsx")
        case .jobfile: _ = try? JobFile.parse(String(decoding: data, as: UTF8.self), file: "fuzz.yaml")
        case .header: Self.header(data)
        case .validators: Self.validators(data)
        }
    }

    /// The readers take paths: the input is written to a private scratch file first (in /dev/shm
    /// where there is one, so a run is not bound by the disk).
    private static let scratch: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return folder + "/idbatch-fuzz-\(getpid())"
    }()

    private static func read(_ data: Data, extension ext: String) {
        let path = scratch + "." + ext
        guard FileManager.default.createFile(atPath: path, contents: data) else { return }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let reader = try? SpreadsheetReader(path: path, options: ReadOptions(limits: limits)) else { return }
        var cells = 0
        while cells < 200_000, let row = try? reader.next() {
            for cell in row.cells { cells += 1 + cell.text.utf8.count / 64 }
        }
    }

    /// Lines are rows, tabs separate cells.
    private static func header(_ data: Data) {
        let text = String(decoding: data.prefix(16_384), as: UTF8.self)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20).enumerated().map {
            Row(number: $0.offset + 1,
                cells: $0.element.split(separator: "\t", omittingEmptySubsequences: false).prefix(64)
                    .map { Cell(text: String($0), type: .text) })
        }
        for provider in [Provider.truoraChecks, .trulioo] {
            let mapper = ColumnMapper(provider: provider)
            let index = HeaderDetector.headerIndex(in: rows, mapper: mapper)
            let header = rows[index ?? 0].cells.map(\.text)
            _ = try? mapper.map(header: header)
        }
    }

    private static func validators(_ data: Data) {
        let text = String(decoding: data.prefix(4_096), as: UTF8.self)
        for kind in IDKind.allCases {
            _ = IDChecks.check(text, as: kind)
            _ = IDChecks.check(text, as: kind, cellType: .number)
        }
        for order in [DateOrder?.none, .dayFirst, .monthFirst] {
            _ = DateText.parse(text, type: .text, order: order)
        }
        _ = ValueText.phone(text)
        _ = ValueText.country(text)
        _ = ValueText.frequency(text)
        _ = ValueText.boolean(text)
        _ = ValueText.isEmail(text)
    }
}
