import ServiceLifecycle
import XDS

/// The xDS server as a lifecycle `Service`: graceful shutdown ends every ADS stream.
public struct XDSService: Service {
    public let server: XDSServer

    public init(server: XDSServer) { self.server = server }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
