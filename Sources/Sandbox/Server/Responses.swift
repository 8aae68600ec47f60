import HTTPTypes
import Hummingbird
import NIOCore
import ProviderAPI

/// Building answers in the providers' shapes.
enum Reply {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response
    {
        let bytes = JSONCoding.encode(value)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Truora's envelope: `{"code": 10000 + status, "http_code": status, "message": ...}`.
    static func truoraError(_ status: Int, _ message: String, headers: HTTPFields = [:]) -> Response {
        json(
            TruoraErrorBody(code: 10000 + status, httpCode: status, message: message),
            status: HTTPResponse.Status(code: status), headers: headers)
    }

    /// Trulioo's platform errors: `{"code": 4006, "message": ..., "details": ...}` at the HTTP status of the code.
    static func truliooError(_ code: Int, _ message: String, details: JSONValue? = nil) -> Response {
        let status: Int =
            switch code {
            case 4000, 4002, 4100, 4101: 404
            case 4013, 4109: 409
            case 4200, 4201: 422
            case 4009: 502
            case 6504: 504
            case 100..<600: code
            default: 400
            }
        return json(
            TruliooErrorBody(code: code, message: message, details: details), status: HTTPResponse.Status(code: status))
    }

    static func truliooUnauthorized(_ message: String = "Unauthorized") -> Response {
        json(["message": message], status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// What S3 answers a signed link it refuses: an XML error, 404 for a missing key, else 403.
    static func s3Error(_ code: String, _ message: String) -> Response {
        let xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(code)</Code><Message>\(message)</Message></Error>"
        return bytes(Array(xml.utf8), contentType: "application/xml", status: code == "NoSuchKey" ? .notFound : .forbidden)
    }

    /// The error a fault or the rate limit answers with, in the shape of the provider behind `path`.
    static func fault(status: Int, path: String, headers: HTTPFields = [:]) -> Response {
        let reason = HTTPResponse.Status(code: status).reasonPhrase
        if path.hasPrefix("/v1/") { return truoraError(status, reason.isEmpty ? "error" : reason, headers: headers) }
        if status == 401 { return truliooUnauthorized() }
        return json(["message": reason], status: HTTPResponse.Status(code: status), headers: headers)
    }
}

extension Request {
    /// The whole body as bytes (up to the context's upload limit).
    func bytes(_ context: SandboxContext) async throws -> [UInt8] {
        Array(buffer: try await body.collect(upTo: context.maxUploadSize))
    }

    /// A form body (Truora) or the query string.
    func form(_ context: SandboxContext) async throws -> FormBody {
        FormBody.parse(String(decoding: try await bytes(context), as: UTF8.self))
    }

    var query: FormBody { FormBody.parse(uri.query ?? "") }

    /// `http://host:port` as the client reached us, for links we hand out.
    var origin: String {
        "http://" + (head.authority ?? "127.0.0.1")
    }
}
