import Foundation
import HTTPTypes
import Hummingbird

/// Truora's `Truora-API-Key` on every route of the group: any JWT-shaped key (three base64url
/// parts) that has not expired. Its `api_key_version` claim (default 0) goes on the context.
struct TruoraAuthentication: RouterMiddleware {
    typealias Context = SandboxContext

    static let header = HTTPField.Name("Truora-API-Key")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let key = request.headers[Self.header] else {
            return Reply.truoraError(401, "Unauthorized: the Truora-API-Key header is missing")
        }
        switch TruoraKey.check(key, now: Date()) {
        case .failure(let reason):
            return Reply.truoraError(401, "Unauthorized: \(reason)")
        case .success(let version):
            var context = context
            context.truoraKeyVersion = version
            return try await next(request, context)
        }
    }
}

/// Trulioo's bearer token on every route of the group: one the sandbox issued and that has not expired.
struct TruliooAuthentication: RouterMiddleware {
    typealias Context = SandboxContext

    let state: TruliooState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return Reply.truliooUnauthorized()
        }
        guard await state.tokenValid(String(header.dropFirst(7))) else {
            return Reply.truliooUnauthorized("Jwt is expired")
        }
        return try await next(request, context)
    }
}

/// Strict mode: a path no route serves is refused as Truora's API gateway refuses it,
/// `403 {"message":"Missing Authentication Token"}`, instead of a 404 a client might take for an
/// unknown record.
struct StrictPaths: RouterMiddleware {
    typealias Context = SandboxContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return Reply.json(["message": "Missing Authentication Token"], status: .forbidden)
        }
    }
}
