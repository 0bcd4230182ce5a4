import Testing

@testable import XDS

@Suite struct TypeURLTests {
    @Test func pushOrderIsMakeBeforeBreak() {
        #expect([TypeURL.route, .listener, .secret, .endpoint, .cluster].sorted() == [.cluster, .endpoint, .listener, .route, .secret])
        #expect(TypeURL.cluster.emptyNamesMeanWildcard && TypeURL.listener.emptyNamesMeanWildcard)
        #expect(!TypeURL.route.emptyNamesMeanWildcard)
    }
}
