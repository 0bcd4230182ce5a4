import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Testing
import VaultSecrets

/// The Vault client and KV family against the Vault test server.
@Suite struct VaultKVTests {
    static func client(
        _ server: VaultTestServer, token: String? = nil, attempts: Int = 3, clock: any Clock<Duration> = ContinuousClock()
    ) throws -> VaultHTTPClient {
        var configuration = try #require(VaultClientConfiguration(address: "http://\(server.address)"))
        configuration.attempts = attempts
        configuration.retryPause = .milliseconds(50)
        return try VaultHTTPClient(configuration, token: SensitiveString(token ?? server.rootToken), clock: clock)
    }

    @Test func kv2VersionsCheckAndSetListAndDelete() async throws {
        let server = try await VaultTestServer.start()
        let client = try Self.client(server)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let kv = VaultKV(client: client)
            let path = "gloo/gloo.solo.io/v1/Secret/gloo-system/tls"
            #expect(try await kv.mountVersion(of: "secret/data/\(path)") == 2)
            #expect(try await kv.read(mount: "secret", path: path) == nil)
            #expect(try await kv.write(mount: "secret", path: path, data: ["tls": ["certChain": "A"]], cas: 0) == 1)
            await #expect { try await kv.write(mount: "secret", path: path, data: ["tls": ["certChain": "B"]], cas: 0) } throws: {
                VaultKV.isCASMismatch($0)
            }
            #expect(try await kv.write(mount: "secret", path: path, data: ["tls": ["certChain": "B"]], cas: 1) == 2)
            let entry = try #require(try await kv.read(mount: "secret", path: path))
            #expect(entry.version == 2 && String(decoding: entry.data, as: UTF8.self) == #"{"tls":{"certChain":"B"}}"#)
            #expect(try await kv.metadata(mount: "secret", path: path) == .init(currentVersion: 2, liveVersions: [1, 2]))
            #expect(try await kv.list(mount: "secret", folder: "gloo/gloo.solo.io/v1/Secret/") == ["gloo-system/"])
            #expect(try await kv.list(mount: "secret", folder: "nothing/").isEmpty, "an empty folder is a 404, read as no keys")
            try await kv.deleteAll(mount: "secret", path: path)
            #expect(try await kv.metadata(mount: "secret", path: path) == nil)

            await server.mount("legacy", version: 1)
            #expect(try await kv.mountVersion(of: "legacy/gloo/tls") == 1)
            try await kv.writeV1(mount: "legacy", path: "gloo/tls", data: ["tls.crt": "C"])
            #expect(try await kv.readV1(mount: "legacy", path: "gloo/tls") == Data(#"{"tls.crt":"C"}"#.utf8))
            #expect(try await kv.list(mount: "legacy", folder: "gloo", version: 1) == ["tls"])
        }
    }

    @Test func forbiddenNamesThePathNeverTheTokenAndSealedIsRetried() async throws {
        let server = try await VaultTestServer.start()
        let bad = try Self.client(server, token: "s.super-secret-token")
        let clock = ManualClock()
        let client = try Self.client(server, attempts: 5, clock: clock)
        try await withCleanup({ await bad.shutdown(); await client.shutdown(); await server.stop() }) { () async throws in
            do {
                _ = try await VaultKV(client: bad).read(mount: "secret", path: "gloo/x")
                Issue.record("a bad token was accepted")
            } catch let error as VaultError {
                guard case .forbidden = error else { Issue.record("not forbidden: \(error)"); return }
                #expect(error.description.contains("secret/data/gloo/x"))
                #expect(!error.description.contains("super-secret"))
                #expect(!error.isTransient)
            }
            // Sealed: tried again after the retry pause; unsealed meanwhile, the read succeeds.
            await server.setSealed(true)
            let before = await server.requests().count
            let read = Task { try await VaultKV(client: client).list(mount: "secret", folder: "gloo/") }
            #expect(await clock.waitForSleepers(1), "a sealed answer waits for the retry")
            #expect(clock.pendingDelays == [.milliseconds(50)])
            #expect(await server.requests().count == before + 1)
            await server.setSealed(false)
            clock.advanceToNextDeadline()
            #expect(try await read.value.isEmpty)
            #expect(await server.requests().count >= before + 2)
            // Sealed for longer than the attempts: a sealed error, transient, after pauses that double.
            await server.setSealed(true)
            let failing = Task { try await VaultKV(client: client).list(mount: "secret", folder: "gloo/") }
            var pauses: [Duration] = []
            for _ in 1..<5 {
                #expect(await clock.waitForSleepers(1))
                pauses += clock.pendingDelays
                clock.advanceToNextDeadline()
            }
            #expect(pauses == [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400)])
            await #expect { try await failing.value } throws: {
                ($0 as? VaultError).map { $0.isTransient && "\($0)".contains("sealed") } ?? false
            }
        }
    }
}
