import Hummingbird
import NIOCore

/// The request context: Hummingbird's, plus the connection, which the `reset`, `hang` and
/// `truncate` faults act on, and what the authentication middleware learnt of the caller.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// The `api_key_version` of the request's Truora key, set by ``TruoraAuthentication``.
    var truoraKeyVersion = 0

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Batch files and multipart uploads.
    var maxUploadSize: Int { 32 << 20 }
}
