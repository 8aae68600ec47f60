import Foundation
import ProviderAPI
import Sandbox
import Testing

@Suite("Trulioo against the sandbox")
struct TruliooTests {
    static let flow = "66716e402bfde900dccdd90e"

    static func person(_ last: Int) -> [String: String] {
        [
            "first_name": "Jane", "last_name": "Doe", "dob": "1990-04-12", "address_country": "CO",
            "national_id_nr": "103245678\(last)", "email": "jane@example.com",
        ]
    }

    @Test("init, the form steps, back, submit, end; the token is fetched once and reused")
    func flowSteps() async throws {
        // A token that outlives the test even under ThreadSanitizer (an hour is 6 s at speed 600).
        try await Harness.with({ $0.tokenLifetime = 360_000 }) { h in
            let state = try await h.trulioo.initialise(
                TruliooInitRequest(flowId: Self.flow, data: ["first_name": "Jane"]))
            var step = try await h.trulioo.currentStep(userStateId: state.userStateId)
            #expect(step.stepType == "form")
            #expect(step.elements.map(\.role) == ["address_country", "first_name", "last_name", "dob"])
            let missing = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
            }
            #expect(missing?.code == .number(4006) && missing?.status == 400)
            let ids = Dictionary(uniqueKeysWithValues: step.elements.map { ($0.role, $0.id) })
            step = try await h.trulioo.submit(
                userStateId: state.userStateId,
                values: [
                    ids["address_country"]!: "CO", ids["last_name"]!: "Doe", ids["dob"]!: "1990-04-12",
                ])
            #expect(step.stepType == "form" && step.inputs?["canGoBack"] == .bool(true))
            step = try await h.trulioo.back(userStateId: state.userStateId)
            #expect(step.elements.first?.role == "address_country")
            let atStart = await #expect(throws: ProviderError.self) {
                try await h.trulioo.back(userStateId: state.userStateId)
            }
            #expect(atStart?.code == .number(4103))
            step = try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
            let second = Dictionary(uniqueKeysWithValues: step.elements.map { ($0.role, $0.id) })
            let badEmail = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submit(userStateId: state.userStateId, values: [second["email"]!: "not-an-email"])
            }
            #expect(badEmail?.code == .number(4008))
            step = try await h.trulioo.submit(
                userStateId: state.userStateId, values: [second["national_id_nr"]!: "1032456780"])
            #expect(step.isEnd)
            #expect(step.outputs?["status"] == "ACCEPTED")
            let finished = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
            }
            #expect(finished?.code == .number(4013) && finished?.status == 409)
            let profile = try await h.trulioo.profile(clientId: state.userStateId)
            #expect(profile.status == "ACCEPTED")
            #expect(profile.data?["flowData"]?[Self.flow]?["completed"] == .bool(true))
            #expect(await h.trulioo.tokenFetches == 1)
        }
    }

    @Test("init validates roles and values, updates an existing state, and replays an Idempotency-Key")
    func initialise() async throws {
        try await Harness.with { h in
            let unknownFlow = await #expect(throws: ProviderError.self) {
                try await h.trulioo.initialise(TruliooInitRequest(flowId: "000000000000000000000000", data: [:]))
            }
            #expect(unknownFlow?.code == .number(4000) && unknownFlow?.status == 404)
            let badRole = await #expect(throws: ProviderError.self) {
                try await h.trulioo.initialise(TruliooInitRequest(flowId: Self.flow, data: ["fist_name": "Jane"]))
            }
            #expect(badRole?.message.contains("fist_name") == true)
            let badDate = await #expect(throws: ProviderError.self) {
                try await h.trulioo.initialise(TruliooInitRequest(flowId: Self.flow, data: ["dob": "31/02/1990"]))
            }
            #expect(badDate?.code == .number(4008))
            let created = try await h.trulioo.initialise(
                TruliooInitRequest(flowId: Self.flow, data: Self.person(9)),
                idempotencyKey: "row-17")
            let replayed = try await h.trulioo.initialise(
                TruliooInitRequest(flowId: Self.flow, data: Self.person(9)),
                idempotencyKey: "row-17")
            #expect(replayed.userStateId == created.userStateId)
            #expect(h.sandbox.statistics.truliooUserStatesCreated == 1)
            let updated = try await h.trulioo.initialise(
                TruliooInitRequest(
                    flowId: Self.flow, userStateId: created.userStateId,
                    data: ["email": "jane.doe@example.com"]))
            #expect(updated.userStateId == created.userStateId)
            // Everything was prefilled: the first submit of each form needs nothing more.
            _ = try await h.trulioo.submit(userStateId: created.userStateId, values: [:])
            let end = try await h.trulioo.submit(userStateId: created.userStateId, values: [:])
            #expect(end.outputs?["status"] == "DECLINED")
        }
    }

    @Test("a slow identity service is pending, then ends")
    func pending() async throws {
        // Speed 60: the service stays pending for half a second.
        try await Harness.with({ $0.speed = 60 }) { h in
            let state = try await h.trulioo.initialise(TruliooInitRequest(flowId: Self.flow, data: Self.person(8)))
            _ = try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
            let step = try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
            #expect(step.stepType == "pending")
            #expect(try await h.eventually { try await h.trulioo.currentStep(userStateId: state.userStateId).isEnd })
        }
    }

    @Test("end clients: profiles, bulk status transitions, bulk delete, links, signed URLs, handoff, files, events")
    func endClients() async throws {
        try await Harness.with { h in
            var ids: [String] = []
            for digit in [0, 9, 6] {
                let state = try await h.trulioo.initialise(
                    TruliooInitRequest(flowId: Self.flow, data: Self.person(digit)))
                _ = try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
                _ = try await h.trulioo.submit(userStateId: state.userStateId, values: [:])
                ids.append(state.userStateId)
            }
            let fresh = try await h.trulioo.initialise(TruliooInitRequest(flowId: Self.flow, data: [:])).userStateId
            let page = try await h.trulioo.profiles(limit: 3, page: 0)
            #expect(page.profiles.count == 3 && !page.last)
            #expect(try await h.trulioo.profiles(limit: 3, page: 1).last)

            let result = try await h.trulioo.bulkStatus(
                TruliooBulkStatusRequest(
                    clientIds: ids + [fresh, "missing"], status: "PENDING_REVIEW", note: "second look"))
            #expect(result.updated == [ids[0], ids[1]])
            #expect(result.failed.map(\.code) == [4111, 4111, 4100])
            #expect(try await h.trulioo.profile(clientId: ids[0]).status == "PENDING_REVIEW")
            let tooMany = await #expect(throws: ProviderError.self) {
                try await h.trulioo.bulkStatus(
                    TruliooBulkStatusRequest(
                        clientIds: Array(repeating: "x", count: 2001),
                        status: "ACCEPTED", note: nil))
            }
            #expect(tooMany?.status == 400)

            let link = TruliooLink(from: ids[0], to: ids[1], type: "DUPLICATE_OF")
            try await h.trulioo.link(link)
            let twice = await #expect(throws: ProviderError.self) { try await h.trulioo.link(link) }
            #expect(twice?.status == 409)
            try await h.trulioo.unlink(link)

            let signed = try await h.trulioo.signedURL(TruliooSignedURLRequest(flowId: Self.flow, userStateId: fresh))
            #expect(signed.url.count <= 256 && signed.userStateId == fresh)
            #expect(try await h.get(signed.url).status == 200)
            #expect(try await h.get(signed.url).status == 401)
            let handoff = try await h.trulioo.handoff(userStateId: fresh)
            #expect(handoff.expiresInSeconds == 300 && handoff.shortCode.count == 16)

            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)
            _ = try await h.trulioo.submitFile(
                userStateId: fresh, fileName: "front.png", contentType: "image/png", bytes: png)
            let files = try await h.trulioo.profile(clientId: fresh).data?["flowData"]?[Self.flow]?["fileData"]?.object
            let fileId = try #require(files?.keys.first)
            let downloaded = try await h.trulioo.profileFile(clientId: fresh, fileId: fileId)
            #expect(downloaded.bytes == png && downloaded.contentType == "image/png")
            let text = await #expect(throws: ProviderError.self) {
                try await h.trulioo.submitFile(
                    userStateId: fresh, fileName: "a.txt", contentType: "text/plain", bytes: [65])
            }
            #expect(text?.code == .number(4008))

            try await h.trulioo.sendEvent([
                "type": "EVENT_CALLBACK", "event": ["type": "FLOW_END", "user": .string(fresh)],
            ])
            #expect(try await h.trulioo.workflows().first?.id == Self.flow)
            let deleted = try await h.trulioo.bulkDelete(clientIds: [ids[2], "missing"])
            #expect(deleted.deleted == [ids[2]] && deleted.notFound == ["missing"])
        }
    }

    @Test("wrong client credentials give a clear credentials error without the secret")
    func badCredentials() async throws {
        try await Harness.with(truliooSecret: "s3cr3t-value") { h in
            let error = await #expect(throws: ProviderError.self) { try await h.trulioo.workflows() }
            #expect(error?.kind == .credentials)
            #expect(error?.code == .text("invalid_client"))
            #expect(error?.description.contains("TRULIOO_CLIENT_SECRET") == true)
            #expect(error?.description.contains("s3cr3t") == false)
        }
    }
}
