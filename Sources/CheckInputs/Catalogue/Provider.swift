/// The three ways idbatch submits rows: Truora checks one by one, Truora's batch upload, and
/// Trulioo Workflow Studio `init` calls.
public enum Provider: String, Sendable, CaseIterable, Codable {
    case truoraChecks = "truora-checks"
    case truoraBatch = "truora-batch"
    case trulioo

    /// Whether rows become Truora check inputs (and follow Truora's requirement table).
    public var isTruora: Bool { self != .trulioo }

    /// The input names this provider takes per row, in the order templates list them.
    public var inputNames: [String] {
        isTruora ? TruoraInput.all.map(\.name) : TruliooField.all.map(\.role)
    }

    /// Whether `name` is one of this provider's per-row inputs.
    public func accepts(_ name: String) -> Bool {
        isTruora ? TruoraInput.named(name) != nil : TruliooField.named(name) != nil
    }
}
