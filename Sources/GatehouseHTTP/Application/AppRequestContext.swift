public import Hummingbird
import NIOCore

/// The context of every request: Hummingbird's core storage and the peer's address.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address as seen on the socket (a proxy's, behind one).
    public let clientIP: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientIP = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies larger than this are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }
}
