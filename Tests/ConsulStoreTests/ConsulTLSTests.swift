import ConsulStore
import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing

/// The Consul client over TLS against the test server with a certificate from a test CA.
@Suite struct ConsulTLSTests {
    static func files(_ authority: TestCertificateAuthority) throws -> (directory: URL, ca: String, cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("consul-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("cas"), withIntermediateDirectories: true)
        let client = try authority.issue(commonName: "gloo-hashi")
        let ca = directory.appendingPathComponent("cas/ca.pem").path
        let cert = directory.appendingPathComponent("client.pem").path
        let key = directory.appendingPathComponent("client-key.pem").path
        try authority.certificatePEM.write(toFile: ca, atomically: true, encoding: .utf8)
        try client.certificatePEM.write(toFile: cert, atomically: true, encoding: .utf8)
        try client.privateKeyPEM.write(toFile: key, atomically: true, encoding: .utf8)
        return (directory, ca, cert, key)
    }

    static func read(_ configuration: ConsulClientConfiguration) async throws -> String {
        let client = try ConsulHTTPClient(configuration)
        return try await withCleanup({ await client.shutdown() }) {
            return try await ConsulStatus(client: client).leader()
        }
    }

    @Test func verifiesTheServerAndPresentsAClientCertificate() async throws {
        let authority = try TestCertificateAuthority()
        let files = try Self.files(authority)
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let server = try await ConsulTestServer.start(tls: .localhost(issuedBy: authority, requireClientCertificates: true))
        try await withCleanup({ await server.stop() }) { () async throws in
            // host:port with ssl: https, verified against the CA file, with the client certificate.
            var configuration = try #require(ConsulClientConfiguration(address: server.address, ssl: true))
            #expect(configuration.baseURL.hasPrefix("https://"))
            configuration.caFile = files.ca
            configuration.clientCertificate = files.cert
            configuration.clientKey = files.key
            #expect(try await Self.read(configuration) == "127.0.0.1:8300")

            // The CA as a directory works the same.
            var fromDirectory = configuration
            fromDirectory.caFile = files.directory.appendingPathComponent("cas").path
            #expect(try await Self.read(fromDirectory) == "127.0.0.1:8300")

            // Without the client certificate the server refuses the handshake.
            var anonymous = configuration
            anonymous.clientCertificate = nil
            anonymous.clientKey = nil
            await #expect(throws: ConsulError.self) { try await Self.read(anonymous) }
        }
    }

    @Test func aServerNameOtherThanTheAddressIsVerified() async throws {
        let authority = try TestCertificateAuthority()
        let files = try Self.files(authority)
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let server = try await ConsulTestServer.start(tls: .named("consul.service.consul", issuedBy: authority))
        try await withCleanup({ await server.stop() }) { () async throws in
            var configuration = try #require(ConsulClientConfiguration(address: server.address, ssl: true))
            configuration.caFile = files.ca
            await #expect(throws: ConsulError.self, "the certificate does not name 127.0.0.1") { try await Self.read(configuration) }
            var named = configuration
            named.tlsServerName = "consul.service.consul"
            #expect(try await Self.read(named) == "127.0.0.1:8300", "connects to the address, verifies the name")
            var wrongName = configuration
            wrongName.tlsServerName = "consul.example.com"
            await #expect(throws: ConsulError.self) { try await Self.read(wrongName) }
        }
    }

    @Test func anUnknownCAIsRefusedUnlessVerificationIsOff() async throws {
        let authority = try TestCertificateAuthority()
        let server = try await ConsulTestServer.start(tls: .localhost(issuedBy: authority))
        try await withCleanup({ await server.stop() }) { () async throws in
            let configuration = try #require(ConsulClientConfiguration(address: "https://" + server.address))
            await #expect { try await Self.read(configuration) } throws: { "\($0)".contains("unreachable") }
            var insecure = configuration
            insecure.insecureSkipVerify = true
            #expect(try await Self.read(insecure) == "127.0.0.1:8300")
        }
    }
}
