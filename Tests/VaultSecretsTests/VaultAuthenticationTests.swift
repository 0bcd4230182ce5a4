import Foundation
import GlooAPI
import HashiHTTP
import HashiTestServers
import Logging
import Testing
import VaultSecrets

/// The token lifecycle against the Vault test server: renewal, AppRole logins, token files.
@Suite struct VaultAuthenticationTests {
    static func renewals(_ server: VaultTestServer) async -> Int {
        await server.requests().filter { $0.path == "/v1/auth/token/renew-self" }.count
    }

    @Test func aStaticTokenIsRenewedBeforeItRunsOut() async throws {
        let clock = ManualClock()
        let server = try await VaultTestServer.start(clock: clock)
        let token = await server.issueToken(ttl: .seconds(2), maxTTL: .seconds(600))
        let client = try VaultKVTests.client(server, token: token, clock: clock)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let auth = VaultAuthentication(method: .token(SensitiveString(token)), client: client, logger: Logger(label: "test"))
            try await auth.start()
            let running = Task { await auth.run() }
            defer { running.cancel() }
            // Renewed at half its TTL; the renewal asks for an hour (the max TTL gives 599 s more).
            #expect(await clock.waitForSleepers(1))
            #expect(clock.pendingDelays == [.seconds(1)])
            #expect(await Self.renewals(server) == 0)
            clock.advance(by: .seconds(1))
            #expect(await clock.waitForSleepers(1))
            #expect(await Self.renewals(server) == 1)
            #expect(clock.pendingDelays.first.map { $0 > .seconds(200) } == true, "the next renewal at half the new TTL")
            clock.advance(by: .milliseconds(1500))
            // Past the token's first TTL, it still works: it was renewed on the way.
            #expect(try await VaultKV(client: client).list(mount: "secret", folder: "gloo/").isEmpty)
        }
    }

    @Test func appRoleLogsInAgainWhenRenewalCannotKeepTheTokenAlive() async throws {
        let clock = ManualClock()
        let server = try await VaultTestServer.start(clock: clock)
        // Tokens live 2 s and at most 3 s: the renewal at 1 s gets less than asked, so a new login follows.
        await server.addAppRole(roleID: "role", secretID: "secret", ttl: .seconds(2), maxTTL: .seconds(3))
        let client = try VaultKVTests.client(server, token: "", clock: clock)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let auth = VaultAuthentication(method: .appRole(roleID: SensitiveString("role"), secretID: SensitiveString("secret"), mount: "approle"),
                                           client: client, logger: Logger(label: "test"))
            try await auth.start()
            let running = Task { await auth.run() }
            defer { running.cancel() }
            let logins = { await server.requests().filter { $0.path == "/v1/auth/approle/login" }.count }
            // Step from one planned action to the next until a second login, never past the max TTL.
            var elapsed = Duration.zero
            while await logins() < 2, elapsed < .seconds(3) {
                #expect(await clock.waitForSleepers(1))
                elapsed += clock.advanceToNextDeadline() ?? .zero
            }
            #expect(await logins() >= 2, "a fresh login before the max TTL ran out")
            #expect(await clock.waitForSleepers(1))
            #expect(try await VaultKV(client: client).list(mount: "secret", folder: "gloo/").isEmpty, "the client holds a live token")
        }
    }

    @Test func appRoleCredentialFilesAreReadAtEveryLogin() async throws {
        let server = try await VaultTestServer.start()
        await server.addAppRole(roleID: "role", secretID: "first-secret")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("approle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let roleFile = directory.appendingPathComponent("role_id"), secretFile = directory.appendingPathComponent("secret_id")
        try "role\n".write(to: roleFile, atomically: true, encoding: .utf8)
        try "first-secret\n".write(to: secretFile, atomically: true, encoding: .utf8)
        let client = try VaultKVTests.client(server, token: "")
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let method = VaultCredentials.appRoleFiles(roleIDFile: roleFile.path, secretIDFile: secretFile.path, mount: "approle")
            try await VaultAuthentication(method: method, client: client, logger: Logger(label: "test")).start()
            #expect(try await VaultKV(client: client).list(mount: "secret", folder: "gloo/").isEmpty, "logged in from the files")

            // The secret_id is rotated: the next login reads the new one.
            await server.addAppRole(roleID: "role", secretID: "second-secret")
            try "second-secret".write(to: secretFile, atomically: true, encoding: .utf8)
            try await VaultAuthentication(method: method, client: client, logger: Logger(label: "test")).start()
            try FileManager.default.removeItem(at: secretFile)
            await #expect { try await VaultAuthentication(method: method, client: client, logger: Logger(label: "test")).start() } throws: {
                "\($0)".contains("secret_id") && "\($0)".contains("missing or empty") && !"\($0)".contains("second-secret")
            }
        }
    }

    @Test func aTokenFileIsFollowed() async throws {
        let server = try await VaultTestServer.start()
        let first = await server.issueToken(ttl: .seconds(600), maxTTL: .seconds(600))
        let second = await server.issueToken(ttl: .seconds(600), maxTTL: .seconds(600))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vault-token-\(UUID().uuidString)")
        try first.write(to: file, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let client = try VaultKVTests.client(server, token: "", clock: clock)
        try await withCleanup({ await client.shutdown(); await server.stop() }) { () async throws in
            let auth = VaultAuthentication(method: .tokenFile(file.path), client: client, logger: Logger(label: "test"),
                                           fileInterval: .milliseconds(200))
            try await auth.start()
            let running = Task { await auth.run() }
            defer { running.cancel() }
            // Nomad writes a new token into the file; the old one is revoked meanwhile.
            try (second + "\n").write(to: file, atomically: true, encoding: .utf8)
            await server.revoke(first)
            #expect(await clock.waitForSleepers(1))
            #expect(clock.pendingDelays == [.milliseconds(200)])
            clock.advance(by: .milliseconds(200))
            #expect(await clock.waitForSleepers(1), "the file was read again and the next look planned")
            #expect(try await VaultKV(client: client).list(mount: "secret", folder: "gloo/").isEmpty, "the new token is in use")
        }
    }
}
