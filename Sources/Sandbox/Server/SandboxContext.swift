import Hummingbird
import NIOCore

/// The request context: Hummingbird's, plus the connection, which the `reset`, `hang` and
/// `truncate` faults act on.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Batch files and multipart uploads.
    var maxUploadSize: Int { 32 << 20 }
}
