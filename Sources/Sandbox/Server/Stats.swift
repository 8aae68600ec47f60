import NIOConcurrencyHelpers
import ProviderAPI

/// What `GET /_sandbox/stats` reports: requests by route and status, checks created per
/// normalised input (keyed by a hash, never the ID itself), duplicates and faults injected.
final class Stats: Sendable {
    struct Snapshot: Codable, Sendable, Equatable {
        /// `"POST /v1/checks"` → `"201"` → count.
        var requests: [String: [String: Int]] = [:]
        var checksCreated = 0
        /// Checks created for an input that already had one (forced or not).
        var duplicates = 0
        /// Hash of the normalised input → checks created for it.
        var checksByInput: [String: Int] = [:]
        var faults: [String: Int] = [:]
        var trulioo = TruliooCounts()
        var identity = IdentityCounts()
        var events = 0

        struct IdentityCounts: Codable, Sendable, Equatable {
            var webKeysCreated = 0
            var messagesSent = 0
            /// Hash of the account id → processes started for it (links and messages).
            var processesByAccount: [String: Int] = [:]

            enum CodingKeys: String, CodingKey {
                case webKeysCreated = "web_keys_created", messagesSent = "messages_sent"
                case processesByAccount = "processes_by_account"
            }
        }

        struct TruliooCounts: Codable, Sendable, Equatable {
            var tokensIssued = 0
            /// Workflow Studio sessions started (`GET flow/{flowId}` without a session).
            var sessionsStarted = 0
            var userStatesCreated = 0
            var userStatesUpdated = 0
            /// Hash of the init data → user states created with it.
            var userStatesByInput: [String: Int] = [:]

            enum CodingKeys: String, CodingKey {
                case tokensIssued = "tokens_issued", sessionsStarted = "sessions_started"
                case userStatesCreated = "user_states_created"
                case userStatesUpdated = "user_states_updated", userStatesByInput = "user_states_by_input"
            }
        }

        enum CodingKeys: String, CodingKey {
            case requests, checksCreated = "checks_created", duplicates, checksByInput = "checks_by_input", faults
            case trulioo, identity, events
        }
    }

    private let state = NIOLockedValueBox(Snapshot())

    var snapshot: Snapshot { state.withLockedValue { $0 } }

    func reset() { state.withLockedValue { $0 = Snapshot() } }

    func request(_ route: String, status: Int) {
        state.withLockedValue { $0.requests[route, default: [:]][String(status), default: 0] += 1 }
    }

    func fault(_ kind: FaultPlan.Kind) {
        state.withLockedValue { $0.faults[kind.name, default: 0] += 1 }
    }

    func checkCreated(inputKey: String) {
        state.withLockedValue {
            let key = Self.hash(inputKey)
            let before = $0.checksByInput[key, default: 0]
            if before > 0 { $0.duplicates += 1 }
            $0.checksByInput[key] = before + 1
            $0.checksCreated += 1
        }
    }

    func trulioo(_ body: (inout Snapshot.TruliooCounts) -> Void) {
        state.withLockedValue { body(&$0.trulioo) }
    }

    func identity(_ body: (inout Snapshot.IdentityCounts) -> Void) {
        state.withLockedValue { body(&$0.identity) }
    }

    func event() { state.withLockedValue { $0.events += 1 } }

    /// 16 hex digits of FNV-1a: enough to tell inputs apart without showing them.
    static func hash(_ text: String) -> String { Identifiers.stable(text, length: 16) }
}
