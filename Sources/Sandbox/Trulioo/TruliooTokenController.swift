import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI

/// OAuth client credentials: `/connect/token` and the seed's `/customer/v2/auth/customer`.
struct TruliooTokenController {
    let state: TruliooState
    let configuration: SandboxConfiguration

    func register(on router: Router<SandboxContext>) {
        if !configuration.strict {
            router.post("/customer/v2/auth/customer") { request, context in try await token(request, context) }
        }
        router.post("/connect/token") { request, context in try await token(request, context) }
    }

    private func token(_ request: Request, _ context: SandboxContext) async throws -> Response {
        let form = try await request.form(context)
        let headers: HTTPFields = [.cacheControl: "no-store"]
        guard form["grant_type"] == "client_credentials" else {
            return Reply.json(
                TruliooErrorBody(oauthError: "unsupported_grant_type"), status: .badRequest, headers: headers)
        }
        // Basic authentication carries the credentials too.
        var id = form["client_id"], secret = form["client_secret"]
        if let basic = request.headers[.authorization], basic.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        {
            id = String(decoded[..<colon])
            secret = String(decoded[decoded.index(after: colon)...])
        }
        guard id == configuration.truliooClientID, secret == configuration.truliooClientSecret else {
            return Reply.json(TruliooErrorBody(oauthError: "invalid_client"), status: .badRequest, headers: headers)
        }
        let token = await state.issueToken(lifetime: Double(configuration.tokenLifetime))
        let lifetime = JSONValue.number(Double(configuration.tokenLifetime))
        let scope = JSONValue.string(form["scope"] ?? "workflow.studio.api")
        let answer: JSONValue =
            switch configuration.truliooTokenForm {
            case .oauth: ["access_token": .string(token), "expires_in": lifetime, "token_type": "Bearer", "scope": scope]
            case .pascal: ["Token": .string(token), "TokenType": "bearer", "ExpiresIn": lifetime, "scope": scope]
            case .legacy: ["accessToken": .string(token), "expires": lifetime]
            }
        return Reply.json(answer, headers: headers)
    }
}
