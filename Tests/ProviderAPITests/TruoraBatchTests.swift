import Foundation
import ProviderAPI
import Sandbox
import Spreadsheet
import Testing

@Suite("Truora batches against the sandbox")
struct TruoraBatchTests {
    /// An xlsx written by the project's writer: a header row of input names, then rows.
    static func workbook(_ rows: [[String]]) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "/batch-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try XLSXWriter(path: path, options: .init(sheetName: "Batch", textColumns: [0]))
        try writer.writeAll(
            rows.enumerated().map { index, cells in
                Row(number: index + 1, cells: cells.map { Cell(text: $0, type: $0.isEmpty ? .empty : .text) })
            })
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test("create, upload once, start, complete, and a report with one line per uploaded row")
    func roundTrip() async throws {
        // Speed 60: the upload link lasts 30 s, the checks a second.
        try await Harness.with({ $0.speed = 60 }) { h in
            let batch = try await h.truora.createBatch(
                type: "person", country: "CO",
                columnsMapping: ["national_id": 0, "date_of_birth": 1])
            #expect(batch.batchID.hasPrefix("BAT"))
            #expect(batch.status == "not_started")
            #expect(batch.columns == ["national_id", "date_of_birth"])
            let link = try #require(batch.fileUploadLink)

            let early = await #expect(throws: ProviderError.self) { try await h.truora.startBatch(batch.batchID) }
            #expect(early?.status == 400)

            let file = try Self.workbook([
                ["national_id", "date_of_birth"],
                ["1032456780", "1990-04-12"],
                ["1032456789", ""],
                ["12", "1990-04-12"],
                ["", ""],
                ["1032456780", "1990-04-12"],
            ])
            try await h.truora.uploadBatchFile(link: link, xlsx: file)
            let second = await #expect(throws: ProviderError.self) {
                try await h.truora.uploadBatchFile(link: link, xlsx: file)
            }
            #expect(second?.status == 403)

            let started = try await h.truora.startBatch(batch.batchID)
            #expect(started.status == "in_progress")
            #expect(started.size == 4)
            #expect(started.createdChecksCount == 3 && started.invalidChecksCount == 1)
            let notRequested = await #expect(throws: ProviderError.self) {
                try await h.truora.getBatchReport(batch.batchID)
            }
            #expect(notRequested?.status == 404)
            #expect(try await h.eventually { try await h.truora.getBatch(batch.batchID).status == "completed" })
            // The repeated row found the first row's check: one check per distinct input.
            #expect(h.sandbox.statistics.checksCreated == 2)
            #expect(try await h.truora.listChecks(reportID: batch.batchID).checks.count == 2)

            for format in ["xlsx", "csv"] {
                let requested = try await h.truora.requestBatchReport(batch.batchID, format: format)
                #expect(requested.status == "in_progress")
                let report = try await h.truora.getBatchReport(batch.batchID)
                #expect(report.status == "completed" && report.format == format)
                let bytes = try await h.truora.downloadBatchReport(link: try #require(report.reportLink))
                let path = NSTemporaryDirectory() + "/report-\(UUID().uuidString).\(format)"
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
                defer { try? FileManager.default.removeItem(atPath: path) }
                let reader = try SpreadsheetReader(path: path)
                var rows: [[String]] = []
                while let row = try reader.next() { rows.append(row.cells.map(\.text)) }
                #expect(rows.first == ["row", "check_id", "status", "score", "failure_reason", "national_id",
                                       "date_of_birth"])
                // The inputs as uploaded come back beside each line, so a client can check its rows.
                #expect(rows.dropFirst().map { $0[5] } == ["1032456780", "1032456789", "12", "1032456780"])
                #expect(rows.dropFirst().map { $0[0] } == ["2", "3", "4", "6"])
                #expect(rows[3][2] == "invalid")
                #expect(rows[3][4].contains("national_id"))
                #expect(rows[1][2] == "completed" && rows[1][3] == "1")
                #expect(rows[2][3] == "0.4")
                #expect(rows[4][1] == rows[1][1])
            }
            let stop = await #expect(throws: ProviderError.self) { try await h.truora.stopBatch(batch.batchID) }
            #expect(stop?.status == 400)
        }
    }

    @Test("links expire, unmapped defaults follow the requirement table, too many rows fail the batch, stop works")
    func limits() async throws {
        try await Harness.with({
            $0.uploadLinkLifetime = 60
            $0.speed = 60
        }) { h in
            let expiring = try await h.truora.createBatch(type: "person", country: "BR")
            #expect(expiring.columns?.first == "national_id")
            try await Task.sleep(for: .milliseconds(1500))  // 90 sandbox seconds
            let expired = await #expect(throws: ProviderError.self) {
                try await h.truora.uploadBatchFile(link: expiring.fileUploadLink!, xlsx: try Self.workbook([["x"]]))
            }
            #expect(expired?.status == 403)
        }
        // Links that last (30 minutes at speed 60): a slow machine, as under ThreadSanitizer, still uploads in time.
        try await Harness.with({
            $0.batchRowLimit = 2
            $0.speed = 60
        }) { h in
            let big = try await h.truora.createBatch(type: "person", country: "CO", columnsMapping: ["national_id": 0])
            try await h.truora.uploadBatchFile(
                link: big.fileUploadLink!,
                xlsx: try Self.workbook([["1032456780"], ["1032456781"], ["1032456782"]]))
            let failed = try await h.truora.startBatch(big.batchID)
            #expect(failed.status == "failed")
            #expect(failed.failureReason?.contains("at most 2") == true)
            #expect(h.sandbox.statistics.checksCreated == 0)

            let stopped = try await h.truora.createBatch(type: "person", country: "CO")
            #expect(try await h.truora.stopBatch(stopped.batchID).status == "stopped")
        }
    }
}
