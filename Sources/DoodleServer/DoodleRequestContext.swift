import Hummingbird
import NIOCore

/// The server's request context: Hummingbird's own storage, plus the client's address, which the
/// drawing store's rate limit and admin check need.
public struct DoodleRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address; nil when the request did not come over a socket (tests on the router).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, or `local` without one: the key of its rate limit.
    var clientKey: String { remoteAddress?.ipAddress ?? "local" }

    /// Whether the request came from this machine: an admin may read drawings back from there.
    var isLoopback: Bool {
        guard let address = remoteAddress?.ipAddress else { return false }
        return address.hasPrefix("127.") || address == "::1" || address.hasPrefix("::ffff:127.")
    }
}
