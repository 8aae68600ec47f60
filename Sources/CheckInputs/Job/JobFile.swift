import Foundation
import Yams

/// A job file: what operators write once per kind of spreadsheet (provider, country, type,
/// mapping, consent attestation, report options), in YAML, versioned. Reading it checks every key
/// and reports the first problem with its line, so a typo never silently changes a run.
public struct JobFile: Sendable, Equatable {
    /// A job file that cannot be used; the command exits 78.
    public struct Problem: Error, Sendable, CustomStringConvertible, Equatable {
        public var file: String
        public var line: Int?
        public var message: String

        public var description: String {
            "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        }
    }

    /// Report formats (`same` is the input's format).
    public enum ReportFormat: String, Sendable, CaseIterable {
        case xlsx, csv, same
    }

    /// The `trulioo:` section: the Workflow Studio flow rows start, and the hosted-flow link.
    public struct TruliooJob: Sendable, Equatable {
        public var flowID: String?
        public var signedURL: Bool = false
        public var redirectURL: String?
        /// Input → the flow element's name (or id) it fills, over the roles and names the flow has.
        public var fields: [String: String] = [:]
        /// `workflow-studio` (the default: Trulioo's documented routes) or `platform-v2` (the seed's).
        public var api: String?
    }

    /// The `digital_identity:` section: the web flow each row's link opens, and where it ends.
    public struct DigitalIdentityJob: Sendable, Equatable {
        public var flowID: String?
        public var redirectURL: String?
    }

    /// The `whatsapp:` section: the approved outbound message each row gets, and the flow it starts.
    public struct WhatsAppJob: Sendable, Equatable {
        public var outboundID: String?
        public var flowID: String?
    }

    public static let currentVersion = 1
    /// The most rows idbatch puts in one Truora batch (`batch_size`, `--batch-size`).
    public static let maxBatchSize = 10_000

    public var settings: CheckSettings
    public var reportFormat: ReportFormat?
    public var trulioo: TruliooJob?
    public var digitalIdentity: DigitalIdentityJob?
    public var whatsApp: WhatsAppJob?
    /// truora-batch: most rows in one batch upload.
    public var batchSize: Int?
    /// The language of what people read in the outputs (`lang:`); nil takes it from the country.
    public var language: Language?
    /// `idbatch sweep`: how long processed inputs, failed files and reports are kept (`30d`).
    public var keep: String?
    /// `idbatch sweep`: which job file runs the files whose names match each glob, in order
    /// (paths relative to this file's folder), and the one for names no glob matches.
    public var files: [FileRule] = []
    public var defaultJob: String?

    public struct FileRule: Sendable, Equatable {
        public var match: String
        public var job: String

        public init(match: String, job: String) {
            self.match = match
            self.job = job
        }
    }

    public init(settings: CheckSettings, reportFormat: ReportFormat? = nil) {
        self.settings = settings
        self.reportFormat = reportFormat
    }

    static let topLevelKeys = ["version", "provider", "country", "type", "sheet", "header_row", "dates", "mapping",
                               "ignore", "constants", "consent", "report", "trulioo", "digital_identity", "whatsapp",
                               "batch_size", "keep", "files", "default", "lang"]

    /// Job files are a few kilobytes; this bounds the YAML library's work.
    static let maxBytes = 256 * 1024
    /// Aliases (`*name`) a job file may use. With at most A aliases, what they expand to is bounded
    /// by about e^(A/e) times the file (A = 16: a few hundred times), whatever their nesting.
    static let maxAliases = 16

    /// The YAML aliases in `text`: a `*` that starts a token (after a space, a line start, `[`,
    /// `{`, `,` or `:`) and is followed by a name, outside quotes and comments. It may count a
    /// `*word` inside a plain scalar too, which only makes the bound stricter.
    static func aliasCount(_ text: String) -> Int {
        var count = 0
        var quote: UInt8?
        var comment = false
        var previous: UInt8 = 10
        let bytes = Array(text.utf8)
        for (index, byte) in bytes.enumerated() {
            defer { previous = byte }
            if byte == 10 {
                // A comment ends with its line; a quoted scalar may go on.
                comment = false
                continue
            }
            if comment { continue }
            if let open = quote {
                if byte == open && !(open == UInt8(ascii: "\"") && previous == UInt8(ascii: "\\")) { quote = nil }
                continue
            }
            let startsToken = [10, 32, 9, UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","), UInt8(ascii: ":")]
                .contains(previous)
            switch byte {
            case UInt8(ascii: "#") where previous == 32 || previous == 9 || previous == 10: comment = true
            case UInt8(ascii: "\"") where startsToken, UInt8(ascii: "'") where startsToken: quote = byte
            case UInt8(ascii: "*") where startsToken:
                if index + 1 < bytes.count, !" \t\r\n,[]{}".utf8.contains(bytes[index + 1]) { count += 1 }
            default: break
            }
        }
        return count
    }

    /// Reads and checks the job file at `path`.
    public static func load(path: String) throws(Problem) -> JobFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(file: path, line: nil, message: "cannot read the job file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(file: path, line: nil, message: "the job file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses job-file text; `file` names it in problems.
    public static func parse(_ text: String, file: String) throws(Problem) -> JobFile {
        // YAML aliases can make a small file expand without end inside the YAML library (an alias
        // used as a mapping key is compared node by node): refuse what no job file needs.
        guard text.utf8.count <= maxBytes else {
            throw Problem(file: file, line: nil, message: "a job file is at most \(maxBytes / 1024) KiB; this one is larger")
        }
        let aliases = aliasCount(text)
        guard aliases <= maxAliases else {
            throw Problem(file: file, line: nil,
                          message: "the job file uses \(aliases) YAML aliases (*name); idbatch takes at most \(maxAliases), "
                              + "so that a small file cannot expand without end")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Problem(file: file, line: nil, message: "not valid YAML (\(String(describing: error).prefix(200)))")
        }
        guard let root, let top = root.mapping else {
            throw Problem(file: file, line: root?.mark?.line, message: "a job file is a mapping of keys such as version, provider, mapping")
        }
        func problem(_ node: Node?, _ message: String) -> Problem {
            Problem(file: file, line: node?.mark?.line, message: message)
        }
        func scalar(_ node: Node, _ key: String) throws(Problem) -> String {
            guard let value = node.scalar?.string else { throw problem(node, "\(key) must be a single value") }
            return value
        }

        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in top {
            guard let name = key.scalar?.string else { throw problem(key, "keys must be plain words") }
            guard topLevelKeys.contains(name) else {
                throw problem(key, "unknown key '\(name)'\(suggestion(name, among: topLevelKeys)); "
                              + "the keys are \(topLevelKeys.joined(separator: ", "))")
            }
            // `mapping:` with every line commented out is empty, not an error.
            if value.null != nil && name != "version" { continue }
            entries[name] = (key, value)
        }
        guard let version = entries["version"] else {
            throw Problem(file: file, line: nil, message: "version is missing; the first line should be 'version: \(currentVersion)'")
        }
        guard version.value.int == currentVersion else {
            throw problem(version.value, "version \(version.value.scalar?.string ?? "?") is not supported; this idbatch reads version \(currentVersion)")
        }

        var settings = CheckSettings()
        if let node = entries["provider"]?.value {
            let value = try scalar(node, "provider")
            guard let provider = Provider(rawValue: value) else {
                throw problem(node, "provider '\(value)' is not one of \(Provider.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.provider = provider
        }
        if let node = entries["country"]?.value {
            let value = try scalar(node, "country")
            guard let code = ValueText.country(value) else {
                throw problem(node, "country '\(value)' is not a two-letter country code (CO, BR, CL, MX, PE, CR or ALL)")
            }
            if settings.provider.isTruora && !TruoraRequirements.countries.contains(code) {
                throw problem(node, "Truora checks these countries: \(TruoraRequirements.countries.joined(separator: ", "))")
            }
            settings.country = code
        }
        if let node = entries["type"]?.value { settings.type = try scalar(node, "type") }
        if let node = entries["sheet"]?.value { settings.sheet = try scalar(node, "sheet") }
        if let node = entries["header_row"]?.value {
            guard let row = node.int, row >= 1 else { throw problem(node, "header_row must be a row number (1 or more)") }
            settings.headerRow = row
        }
        if let node = entries["dates"]?.value {
            let value = try scalar(node, "dates")
            if value != "auto" {
                guard let order = DateOrder(rawValue: value) else {
                    throw problem(node, "dates must be day-first, month-first or auto")
                }
                settings.dateOrder = order
            }
        }

        let provider = settings.provider
        func checkInput(_ keyNode: Node, _ name: String, allowParts: Bool) throws(Problem) {
            let known = allowParts ? HeaderAliases.isTarget(name, provider: provider) : provider.accepts(name)
            guard known else {
                throw problem(keyNode, "'\(name)' is not an input of \(provider.rawValue)"
                              + ColumnMapper.suggestion(for: name, provider: provider))
            }
        }

        if let node = entries["mapping"]?.value {
            guard let mapping = node.mapping else {
                throw problem(node, "mapping holds input: column pairs (a header text, a column letter or a 1-based number)")
            }
            for (keyNode, value) in mapping {
                let input = try scalar(keyNode, "a mapping key")
                try checkInput(keyNode, input, allowParts: true)
                if let parts = value.mapping {
                    let allowed: [String]
                    switch input {
                    case "date_of_birth", "dob": allowed = ["day", "month", "year"]
                    case "national_id": allowed = ["number", "dv"]
                    default: throw problem(value, "\(input) takes one column; only a date of birth (day, month, year) "
                                           + "or national_id (number, dv) is split over columns")
                    }
                    for (partKey, partValue) in parts {
                        let part = try scalar(partKey, "a part name")
                        guard allowed.contains(part) else {
                            throw problem(partKey, "\(input) has the parts \(allowed.joined(separator: ", ")), not '\(part)'")
                        }
                        let target = part == "number" ? input : "\(input).\(part)"
                        settings.bindings.append(ColumnBinding(column: ColumnReference(try scalar(partValue, part)), target: target))
                    }
                } else if let list = value.sequence {
                    guard input == "last_name", list.count == 2 else {
                        throw problem(value, "only last_name takes a list (two surname columns, joined with a space)")
                    }
                    for (index, item) in list.enumerated() {
                        settings.bindings.append(ColumnBinding(column: ColumnReference(try scalar(item, "a column")),
                                                               target: "last_name.\(index + 1)"))
                    }
                } else {
                    settings.bindings.append(ColumnBinding(column: ColumnReference(try scalar(value, input)), target: input))
                }
            }
        }
        if let node = entries["ignore"]?.value {
            guard let list = node.sequence else { throw problem(node, "ignore is a list of columns") }
            for item in list {
                settings.bindings.append(ColumnBinding(column: ColumnReference(try scalar(item, "a column")),
                                                       target: ColumnBinding.ignore))
            }
        }
        if let node = entries["constants"]?.value {
            guard let constants = node.mapping else { throw problem(node, "constants holds input: value pairs") }
            for (keyNode, value) in constants {
                let input = try scalar(keyNode, "a constant name")
                guard input != "user_authorized" else {
                    throw problem(keyNode, "consent is not a constant: use the consent key (attested_by, reference)")
                }
                guard input != "country" && input != "type" else {
                    throw problem(keyNode, "set \(input) at the top level of the job file")
                }
                try checkInput(keyNode, input, allowParts: input == "document_type")
                settings.constants[input] = try scalar(value, input)
            }
        }
        if let node = entries["consent"]?.value {
            guard let consent = node.mapping else {
                throw problem(node, "consent holds attested_by (who attests that every person authorised the check) "
                              + "and optionally reference")
            }
            var attestedBy: String?
            var reference: String?
            for (keyNode, value) in consent {
                switch try scalar(keyNode, "a consent key") {
                case "attested_by": attestedBy = try scalar(value, "attested_by")
                case "reference": reference = try scalar(value, "reference")
                case let other: throw problem(keyNode, "consent has attested_by and reference, not '\(other)'")
                }
            }
            guard let attestedBy, !attestedBy.trimmed.isEmpty else {
                throw problem(node, "consent needs attested_by: the name or role of the person who attests it")
            }
            settings.consent = ConsentAttestation(attestedBy: attestedBy, reference: reference)
        }
        var reportFormat: ReportFormat?
        if let node = entries["report"]?.value {
            guard let report = node.mapping else { throw problem(node, "report holds format") }
            for (keyNode, value) in report {
                switch try scalar(keyNode, "a report key") {
                case "format":
                    let text = try scalar(value, "format")
                    guard let format = ReportFormat(rawValue: text) else { throw problem(value, "report format is xlsx, csv or same") }
                    reportFormat = format
                case let other: throw problem(keyNode, "report has format, not '\(other)'")
                }
            }
        }
        var trulioo: TruliooJob?
        if let node = entries["trulioo"]?.value {
            guard let section = node.mapping else {
                throw problem(node, "trulioo holds flow_id, signed_url, redirect_url, fields, api")
            }
            var job = TruliooJob()
            for (keyNode, value) in section {
                switch try scalar(keyNode, "a trulioo key") {
                case "flow_id": job.flowID = try scalar(value, "flow_id")
                case "redirect_url": job.redirectURL = try scalar(value, "redirect_url")
                case "api":
                    let text = try scalar(value, "api")
                    guard ["workflow-studio", "platform-v2"].contains(text) else {
                        throw problem(value, "trulioo api is workflow-studio or platform-v2")
                    }
                    job.api = text
                case "fields":
                    guard let fields = value.mapping else {
                        throw problem(value, "trulioo fields maps inputs to the flow's element names: {first_name: First name}")
                    }
                    for (inputNode, elementNode) in fields {
                        let input = try scalar(inputNode, "an input of trulioo fields")
                        guard TruliooField.named(input) != nil else {
                            throw problem(inputNode, "trulioo fields: '\(input)' is not a Trulioo input"
                                          + suggestion(input, among: TruliooField.all.map(\.role)))
                        }
                        job.fields[input] = try scalar(elementNode, "an element name")
                    }
                case "signed_url":
                    guard let flag = ValueText.boolean(try scalar(value, "signed_url")) else {
                        throw problem(value, "signed_url is yes or no")
                    }
                    job.signedURL = flag
                case let other:
                    throw problem(keyNode, "trulioo has flow_id, signed_url, redirect_url, fields and api, not '\(other)'"
                                  + suggestion(other, among: ["flow_id", "signed_url", "redirect_url", "fields", "api"]))
                }
            }
            trulioo = job
        }
        /// A section of scalar keys, each read into `set`.
        func section(_ name: String, keys: [String], _ set: (String, String) -> Void) throws(Problem) -> Bool {
            guard let node = entries[name]?.value else { return false }
            guard let mapping = node.mapping else {
                throw problem(node, "\(name) holds " + keys.joined(separator: ", "))
            }
            for (keyNode, value) in mapping {
                let key = try scalar(keyNode, "a \(name) key")
                guard keys.contains(key) else {
                    throw problem(keyNode, "\(name) has \(keys.joined(separator: " and ")), not '\(key)'"
                                  + suggestion(key, among: keys))
                }
                set(key, try scalar(value, key))
            }
            return true
        }
        var digitalIdentity = DigitalIdentityJob()
        let hasDigitalIdentity = try section("digital_identity", keys: ["flow_id", "redirect_url"]) { key, value in
            if key == "flow_id" { digitalIdentity.flowID = value } else { digitalIdentity.redirectURL = value }
        }
        var whatsApp = WhatsAppJob()
        let hasWhatsApp = try section("whatsapp", keys: ["outbound_id", "flow_id"]) { key, value in
            if key == "flow_id" { whatsApp.flowID = value } else { whatsApp.outboundID = value }
        }
        let folder = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : folder + "/" + path }
        var file = JobFile(settings: settings, reportFormat: reportFormat)
        file.trulioo = trulioo
        if hasDigitalIdentity { file.digitalIdentity = digitalIdentity }
        if hasWhatsApp { file.whatsApp = whatsApp }
        if let node = entries["batch_size"]?.value {
            guard let size = Int(try scalar(node, "batch_size")), (1...JobFile.maxBatchSize).contains(size) else {
                throw problem(node, "batch_size is a number of rows from 1 to \(JobFile.maxBatchSize)")
            }
            file.batchSize = size
        }
        if let node = entries["lang"]?.value {
            guard let language = Language(argument: try scalar(node, "lang")) else {
                throw problem(node, "lang is es, pt or en")
            }
            file.language = language
        }
        if let node = entries["files"]?.value {
            guard let rules = node.sequence else {
                throw problem(node, "files is a list of {match: GLOB, job: FILE}, the first match wins")
            }
            for rule in rules {
                guard let entry = rule.mapping else { throw problem(rule, "each files entry is {match: GLOB, job: FILE}") }
                var match: String?
                var job: String?
                for (keyNode, value) in entry {
                    switch try scalar(keyNode, "a files key") {
                    case "match": match = try scalar(value, "match")
                    case "job": job = try scalar(value, "job")
                    case let other: throw problem(keyNode, "a files entry has match and job, not '\(other)'")
                    }
                }
                guard let match, !match.isEmpty, let job, !job.isEmpty else {
                    throw problem(rule, "each files entry needs match (a glob such as pessoas-*.csv) and job (a job file)")
                }
                file.files.append(FileRule(match: match, job: resolve(job)))
            }
        }
        if let node = entries["default"]?.value {
            file.defaultJob = resolve(try scalar(node, "default"))
        }
        if let node = entries["keep"]?.value {
            let text = try scalar(node, "keep")
            guard let unit = text.last, "smhd".contains(unit), let count = Int(text.dropLast()), count > 0 else {
                throw problem(node, "keep is a duration such as 30d, 12h or 90m")
            }
            file.keep = text
        }
        return file
    }

    static func suggestion(_ name: String, among names: [String]) -> String {
        let best = names.map { ($0, ColumnMapper.editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return "" }
        return " (did you mean \(best.0)?)"
    }
}
