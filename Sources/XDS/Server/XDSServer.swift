import GRPCCore
import GRPCNIOTransportHTTP2

/// How the xDS port is secured.
public enum XDSTransportSecurity: Sendable, Hashable {
    /// h2c with prior knowledge (Envoy's `http2_protocol_options` cluster).
    case plaintext
    /// TLS with a PEM certificate chain and key; with `clientCAPath`, clients must present a
    /// certificate signed by it (mTLS).
    case tls(certificateChainPath: String, privateKeyPath: String, clientCAPath: String?)
}

/// The xDS gRPC server: the ADS service on one address (default `0.0.0.0:9977`).
public final class XDSServer: Sendable {
    public let cache: SnapshotCache
    public let connections: ConnectionRegistry
    private let transport: HTTP2ServerTransport.Posix
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let shutdown = ShutdownSignal()

    public init(host: String = "0.0.0.0", port: Int = 9977, security: XDSTransportSecurity = .plaintext,
                cache: SnapshotCache) {
        self.cache = cache
        self.connections = ConnectionRegistry()
        let transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity
        switch security {
        case .plaintext:
            transportSecurity = .plaintext
        case .tls(let chain, let key, let clientCA):
            let certificateChain: [TLSConfig.CertificateSource] = [.file(path: chain, format: .pem)]
            let privateKey: TLSConfig.PrivateKeySource = .file(path: key, format: .pem)
            if let clientCA {
                transportSecurity = .mTLS(certificateChain: certificateChain, privateKey: privateKey) {
                    $0.trustRoots = .certificates([.file(path: clientCA, format: .pem)])
                }
            } else {
                transportSecurity = .tls(certificateChain: certificateChain, privateKey: privateKey)
            }
        }
        let address: GRPCNIOTransportCore.SocketAddress = host.contains(":")
            ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
        transport = HTTP2ServerTransport.Posix(
            address: address, transportSecurity: transportSecurity,
            config: .defaults { $0.rpc.maxRequestPayloadSize = 16 * 1024 * 1024 })
        server = GRPCServer(
            transport: transport,
            services: [AggregatedDiscoveryServer(cache: cache, connections: connections, shutdown: shutdown)])
    }

    /// Serves until `beginGracefulShutdown` (or cancellation).
    public func serve() async throws {
        try await server.serve()
    }

    /// The bound port (useful with port 0).
    public func listeningPort() async throws -> Int {
        let address = try await transport.listeningAddress
        if let ipv4 = address.ipv4 { return ipv4.port }
        if let ipv6 = address.ipv6 { return ipv6.port }
        return 0
    }

    /// Every connected Envoy, with whether its group still waits for a first snapshot.
    public func connectedNodes() async -> [ConnectedNode] {
        var nodes = await connections.connected()
        for index in nodes.indices {
            nodes[index].waitingForSnapshot = await cache.snapshot(group: nodes[index].group) == nil
        }
        return nodes
    }

    /// Stops accepting streams and ends the open ones (each Envoy keeps its configuration and
    /// reconnects, to another instance if there is one); `serve()` then returns.
    public func beginGracefulShutdown() {
        server.beginGracefulShutdown()
        shutdown.fire()
    }
}
