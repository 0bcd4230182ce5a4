import Foundation
import HashiTestServers

/// `hashi-test-servers consul [--port N] [--token T]`, `vault [--port N] [--root-token T]` or
/// `nomad [--port N] [--token T]`: runs that test server, prints `consul 127.0.0.1:<port>` (or
/// `vault ...`, `nomad ...`) and serves
/// until standard input closes. Test-only (e2e/).
@main
struct HashiTestServersCommand {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func option(_ name: String) -> String? {
            arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        guard arguments.count > 1, ["consul", "vault", "nomad"].contains(arguments[1]) else {
            FileHandle.standardError.write(Data("usage: hashi-test-servers consul [--port N] [--token T] | vault [--port N] [--root-token T] | nomad [--port N] [--token T]\n".utf8))
            exit(2)
        }
        let port = option("--port").flatMap(Int.init) ?? 0
        let stop: @Sendable () async -> Void
        if arguments[1] == "vault" {
            let server = try await VaultTestServer.start(port: port, rootToken: option("--root-token") ?? "root")
            FileHandle.standardOutput.write(Data("vault \(server.address)\n".utf8))
            stop = { await server.stop() }
        } else if arguments[1] == "nomad" {
            let server = try await NomadTestServer.start(port: port, token: option("--token"))
            FileHandle.standardOutput.write(Data("nomad \(server.address)\n".utf8))
            stop = { await server.stop() }
        } else {
            let server = try await ConsulTestServer.start(port: port, token: option("--token"))
            FileHandle.standardOutput.write(Data("consul \(server.address)\n".utf8))
            stop = { await server.stop() }
        }
        // Serve until the test closes our standard input (read on a thread of its own, off the
        // concurrency pool the server's handlers run on).
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                while readLine() != nil {}
                continuation.resume()
            }.start()
        }
        await stop()
        exit(0)
    }
}
