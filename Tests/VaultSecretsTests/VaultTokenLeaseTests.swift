import Testing
import VaultSecrets

/// The token lifecycle on a clock the test holds.
@Suite struct VaultTokenLeaseTests {
    @Test func aRenewableTokenIsRenewedAtHalfItsTTL() {
        var lease = VaultTokenLease(source: .staticToken)
        lease.obtained(ttl: 3600, renewable: true, at: 100)
        #expect(lease.next.action == .renew && lease.next.at == 1900)
        #expect(lease.expiresAt == 3700)
        // Renewed in full: again at half.
        lease.obtained(ttl: 3600, renewable: true, at: 1900, asked: 3600)
        #expect(lease.next.action == .renew && lease.next.at == 3700)
        // A failed renewal is retried after the pause, while the token lives.
        lease.failed(at: 3700)
        #expect(lease.next.action == .renew && lease.next.at == 3705)
        #expect(!lease.expired(at: 3705) && lease.expired(at: 5500))
    }

    @Test func appRoleLogsInAgainWhenTheMaxTTLNearsOrRenewalFails() {
        var lease = VaultTokenLease(source: .appRole)
        lease.obtained(ttl: 600, renewable: true, at: 0)
        #expect(lease.next == (.renew, 300) as (VaultTokenLease.Action, Double))
        // Vault granted 100 s of the 3,600 asked: the max TTL is near, log in before it runs out.
        lease.obtained(ttl: 100, renewable: true, at: 300, asked: 3600)
        #expect(lease.next.action == .login && abs(lease.next.at - (300 + 200.0 / 3)) < 0.001)
        // A failed renewal logs in at once; a failed login retries after the pause.
        lease.obtained(ttl: 600, renewable: true, at: 1000)
        lease.failed(at: 1300)
        #expect(lease.next.action == .login && lease.next.at == 1300)
        lease.failed(at: 1300)
        #expect(lease.next.action == .login && lease.next.at == 1305)
        // A login that is not renewable is repeated at two thirds of its TTL.
        lease.obtained(ttl: 900, renewable: false, at: 2000)
        #expect(lease.next.action == .login && lease.next.at == 2600)
    }

    @Test func aTokenFileIsReReadAndRootTokensNeedNothing() {
        var file = VaultTokenLease(source: .tokenFile, fileInterval: .seconds(10))
        file.obtained(ttl: 3600, renewable: true, at: 0)
        #expect(file.next.action == .rereadFile && file.next.at == 10, "the file is looked at before a renewal is due")
        file.fileUnchanged(at: 10, renewable: true)
        #expect(file.next.action == .rereadFile && file.next.at == 20)
        file.obtained(ttl: 12, renewable: true, at: 20)
        #expect(file.next.action == .renew && file.next.at == 26)
        file.obtained(ttl: 0, renewable: false, at: 30)
        #expect(file.next.action == .rereadFile && file.expiresAt == nil)

        var root = VaultTokenLease(source: .staticToken)
        root.obtained(ttl: 0, renewable: false, at: 5)
        #expect(root.next.action == .nothing && root.expiresAt == nil && !root.expired(at: 1e12))
        var fixed = VaultTokenLease(source: .staticToken)
        fixed.obtained(ttl: 60, renewable: false, at: 0)
        #expect(fixed.next.action == .nothing && fixed.expired(at: 60))
    }
}
