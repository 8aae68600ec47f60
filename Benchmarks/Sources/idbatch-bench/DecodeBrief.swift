import Foundation
import ProviderAPI
import Sandbox

/// `idbatch-bench decode-brief [ITERATIONS]`
///
/// Reads the check brief (check_id, status, scores) out of the answers a run reads twice per row,
/// a created check and a finished one as the sandbox writes them, with JSONDecoder and with the
/// byte scanner the client uses, and prints the time per answer of each.
func decodeBriefBenchmark(_ arguments: [String]) async throws {
    let iterations = arguments.first.flatMap { Int($0) } ?? 20_000
    var configuration = SandboxConfiguration()
    configuration.speed = 100_000
    let running = try await Sandbox(configuration: configuration).start()
    let transport = HTTP1Transport()
    let headers = [("Truora-API-Key", Sandbox.truoraKey()), ("Content-Type", "application/x-www-form-urlencoded")]
    let created = try await transport.send(
        WireRequest(method: "POST", url: running.baseURL + "/v1/checks", headers: headers,
                    body: Array("national_id=1032456780&country=CO&type=person&user_authorized=true".utf8)),
        timeout: .seconds(10)).body
    guard let id = TruoraCheckBrief(scanning: created)?.checkID else { throw BenchFailure("no check made") }
    try await Task.sleep(for: .milliseconds(200))
    let finished = try await transport.send(
        WireRequest(method: "GET", url: running.baseURL + "/v1/checks/\(id)", headers: headers),
        timeout: .seconds(10)).body
    await transport.shutdown()
    await running.stop()

    for (name, body) in [("created", created), ("finished", finished)] {
        let data = Data(body)
        var sink = 0
        let decoderStart = ContinuousClock.now
        for _ in 0..<iterations {
            sink &+= try JSONDecoder().decode(TruoraCheckBrief.self, from: data).checkID.utf8.count
        }
        let decoder = (ContinuousClock.now - decoderStart).seconds
        let scannerStart = ContinuousClock.now
        for _ in 0..<iterations { sink &+= TruoraCheckBrief(scanning: body)?.checkID.utf8.count ?? 0 }
        let scanner = (ContinuousClock.now - scannerStart).seconds
        let each = { (seconds: Double) in String(format: "%.2f µs", seconds * 1e6 / Double(iterations)) }
        print("decode-brief \(name) answer (\(body.count) bytes): JSONDecoder \(each(decoder)), scanner \(each(scanner)), "
            + String(format: "%.1fx", decoder / scanner) + (sink == 0 ? " (nothing read)" : ""))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
