// swift-tools-version: 6.1
// gloo-hashi: a Gloo-compatible gateway control plane for Consul, Vault, Nomad and Envoy.
import PackageDescription

// Targets follow the module map in ARCHITECTURE.md; EnvoyAPI (generated code) arrives with the xDS
// issue, together with the script that generates it. Networking packages (AsyncHTTPClient,
// grpc-swift-2, Hummingbird) join the targets that need them in their own issues; GlooAPI and
// Translator never import networking.
let package = Package(
    name: "gloo-hashi",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gloo-hashi", targets: ["gloo-hashi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .target(
            name: "GlooAPI",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        .target(name: "ConsulStore", dependencies: ["GlooAPI"]),
        .target(name: "VaultSecrets", dependencies: ["GlooAPI"]),
        .target(name: "NomadJobs", dependencies: ["GlooAPI"]),
        .target(name: "Translator", dependencies: ["GlooAPI"]),
        .target(name: "XDS"),
        .target(
            name: "Controller",
            dependencies: ["GlooAPI", "Translator", "ConsulStore", "VaultSecrets", "NomadJobs", "XDS"]
        ),
        .target(name: "HashiTestServers", dependencies: ["GlooAPI"]),
        .executableTarget(
            name: "gloo-hashi",
            dependencies: [
                "Controller",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "GlooAPITests", dependencies: ["GlooAPI", "HashiTestServers"]),
        .testTarget(name: "TranslatorTests", dependencies: ["Translator", "GlooAPI"]),
        .testTarget(name: "ConsulStoreTests", dependencies: ["ConsulStore"]),
        .testTarget(name: "VaultSecretsTests", dependencies: ["VaultSecrets"]),
        .testTarget(name: "NomadJobsTests", dependencies: ["NomadJobs"]),
        .testTarget(name: "XDSTests", dependencies: ["XDS"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "HashiTestServers"]),
        .testTarget(name: "EndToEndTests", dependencies: ["GlooAPI", "HashiTestServers"]),
    ],
    swiftLanguageModes: [.v6]
)
