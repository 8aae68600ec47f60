import Foundation

/// Encoders and decoders the clients and the sandbox share.
public enum JSONCoding {
    public static func decoder() -> JSONDecoder { JSONDecoder() }

    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func encode(_ value: some Encodable) -> [UInt8] {
        // The models encode only strings, numbers and containers; failure is a programming error.
        Array((try? encoder().encode(value)) ?? Data("null".utf8))
    }
}

extension RequestExecutor {
    /// Decodes a 2xx answer, or fails as `decoding` naming the operation (never the body).
    func decode<T: Decodable>(
        _ type: T.Type, _ response: WireResponse, operation: String,
        retrySafe: Bool
    ) throws(ProviderError) -> T {
        do {
            return try JSONCoding.decoder().decode(T.self, from: Data(response.body))
        } catch {
            keepAnswer?(operation, response.status, response.body)
            // JSON without a field the run needs is an answer of another shape; bytes that are not
            // JSON at all may be a cut-short answer.
            let shapeOnly: Bool
            switch error as? DecodingError {
            case .keyNotFound?, .typeMismatch?, .valueNotFound?: shapeOnly = true
            case .dataCorrupted(let context)?: shapeOnly = !context.codingPath.isEmpty
            default: shapeOnly = false
            }
            throw ProviderError(
                provider: provider, operation: operation, kind: shapeOnly ? .unexpectedAnswer : .decoding,
                status: response.status, message: Self.decodingReason(error), retrySafe: retrySafe)
        }
    }

    /// A success answer without `field`, which the run needs: kept for a support ticket, and an
    /// error that names the field.
    func unexpected(_ response: WireResponse, operation: String, field: String, retrySafe: Bool) -> ProviderError {
        keepAnswer?(operation, response.status, response.body)
        return ProviderError(
            provider: provider, operation: operation, kind: .unexpectedAnswer, status: response.status,
            message: "field '\(field)' is missing", retrySafe: retrySafe)
    }

    static func decodingReason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "field '\(key.stringValue)' is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has an unexpected type"
        case .dataCorrupted(let context)?:
            context.codingPath.isEmpty
                ? "not JSON" : "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' is malformed"
        default: "not the expected shape"
        }
    }
}

/// Percent-encodes one path segment or query value.
func escapeComponent(_ text: String) -> String {
    FormBody.escape(text).replacingOccurrences(of: "+", with: "%20")
}

/// `?name=value&...` of the items that have a value; empty when none has.
func queryString(_ items: [(String, String?)]) -> String {
    let present = items.compactMap { name, value in value.map { "\(name)=\(escapeComponent($0))" } }
    return present.isEmpty ? "" : "?" + present.joined(separator: "&")
}
