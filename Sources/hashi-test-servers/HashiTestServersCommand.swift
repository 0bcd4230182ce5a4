import Foundation
import HashiTestServers

/// `hashi-test-servers consul [--port N] [--token T]`: runs the Consul test server, prints
/// `consul 127.0.0.1:<port>` and serves until standard input closes. Test-only (e2e/).
@main
struct HashiTestServersCommand {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        guard arguments.count > 1, arguments[1] == "consul" else {
            FileHandle.standardError.write(Data("usage: hashi-test-servers consul [--port N] [--token T]\n".utf8))
            exit(2)
        }
        let server = try await ConsulTestServer.start(port: option("--port").flatMap(Int.init) ?? 0, token: option("--token"))
        FileHandle.standardOutput.write(Data("consul \(server.address)\n".utf8))
        // Serve until the test closes our standard input (read on a thread of its own, off the
        // concurrency pool the server's handlers run on).
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                while readLine() != nil {}
                continuation.resume()
            }.start()
        }
        await server.stop()
        exit(0)
    }
}
