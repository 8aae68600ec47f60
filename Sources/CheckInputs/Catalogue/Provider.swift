/// The run modes: where each valid row goes.
public enum Provider: String, Sendable, CaseIterable, Codable {
    case truoraChecks = "truora-checks"
    case truoraBatch = "truora-batch"
    case trulioo
    /// Truora Digital Identity: a verification link per row (a web key for a validation flow).
    case truoraDI = "truora-di"
    /// Truora WhatsApp: an outbound message per row that starts a validation flow.
    case truoraWhatsApp = "truora-whatsapp"

    /// Whether rows become Truora check inputs (and follow Truora's requirement table).
    public var isTruora: Bool { self == .truoraChecks || self == .truoraBatch }

    /// Whether rows start a Truora validation flow for a person (a link or a WhatsApp message)
    /// whose process result comes later.
    public var startsProcess: Bool { self == .truoraDI || self == .truoraWhatsApp }

    /// Whether the mode calls Truora (with `TRUORA_API_KEY`).
    public var usesTruora: Bool { isTruora || startsProcess }

    /// The input names this provider takes per row, in the order templates list them.
    public var inputNames: [String] {
        switch self {
        case .truoraChecks, .truoraBatch: TruoraInput.all.map(\.name)
        case .trulioo: TruliooField.all.map(\.role)
        case .truoraDI, .truoraWhatsApp: IdentityInput.inputs(for: self).map(\.name)
        }
    }

    /// Whether `name` is one of this provider's per-row inputs.
    public func accepts(_ name: String) -> Bool {
        switch self {
        case .truoraChecks, .truoraBatch: TruoraInput.named(name) != nil
        case .trulioo: TruliooField.named(name) != nil
        case .truoraDI, .truoraWhatsApp:
            inputNames.contains(name) || (self == .truoraWhatsApp && IdentityInput.isVariable(name))
        }
    }
}
