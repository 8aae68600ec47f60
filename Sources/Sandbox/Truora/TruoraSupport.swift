import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI
import Spreadsheet

/// Durations in Truora's forms: `25m`/`2h` (settings) and `daily`/`3d`/`2w`/`1m`/`1y` (frequencies).
enum Durations {
    static func minutes(_ text: String) -> Int? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
        switch unit {
        case "m": return n
        case "h": return n * 60
        default: return nil
        }
    }

    /// Sandbox seconds between runs.
    static func frequency(_ text: String) -> Double? {
        let day = 86_400.0
        switch text {
        case "daily": return day
        case "weekly": return 7 * day
        case "monthly": return 30 * day
        case "yearly": return 365 * day
        default:
            guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return nil }
            switch unit {
            case "d": return Double(n) * day
            case "w": return Double(n) * 7 * day
            case "m": return Double(n) * 30 * day
            case "y": return Double(n) * 365 * day
            default: return nil
            }
        }
    }
}

/// A one-page PDF that PDF readers open.
enum TinyPDF {
    static func make(title: String) -> [UInt8] {
        let text = title.filter { $0.isASCII && $0 != "(" && $0 != ")" && $0 != "\\" }
        let stream = "BT /F1 14 Tf 72 720 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            out += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(out.utf8)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
