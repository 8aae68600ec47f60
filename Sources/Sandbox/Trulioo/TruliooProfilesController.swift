import CheckInputs
import Foundation
import HTTPTypes
import Hummingbird
import ProviderAPI

/// End clients: profiles (the seed's bare array, or pages when configured), their files, links,
/// bulk status and delete, and events.
struct TruliooProfilesController {
    let state: TruliooState
    let configuration: SandboxConfiguration

    func register(on api: RouterGroup<SandboxContext>) {
        api.get("/profiles") { request, _ in
            let q = request.query
            let limit = min(max(q["limit"].flatMap(Int.init) ?? 50, 1), 1000)
            let page = max(q["page"].flatMap(Int.init) ?? 0, 0)
            let (users, last) = await state.profiles(limit: limit, page: page)
            var profiles: [TruliooProfile] = []
            for user in users { profiles.append(await state.profile(user)) }
            // The seed documents a bare array; the `{data, last}` page is what some accounts see.
            guard configuration.pagedProfiles else { return Reply.json(profiles) }
            return Reply.json(TruliooProfilesPage(profiles: profiles, last: last))
        }
        api.get("/profiles/{clientId}") { request, context in
            guard let user = await state.state(try context.parameters.require("clientId")) else {
                return clientNotFound
            }
            return Reply.json(await state.profile(user))
        }
        api.get("/profiles/{clientId}/file/{fileId}") { request, context in
            guard let user = await state.state(try context.parameters.require("clientId")) else {
                return clientNotFound
            }
            guard let file = user.files[try context.parameters.require("fileId")] else {
                return Reply.truliooError(404, "File not found")
            }
            return Reply.bytes(file.bytes, contentType: file.contentType)
        }
        api.post("/endclients/link") { request, context in
            try await link(request, context, create: true)
        }
        api.delete("/endclients/link") { request, context in
            try await link(request, context, create: false)
        }
        api.post("/endclients/bulkdelete") { request, context in
            guard
                let body = try? JSONDecoder().decode(
                    TruliooBulkDeleteRequest.self, from: Data(try await request.bytes(context)))
            else { return Reply.truliooError(4007, "Submitted data is malformed: expected {\"clientIds\": [...]}") }
            guard body.clientIds.count <= 2000 else {
                return Reply.truliooError(
                    4008, "Failed validation for submitted data: at most 2000 clientIds per call")
            }
            let (deleted, missing) = await state.delete(body.clientIds)
            return Reply.json(TruliooBulkDeleteResult(deleted: deleted, notFound: missing))
        }
        api.post("/endclients/bulkstatus") { request, context in
            guard
                let body = try? JSONDecoder().decode(
                    TruliooBulkStatusRequest.self, from: Data(try await request.bytes(context)))
            else {
                return Reply.truliooError(
                    4007, "Submitted data is malformed: expected {\"clientIds\": [...], \"status\": ...}")
            }
            guard body.clientIds.count <= 2000 else {
                return Reply.truliooError(
                    4008, "Failed validation for submitted data: at most 2000 clientIds per call")
            }
            let statuses: Set<String> = [
                "NOT_STARTED", "IN_PROGRESS", "ABANDONED", "ACCEPTED", "DECLINED", "PENDING_REVIEW",
            ]
            guard statuses.contains(body.status) else {
                return Reply.truliooError(
                    4007,
                    "Submitted data is malformed: status must be one of "
                        + statuses.sorted().joined(separator: ", "))
            }
            return Reply.json(await state.setStatus(body.clientIds, to: body.status))
        }
        api.post("/events") { request, context in
            guard
                case .object? = try? JSONDecoder().decode(
                    JSONValue.self, from: Data(try await request.bytes(context)))
            else {
                return Reply.truliooError(4007, "Submitted data is malformed: an event is a JSON object")
            }
            state.stats.event()
            return Response(status: .accepted)
        }
    }

    private var clientNotFound: Response { Reply.truliooError(4100, "Client not found") }

    private func link(_ request: Request, _ context: SandboxContext, create: Bool) async throws -> Response {
        guard let link = try? JSONDecoder().decode(TruliooLink.self, from: Data(try await request.bytes(context)))
        else {
            return Reply.truliooError(4007, "Submitted data is malformed: expected {\"from\", \"to\", \"type\"}")
        }
        guard ["RELATES_TO", "DUPLICATE_OF", "OWNS", "OWNED_BY"].contains(link.type) else {
            return Reply.truliooError(
                4007, "Submitted data is malformed: type must be RELATES_TO, DUPLICATE_OF, OWNS or OWNED_BY")
        }
        switch await state.link(link, create: create) {
        case .done: return Response(status: create ? .created : .noContent)
        case .missingClient: return clientNotFound
        case .exists:
            return Reply.json(["code": JSONValue.number(409), "message": "the link already exists"], status: .conflict)
        case .absent: return Reply.json(["code": JSONValue.number(404), "message": "no such link"], status: .notFound)
        }
    }

}
