import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Resolves the hostnames instances register with (Envoy's EDS takes only IPs) and keeps the
/// last good answer of each: a lookup that fails later does not take the instance away.
public final class HostnameResolver: Sendable {
    private let answers = Mutex<[String: [String]]>([:])
    private let lookup: @Sendable (String) async -> [String]?

    /// `lookup` answers one name (nil: it failed); the default asks the system resolver.
    public init(lookup: @escaping @Sendable (String) async -> [String]? = HostnameResolver.systemLookup) {
        self.lookup = lookup
    }

    /// The last good addresses of `host`, if it ever resolved.
    public func cached(_ host: String) -> [String]? { answers.withLock { $0[host] } }

    /// Resolves `hosts` again; returns those whose addresses changed (a failed lookup keeps the old ones).
    public func refresh(_ hosts: Set<String>) async -> Set<String> {
        var changed: Set<String> = []
        for host in hosts.sorted() {
            guard let addresses = await lookup(host), !addresses.isEmpty else { continue }
            let previous = answers.withLock { answers in
                defer { answers[host] = addresses }
                return answers[host]
            }
            if previous != addresses { changed.insert(host) }
        }
        return changed
    }

    /// Forgets names no instance uses any more.
    public func keep(only hosts: Set<String>) {
        answers.withLock { $0 = $0.filter { hosts.contains($0.key) } }
    }

    /// The system resolver (`getaddrinfo`, off the concurrency pool): IPv4 first, then IPv6, sorted.
    @Sendable public static func systemLookup(_ host: String) async -> [String]? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: blockingLookup(host)) }
        }
    }

    private static func blockingLookup(_ host: String) -> [String]? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var first: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &first) == 0, let first else { return nil }
        defer { freeaddrinfo(first) }
        var v4: Set<String> = []
        var v6: Set<String> = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if info.pointee.ai_family == AF_INET, let address = info.pointee.ai_addr {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var raw = pointer.pointee.sin_addr
                    if inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)) != nil { v4.insert(Self.text(buffer)) }
                }
            } else if info.pointee.ai_family == AF_INET6, let address = info.pointee.ai_addr {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var raw = pointer.pointee.sin6_addr
                    if inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil { v6.insert(Self.text(buffer)) }
                }
            }
            cursor = info.pointee.ai_next
        }
        let all = v4.sorted() + v6.sorted()
        return all.isEmpty ? nil : all
    }

    /// A NUL-terminated C buffer as a String.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
