import Foundation
import ProviderAPI

/// The pre-flight look at Truora's databases (`GET /v1/health`) for a run's country: which are
/// down in the current local hour. A database down is a warning, not a stop: the checks are still
/// made, and the databases that answer still count. With a wait, looks again until none is down
/// or the wait runs out.
struct HealthCheck: Sendable {
    let client: TruoraClient
    let control: RunControl

    /// Hourly statuses that mean a database is not answering.
    static let downStatuses: Set<String> = ["major_outage", "partial_outage", "under_maintenance"]

    /// The databases of `country` down now, as `name (status)`.
    func down(country: String, at now: Date = Date()) async throws(ProviderError) -> [String] {
        let offset = TimeZone.current.secondsFromGMT(for: now)
        let seconds = Int(now.timeIntervalSince1970)
        let databases = try await client.health(country: country, unixTimestampSeconds: seconds,
                                                timezoneOffsetSeconds: offset)
        let hour = (((seconds + offset) % 86_400) + 86_400) % 86_400 / 3_600
        return databases.compactMap { database in
            guard hour < database.hourlyStatus.count, Self.downStatuses.contains(database.hourlyStatus[hour]) else {
                return nil
            }
            return "\(database.databaseName) (\(database.hourlyStatus[hour]))"
        }
    }

    /// Warnings for the run: the databases still down once `wait` has run out (none when all are
    /// up), or why their health could not be read. Returns the requests made too.
    func preflight(country: String, wait: Duration, every interval: Duration) async -> (warnings: [String], looks: Int) {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        var looks = 0
        while true {
            let down: [String]
            do {
                looks += 1
                down = try await self.down(country: country)
            } catch {
                return (["the health of Truora's \(country) databases could not be read (\(error.description))"], looks)
            }
            if down.isEmpty { return ([], looks) }
            guard clock.now < deadline, !control.isStopped else {
                return (["Truora reports \(country) databases down: \(down.joined(separator: ", ")); "
                         + "their datasets may come back empty or late"], looks)
            }
            let wake = min(deadline, clock.now + interval)
            await control.nap(until: wake)
        }
    }
}
