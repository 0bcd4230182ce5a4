import Foundation
import Hummingbird
import NIOCore

/// Vault's HTTP API for tests, over a real socket on 127.0.0.1 (REFERENCE.md section 5): KV v2
/// (`data`, `metadata` with LIST as `GET ?list=true`, versions, check-and-set, soft delete, destroy) and KV v1
/// mounts, `sys/internal/ui/mounts`, token lookup and renewal with TTL and max TTL on a clock the
/// test moves, AppRole login, the seal (503), and 403 for a missing or unknown token. Errors are
/// `{"errors": [...]}`. Every request is logged.
public final class VaultTestServer: Sendable {
    /// `127.0.0.1:<port>`.
    public let address: String
    /// A root token (no TTL) the test can use.
    public let rootToken: String
    private let state: VaultState
    private let running: TestServerRun

    /// Starts listening on an ephemeral port (or `port`) with one KV v2 mount, `secret`; token
    /// TTLs run on `clock`.
    public static func start(
        port: Int = 0, rootToken: String = "root", clock: any Clock<Duration> = ContinuousClock()
    ) async throws -> VaultTestServer {
        let state = VaultState()
        await state.setClock(clock)
        _ = await state.issueToken(policies: ["root"], ttl: nil, maxTTL: nil, renewable: false, id: rootToken)
        let router = Router()
        // LIST is `GET ?list=true`: SwiftNIO's HTTP parser refuses the LIST verb itself.
        for method in [HTTPRequest.Method.get, .put, .post, .delete] {
            router.on("/v1/**", method: method) { request, _ in await Self.handle(request, state: state) }
        }
        // Not Vault's: controls for tests that run the server as a process (e2e/).
        router.put("/_test/:control") { request, context in await Self.control(context.parameters.get("control") ?? "", request, state: state) }
        router.get("/_test/requests") { _, _ -> Response in
            let items: [[String: String]] = await state.requests.map { ["method": $0.method, "path": $0.path] }
            let data = (try? JSONSerialization.data(withJSONObject: items)) ?? Data("[]".utf8)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        let (running, actual) = try await TestServerLauncher.launch(router, name: "vault-test-server", port: port)
        return VaultTestServer(address: "127.0.0.1:\(actual)", rootToken: rootToken, state: state, running: running)
    }

    private init(address: String, rootToken: String, state: VaultState, running: TestServerRun) {
        self.address = address
        self.rootToken = rootToken
        self.state = state
        self.running = running
    }

    public func stop() async {
        await running.stop()
    }

    // MARK: Test controls

    /// A token with `ttl` (renewable up to `maxTTL`), for tests of the token lifecycle.
    public func issueToken(ttl: Duration, maxTTL: Duration, renewable: Bool = true, policies: [String] = ["gloo"]) async -> String {
        await state.issueToken(policies: policies, ttl: ttl, maxTTL: maxTTL, renewable: renewable)
    }

    /// Revokes `token` (its next use is refused).
    public func revoke(_ token: String) async { await state.revoke(token) }

    /// AppRole credentials whose logins get tokens with `ttl` and `maxTTL`.
    public func addAppRole(roleID: String, secretID: String, ttl: Duration = .seconds(3600), maxTTL: Duration = .seconds(7200)) async {
        await state.setAppRole(roleID, (secretID, ttl, maxTTL))
    }

    /// Lets `role` on the PKI mount `mount` issue certificates (TTL capped at `maxTTL`), signed
    /// by that mount's CA; returns the CA certificate (PEM).
    @discardableResult
    public func addPKIRole(mount: String = "pki", role: String, maxTTL: Duration = .seconds(86400)) async throws -> String {
        try await state.addPKIRole(mount: mount, role: role, maxTTL: maxTTL)
    }

    /// Adds a KV mount of `version` 1 or 2 at `path`.
    public func mount(_ path: String, version: Int) async { await state.addMount(path, version: version) }

    /// Moves the server's clock forward (token TTLs run out).
    public func advanceClock(by duration: Duration) async { await state.advance(by: duration) }

    /// Seals or unseals: a sealed Vault answers 503 to everything.
    public func setSealed(_ sealed: Bool) async { await state.setSealed(sealed) }

    /// The requests received so far (method, path).
    public func requests() async -> [(method: String, path: String)] { await state.requests }

    // MARK: Routes

    /// `seal?sealed=`, `clock?advance=SECONDS`, `approle?role_id=&secret_id=&ttl=&max_ttl=`,
    /// `token?ttl=&max_ttl=&renewable=` (answers the token), `revoke?token=`, `mount?path=&version=`,
    /// `pki-role?mount=&role=&max_ttl=` (answers the mount's CA).
    static func control(_ name: String, _ request: Request, state: VaultState) async -> Response {
        let query = request.uri.queryParameters
        let number = { (key: String) in query[Substring(key)].flatMap { Double(String($0)) } }
        switch name {
        case "seal": await state.setSealed(query["sealed"] == "true")
        case "clock": await state.advance(by: .seconds(number("advance") ?? 0))
        case "approle":
            await state.setAppRole(String(query["role_id"] ?? ""), (String(query["secret_id"] ?? ""), .seconds(number("ttl") ?? 3600),
                                                                 .seconds(number("max_ttl") ?? 7200)))
        case "token":
            let token = await state.issueToken(policies: ["gloo"], ttl: .seconds(number("ttl") ?? 3600),
                                               maxTTL: .seconds(number("max_ttl") ?? 7200), renewable: query["renewable"] != "false")
            return json(["token": token])
        case "mount": await state.addMount(String(query["path"] ?? ""), version: Int(number("version") ?? 2))
        case "revoke": await state.revoke(String(query["token"] ?? ""))
        case "pki-role":
            guard let ca = try? await state.addPKIRole(mount: String(query["mount"] ?? "pki"), role: String(query["role"] ?? ""),
                                                       maxTTL: .seconds(number("max_ttl") ?? 86400))
            else { return error(["cannot create the CA"], status: .internalServerError) }
            return json(["ca": ca])
        default: return error(["unknown control \(name)"], status: .notFound)
        }
        return Response(status: .noContent)
    }

    static func handle(_ request: Request, state: VaultState) async -> Response {
        let method = request.method.rawValue
        let path = String(request.uri.path.dropFirst("/v1/".count))
        await state.log(method, request.uri.path)
        if await state.sealed { return error(["Vault is sealed"], status: .serviceUnavailable) }
        let body = try? await request.body.collect(upTo: 4 << 20)
        let object = body.flatMap { try? JSONSerialization.jsonObject(with: Data(buffer: $0)) as? [String: Any] } ?? [:]
        if path == "auth/approle/login" && (method == "POST" || method == "PUT") {
            return await login(object, state: state)
        }
        let token = request.headers[.init("X-Vault-Token")!] ?? ""
        guard await state.validToken(token) != nil else { return error(["permission denied"], status: .forbidden) }
        switch path {
        case "auth/token/lookup-self":
            return await lookup(token, state: state)
        case "auth/token/renew-self":
            guard let renewed = await state.renew(token, increment: (object["increment"] as? String).flatMap(seconds)) else {
                return error(["lease is not renewable"], status: .badRequest)
            }
            return json(["auth": ["client_token": token, "lease_duration": await state.remaining(renewed), "renewable": renewed.renewable,
                                  "policies": renewed.policies]])
        default: break
        }
        if let issued = await pkiIssue(path: path, method: method, object: object, state: state) { return issued }
        if path.hasPrefix("sys/internal/ui/mounts/") {
            guard let (name, _) = await state.mount(of: String(path.dropFirst("sys/internal/ui/mounts/".count))),
                  let version = await state.mounts[name]?.version
            else { return error(["preflight capability check returned 403, please ensure client's policies grant access to the path"], status: .forbidden) }
            return json(["data": ["path": name + "/", "type": "kv", "options": ["version": String(version)]]])
        }
        guard let (mount, rest) = await state.mount(of: path), let version = await state.mounts[mount]?.version else {
            return error(["no handler for route \"\(path)\". route entry not found."], status: .notFound)
        }
        let listing = method == "GET" && request.uri.queryParameters["list"] == "true"
        return version == 2
            ? await kv2(method: method, listing: listing, mount: mount, rest: rest, object: object, request: request, state: state)
            : await kv1(method: method, listing: listing, mount: mount, path: rest, object: object, state: state)
    }

    /// `POST <mount>/issue/<role>`: a real certificate from the mount's CA (Vault keeps no copy of the key).
    private static func pkiIssue(path: String, method: String, object: [String: Any], state: VaultState) async -> Response? {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 3, parts[1] == "issue", method == "POST" || method == "PUT", let mount = await state.pki[parts[0]] else {
            return nil
        }
        guard let maxTTL = mount.roles[parts[2]] else { return error(["unknown role: \(parts[2])"], status: .badRequest) }
        guard let commonName = object["common_name"] as? String, !commonName.isEmpty else {
            return error(["the common_name field is required"], status: .badRequest)
        }
        let list = { (key: String) in (object[key] as? String ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let asked = (object["ttl"] as? String).flatMap(seconds) ?? maxTTL
        let ttl = min(asked, maxTTL)
        do {
            let issued = try mount.authority.issue(commonName: commonName, dnsNames: [commonName] + list("alt_names"),
                                                   ipAddresses: list("ip_sans"), validity: Double(ttl.components.seconds))
            let expiration = Int(await state.now.timeIntervalSince1970) + Int(ttl.components.seconds)
            return json(["data": ["certificate": issued.certificatePEM, "issuing_ca": mount.authority.certificatePEM,
                                  "ca_chain": [mount.authority.certificatePEM], "private_key": issued.privateKeyPEM,
                                  "private_key_type": "ec", "serial_number": issued.serialNumber, "expiration": expiration]])
        } catch {
            return self.error(["\(error)"], status: .badRequest)
        }
    }

    private static func login(_ object: [String: Any], state: VaultState) async -> Response {
        guard let roleID = object["role_id"] as? String, let role = await state.appRoles[roleID] else {
            return error(["invalid role ID"], status: .badRequest)
        }
        guard object["secret_id"] as? String == role.secretID else { return error(["invalid secret id"], status: .badRequest) }
        let token = await state.issueToken(policies: ["default", "gloo"], ttl: role.ttl, maxTTL: role.maxTTL, renewable: true)
        return json(["auth": ["client_token": token, "lease_duration": Int(role.ttl.components.seconds), "renewable": true,
                              "policies": ["default", "gloo"]]])
    }

    private static func lookup(_ token: String, state: VaultState) async -> Response {
        guard let found = await state.validToken(token) else { return error(["permission denied"], status: .forbidden) }
        let expire: Any = found.expires.map { $0.formatted(.iso8601) } ?? NSNull()
        return json(["data": ["ttl": await state.remaining(found), "renewable": found.renewable, "expire_time": expire,
                              "policies": found.policies, "creation_ttl": Int(found.ttl.components.seconds)]])
    }

    private static func kv2(
        method: String, listing: Bool, mount: String, rest: String, object: [String: Any], request: Request, state: VaultState
    ) async -> Response {
        let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
        let kind = parts.first ?? ""
        let path = parts.count > 1 ? parts[1] : ""
        func versionMetadata(_ version: VaultState.Version, _ number: Int) -> [String: Any] {
            ["created_time": version.created.formatted(.iso8601), "deletion_time": version.deleted.map { $0.formatted(.iso8601) } ?? "",
             "destroyed": version.destroyed, "version": number, "custom_metadata": NSNull()]
        }
        switch (kind, method) {
        case ("metadata", _) where listing:
            let keys = await state.list(mount: mount, folder: path)
            return keys.isEmpty ? error([], status: .notFound) : json(["data": ["keys": keys]])
        case ("data", "GET"):
            guard let secret = await state.mounts[mount]?.secrets[path] else { return error([], status: .notFound) }
            let number = request.uri.queryParameters["version"].flatMap { Int(String($0)) } ?? secret.current
            guard let version = secret.versions[number] else { return error([], status: .notFound) }
            let gone = version.deleted != nil || version.destroyed
            let data: Any = gone ? NSNull() : ((try? JSONSerialization.jsonObject(with: version.data)) ?? [:])
            return json(["data": ["data": data, "metadata": versionMetadata(version, number)]], status: gone ? .notFound : .ok)
        case ("data", "POST"), ("data", "PUT"):
            guard let values = object["data"] as? [String: Any], let data = try? JSONSerialization.data(withJSONObject: values) else {
                return error(["no data provided"], status: .badRequest)
            }
            let cas = (object["options"] as? [String: Any])?["cas"] as? Int
            guard let (number, created) = await state.write(mount: mount, path: path, data: data, cas: cas) else {
                return error(["check-and-set parameter did not match the current version"], status: .badRequest)
            }
            return json(["data": ["created_time": created.formatted(.iso8601), "deletion_time": "", "destroyed": false, "version": number]])
        case ("data", "DELETE"):
            await state.softDelete(mount: mount, path: path, versions: nil)
            return Response(status: .noContent)
        case ("delete", "POST"), ("delete", "PUT"):
            await state.softDelete(mount: mount, path: path, versions: object["versions"] as? [Int] ?? [])
            return Response(status: .noContent)
        case ("destroy", "POST"), ("destroy", "PUT"):
            await state.destroy(mount: mount, path: path, versions: object["versions"] as? [Int] ?? [])
            return Response(status: .noContent)
        case ("metadata", "GET"):
            guard let secret = await state.mounts[mount]?.secrets[path] else { return error([], status: .notFound) }
            var versions: [String: Any] = [:]
            for (number, version) in secret.versions { versions[String(number)] = versionMetadata(version, number) }
            return json(["data": ["current_version": secret.current, "oldest_version": secret.versions.keys.min() ?? 0,
                                  "created_time": secret.created.formatted(.iso8601), "updated_time": secret.updated.formatted(.iso8601),
                                  "max_versions": 0, "cas_required": false, "versions": versions]])
        case ("metadata", "DELETE"):
            await state.removeSecret(mount: mount, path: path)
            return Response(status: .noContent)
        default:
            return error(["unsupported operation"], status: .methodNotAllowed)
        }
    }

    private static func kv1(
        method: String, listing: Bool, mount: String, path: String, object: [String: Any], state: VaultState
    ) async -> Response {
        if listing {
            let keys = await state.list(mount: mount, folder: path)
            return keys.isEmpty ? error([], status: .notFound) : json(["data": ["keys": keys]])
        }
        switch method {
        case "GET":
            guard let data = await state.mounts[mount]?.values[path], let values = try? JSONSerialization.jsonObject(with: data) else {
                return error([], status: .notFound)
            }
            return json(["data": values, "lease_duration": 2_764_800, "renewable": false])
        case "POST", "PUT":
            guard let data = try? JSONSerialization.data(withJSONObject: object) else { return error(["no data provided"], status: .badRequest) }
            await state.setValue(mount: mount, path: path, data: data)
            return Response(status: .noContent)
        case "DELETE":
            await state.setValue(mount: mount, path: path, data: nil)
            return Response(status: .noContent)
        default:
            return error(["unsupported operation"], status: .methodNotAllowed)
        }
    }

    /// `1h`, `30m`, `45s`, or seconds as a number.
    static func seconds(_ text: String) -> Duration? {
        for (suffix, unit) in [("h", 3600.0), ("m", 60.0), ("s", 1.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast()).map { .seconds($0 * unit) }
        }
        return Double(text).map { .seconds($0) }
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var envelope: [String: Any] = ["request_id": UUID().uuidString.lowercased(), "lease_id": "", "renewable": false,
                                       "lease_duration": 0, "wrap_info": NSNull(), "warnings": NSNull(), "auth": NSNull()]
        envelope.merge(object) { $1 }
        let data = (try? JSONSerialization.data(withJSONObject: envelope, options: [])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ messages: [String], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["errors": messages])) ?? Data(#"{"errors":[]}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
