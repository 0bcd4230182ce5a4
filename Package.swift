// swift-tools-version: 6.1
// gloo-hashi: a Gloo-compatible gateway control plane for Consul, Vault, Nomad and Envoy.
import PackageDescription

// Targets follow the module map in ARCHITECTURE.md. Networking packages join the targets that need
// them; GlooAPI and Translator never import networking, XDS never imports GlooAPI.
let package = Package(
    name: "gloo-hashi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gloo-hashi", targets: ["gloo-hashi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        .target(
            name: "GlooAPI",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The TLS settings the Consul, Vault and Nomad clients share.
        .target(
            name: "HashiHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "ConsulStore",
            dependencies: [
                "GlooAPI", "HashiHTTP", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "VaultSecrets",
            dependencies: [
                "GlooAPI", "HashiHTTP", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "NomadJobs",
            dependencies: [
                "GlooAPI", "HashiHTTP", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "EnvoyAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["README.md"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "Translator",
            dependencies: [
                "GlooAPI", "EnvoyAPI", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        .target(
            name: "XDS",
            dependencies: [
                "EnvoyAPI",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ]
        ),
        .target(
            name: "Controller",
            dependencies: [
                "GlooAPI", "HashiHTTP", "Translator", "ConsulStore", "VaultSecrets", "NomadJobs", "XDS", "EnvoyAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "HashiTestServers",
            dependencies: [
                "GlooAPI", "HashiHTTP", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Scale benchmarks (scripts/bench.sh); never part of the gloo-hashi executable.
        .executableTarget(
            name: "gloo-hashi-bench",
            dependencies: [
                "GlooAPI", "Translator", "XDS", "EnvoyAPI", "Controller", "ConsulStore", "VaultSecrets", "HashiTestServers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            ],
            path: "Benchmarks/gloo-hashi-bench"
        ),
        // Test-only: serves a fixed xDS snapshot from a JSON file to the Python conformance
        // client and real Envoy (e2e/); never part of the gloo-hashi executable.
        .executableTarget(
            name: "xds-fixture-server",
            dependencies: ["XDS", "EnvoyAPI", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        // Test-only: the Consul (later Vault, Nomad) test servers as a process, for e2e/.
        .executableTarget(name: "hashi-test-servers", dependencies: ["HashiTestServers"]),
        .executableTarget(
            name: "gloo-hashi",
            dependencies: [
                "Controller", "NomadJobs", "Translator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "GlooAPITests", dependencies: ["GlooAPI", "HashiTestServers"]),
        .testTarget(
            name: "TranslatorTests",
            dependencies: [
                "Translator", "GlooAPI", "EnvoyAPI", "HashiTestServers",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(name: "ConsulStoreTests", dependencies: ["ConsulStore", "HashiHTTP", "HashiTestServers", "GlooAPI"]),
        .testTarget(
            name: "VaultSecretsTests",
            dependencies: ["VaultSecrets", "HashiTestServers", .product(name: "X509", package: "swift-certificates")]
        ),
        .testTarget(name: "NomadJobsTests", dependencies: ["NomadJobs", "HashiHTTP", "HashiTestServers", "GlooAPI"]),
        .testTarget(name: "XDSTests", dependencies: ["XDS", "EnvoyAPI"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "HashiTestServers", "Translator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GlooAPI", "HashiTestServers"]),
    ],
    swiftLanguageModes: [.v6]
)
