import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI


/// Checks Trulioo values (element id → value) with the project's own format rules.
enum TruliooInputCheck {
    static func validate(_ values: [String: String]) -> Response? {
        var record: [(name: String, value: String)] = []
        var elementByRole: [String: String] = [:]
        for (id, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let element = SandboxWorkflow.element(id: id), !element.role.isEmpty else { continue }
            record.append((element.role, value))
            elementByRole[element.role] = id
        }
        var settings = CheckSettings(provider: .trulioo)
        settings.dateOrder = .dayFirst
        guard let outcome = try? RowValidator.validate(record: record, settings: settings) else { return nil }
        guard let issue = outcome.errors.first(where: { $0.code != RowIssue.Code.emptyRow.rawValue }) else {
            return nil
        }
        return Reply.truliooError(
            4008, "Failed validation for submitted data: \(issue.text(.en))",
            details: ["elementId": .string(elementByRole[issue.column] ?? issue.column)])
    }
}

/// Just enough multipart/form-data to take a file and a few fields.
enum Multipart {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        var body: [UInt8]
    }

    static func parse(_ body: [UInt8], contentType: String) -> [Part]? {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let range = contentType.range(of: "boundary=")
        else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var positions: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<i + delimiter.count]) == delimiter {
                positions.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var chunk = Array(body[start + delimiter.count..<end])
            if chunk.starts(with: [13, 10]) { chunk.removeFirst(2) }
            if chunk.suffix(2) == [13, 10] { chunk.removeLast(2) }
            guard let split = find([13, 10, 13, 10], in: chunk) else { continue }
            let headerText = String(decoding: chunk[..<split], as: UTF8.self)
            var part = Part(name: "", body: Array(chunk[(split + 4)...]))
            for line in headerText.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    part.name = parameter("name", in: line) ?? ""
                    part.fileName = parameter("filename", in: line)
                } else if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                        .lowercased()
                }
            }
            parts.append(part)
        }
        return parts
    }

    private static func parameter(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: " \(name)=\"") ?? line.range(of: ";\(name)=\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<i + needle.count]) == needle { return i }
        return nil
    }
}
