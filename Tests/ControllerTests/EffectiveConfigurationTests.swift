import Foundation
import GlooAPI
import Testing

@testable import Controller

/// Flags, then the Settings file, then the HashiCorp environment, then defaults; secrets masked.
@Suite struct EffectiveConfigurationTests {
    static let settingsYAML = """
        metadata: {name: default, namespace: gloo-system}
        discoveryNamespace: discovered
        refreshRate: 30s
        gloo: {xdsBindAddr: "0.0.0.0:19977"}
        consul: {address: "settings-consul:8500", token: settings-consul-token, serviceDiscovery: {dataCenters: [dc2]}}
        consulKvSource: {rootKey: gloo-settings}
        vaultSecretSource: {address: "https://settings-vault:8200", accessToken: settings-vault-token, pathPrefix: kv, tlsConfig: {caCert: /ca.pem}}
        """

    static func withSettings(_ text: String = settingsYAML, _ body: (SettingsFile.Loaded) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "settings-\(UUID().uuidString).yaml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var flags = RunFlags()
        flags.settingsFile = path
        try body(try #require(try SettingsFile.load(flags)))
    }

    @Test func defaultsWhenNothingIsGiven() {
        let effective = EffectiveConfiguration.resolve(flags: RunFlags(), settings: nil, environment: [:])
        #expect(effective.xdsAddress == Sourced("0.0.0.0:9977", .default))
        #expect(effective.adminAddress == Sourced("127.0.0.1:9091", .default))
        #expect(effective.rootKey.value == "gloo")
        #expect(effective.debounce.value == .milliseconds(20) && effective.maximumDelay.value == .milliseconds(250))
        #expect(effective.discoveryEnabled == Sourced(false, .default), "no Consul, no discovery")
        #expect(effective.vaultPathPrefix.value == "secret")
    }

    @Test func flagsBeatSettingsBeatEnvironmentBeatDefaults() throws {
        try Self.withSettings { loaded in
            let environment = ["CONSUL_HTTP_ADDR": "env-consul:8500", "CONSUL_HTTP_TOKEN": "env-consul-token",
                               "VAULT_ADDR": "https://env-vault:8200", "VAULT_NAMESPACE": "team-a", "NOMAD_ADDR": "http://env-nomad:4646",
                               "CONSUL_CACERT": "/env-ca.pem"]
            var flags = RunFlags()
            flags.xdsAddress = "127.0.0.1:1234"
            flags.consulAddress = "flag-consul:8500"
            let effective = EffectiveConfiguration.resolve(flags: flags, settings: loaded, environment: environment)
            #expect(effective.xdsAddress == Sourced("127.0.0.1:1234", .flag, "--xds-address"), "flag over gloo.xdsBindAddr")
            #expect(effective.consulAddress == Sourced("flag-consul:8500", .flag, "--consul-address"))
            #expect(effective.consulToken == Sourced(SensitiveString("settings-consul-token"), .settings, "consul.token"),
                    "Settings over CONSUL_HTTP_TOKEN")
            #expect(effective.vaultAddress == Sourced("https://settings-vault:8200", .settings, "vaultSecretSource.address"))
            #expect(effective.vaultNamespace == Sourced("team-a", .environment, "VAULT_NAMESPACE"), "environment where Settings are silent")
            #expect(effective.consulCACert == Sourced("/env-ca.pem", .environment, "CONSUL_CACERT"))
            #expect(effective.vaultCACert == Sourced("/ca.pem", .settings, "vaultSecretSource.tlsConfig.caCert"))
            #expect(effective.nomadAddress == Sourced("http://env-nomad:4646", .environment, "NOMAD_ADDR"))
            #expect(effective.rootKey == Sourced("gloo-settings", .settings, "consulKvSource.rootKey"))
            #expect(effective.discoveryNamespace.value == "discovered")
            #expect(effective.discoveryEnabled == Sourced(true, .settings, "consul.serviceDiscovery"))
            #expect(effective.discoveryDatacenters.value == ["dc2"])
            #expect(effective.refreshRate == Sourced(.seconds(30), .settings, "refreshRate"))
            #expect(effective.vaultPathPrefix.value == "kv")

            flags.noDiscovery = true
            #expect(EffectiveConfiguration.resolve(flags: flags, settings: loaded, environment: environment).discoveryEnabled
                == Sourced(false, .flag, "--no-discovery"))
        }
    }

    @Test func environmentAloneAndTokenFiles() throws {
        let tokenFile = NSTemporaryDirectory() + "token-\(UUID().uuidString)"
        try Data("file-token\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let effective = EffectiveConfiguration.resolve(
            flags: RunFlags(), settings: nil,
            environment: ["CONSUL_HTTP_ADDR": "127.0.0.1:8500", "CONSUL_HTTP_TOKEN_FILE": tokenFile, "VAULT_SKIP_VERIFY": "true",
                          "CONSUL_HTTP_SSL_VERIFY": "false"])
        #expect(effective.consulToken == Sourced(SensitiveString("file-token"), .environment, "CONSUL_HTTP_TOKEN_FILE"))
        #expect(effective.discoveryEnabled == Sourced(true, .default), "on whenever Consul is configured, without a Settings file")
        #expect(effective.vaultSkipVerify == Sourced(true, .environment, "VAULT_SKIP_VERIFY"))
        #expect(effective.consulInsecureSkipVerify == Sourced(true, .environment, "CONSUL_HTTP_SSL_VERIFY"))

        // The flag's file wins over the environment; CONSUL_HTTP_SSL makes host:port https.
        var flags = RunFlags()
        flags.consulTokenFile = tokenFile
        flags.namespace = "team-a"
        let fromFlag = EffectiveConfiguration.resolve(
            flags: flags, settings: nil,
            environment: ["CONSUL_HTTP_ADDR": "127.0.0.1:8500", "CONSUL_HTTP_TOKEN": "env-token", "CONSUL_HTTP_SSL": "true"])
        #expect(fromFlag.consulToken == Sourced(SensitiveString("file-token"), .flag, "--consul-token-file"))
        #expect(fromFlag.statusNamespace == Sourced("team-a", .flag, "--namespace"))
        let run = try RunConfiguration(fromFlag)
        guard case .consul(let consul) = run.source else { Issue.record("expected Consul"); return }
        #expect(consul.baseURL == "https://127.0.0.1:8500")
        #expect(run.writeStatuses && run.statusNamespace == "team-a")
    }

    @Test func printedConfigurationMasksSecretsAndSaysWhereEachValueCameFrom() throws {
        try Self.withSettings { loaded in
            let effective = EffectiveConfiguration.resolve(
                flags: RunFlags(), settings: loaded, environment: ["NOMAD_TOKEN": "env-nomad-token", "VAULT_TOKEN": "env-vault-token"])
            let printed = effective.printed
            for secret in ["settings-consul-token", "settings-vault-token", "env-nomad-token", "env-vault-token"] {
                #expect(!printed.contains(secret), "\(secret) is masked")
            }
            let lines = Dictionary(uniqueKeysWithValues: effective.lines.map { ($0.name, $0) })
            #expect(lines["consul.token"]?.value == "<redacted>")
            #expect(lines["consul.token"]?.provenance == "settings consul.token")
            #expect(lines["vault.token"]?.provenance == "settings vaultSecretSource.accessToken", "Settings over VAULT_TOKEN")
            #expect(lines["nomad.token"]?.value == "<redacted>" && lines["nomad.token"]?.provenance == "environment NOMAD_TOKEN")
            #expect(lines["xds.address"]?.value == "0.0.0.0:19977" && lines["xds.address"]?.provenance == "settings gloo.xdsBindAddr")
            #expect(lines["loop.debounce"]?.value == "20ms" && lines["loop.debounce"]?.provenance == "default")
            #expect(lines["refreshRate"]?.value == "30s")
            #expect(printed.contains("settings.file"))
        }
    }

    @Test func settingsFilesInGlooDirAndKubernetesFormAndRejections() throws {
        let dir = NSTemporaryDirectory() + "gloo-settings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/team", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("""
            apiVersion: gloo.solo.io/v1
            kind: Settings
            metadata: {name: default, namespace: team}
            spec: {discoveryNamespace: from-spec, directoryConfigSource: {directory: /srv/gloo}}
            """.utf8).write(to: URL(fileURLWithPath: dir + "/team/default.yaml"))
        var flags = RunFlags()
        flags.settingsDir = dir
        flags.namespace = "team"
        let loaded = try #require(try SettingsFile.load(flags))
        let effective = EffectiveConfiguration.resolve(flags: flags, settings: loaded, environment: [:])
        #expect(effective.discoveryNamespace.value == "from-spec")
        #expect(effective.configDirectory == Sourced("/srv/gloo", .settings, "directoryConfigSource.directory"))

        try Data("discoveryNamespace: [not, a, string]\n".utf8).write(to: URL(fileURLWithPath: dir + "/team/default.yaml"))
        #expect { try SettingsFile.load(flags) } throws: { error in
            "\(error)".contains("discoveryNamespace") && "\(error)".contains("default.yaml")
        }
        try Data("discoveryNamespace: ok\nfutureField: 1\n".utf8).write(to: URL(fileURLWithPath: dir + "/team/default.yaml"))
        #expect { try SettingsFile.load(flags) } throws: { "\($0)".contains("futureField: unknown field") }
        try Data("discoveryNamespace: ok\ndevMode: true\n".utf8).write(to: URL(fileURLWithPath: dir + "/team/default.yaml"))
        #expect(try SettingsFile.load(flags)?.warnings.contains { $0.contains("devMode") } == true, "Gloo fields gloo-hashi ignores warn")
    }

    @Test func runConfigurationNamesTheBadValueAndItsSource() throws {
        var flags = RunFlags()
        flags.configDir = NSTemporaryDirectory()
        flags.adminAddress = "not-an-address"
        let effective = EffectiveConfiguration.resolve(flags: flags, settings: nil, environment: [:])
        #expect { try RunConfiguration(effective) } throws: { "\($0)".contains("'not-an-address' (flag --admin-address)") }
        let consulOnly = EffectiveConfiguration.resolve(
            flags: RunFlags(), settings: nil, environment: ["CONSUL_HTTP_ADDR": "consul:8500", "CONSUL_HTTP_TOKEN": "t"])
        guard case .consul(let consul) = try RunConfiguration(consulOnly).source else {
            Issue.record("Consul alone is the source"); return
        }
        #expect(consul.baseURL == "http://consul:8500" && consul.token.revealed == "t")
        var both = flags
        both.consulAddress = "consul:8500"
        both.adminAddress = nil
        guard case .directory = try RunConfiguration(EffectiveConfiguration.resolve(flags: both, settings: nil, environment: [:])).source else {
            Issue.record("--config-dir wins over Consul"); return
        }
        let unusable = EffectiveConfiguration.resolve(flags: RunFlags(), settings: nil, environment: ["CONSUL_HTTP_ADDR": "unix:///consul.sock"])
        #expect { try RunConfiguration(unusable) } throws: { "\($0)".contains("environment CONSUL_HTTP_ADDR") }
    }
}

extension EffectiveConfigurationTests {
    /// Settings' `consulDiscovery` read options: the agent cache is on unless turned off (Gloo's
    /// default), and the consistency mode is taken as written.
    @Test func discoveryReadModeFollowsSettings() throws {
        let none = RunConfiguration.discoveryOptions(EffectiveConfiguration.resolve(flags: RunFlags(), settings: nil, environment: [:]))
        #expect(none.read.consistency == .default && none.read.cached)
        let settings = Self.settingsYAML + "\nconsulDiscovery: {consistencyMode: StaleMode, queryOptions: {useCache: false}}\n"
        try Self.withSettings(settings) { loaded in
            let options = RunConfiguration.discoveryOptions(EffectiveConfiguration.resolve(flags: RunFlags(), settings: loaded, environment: [:]))
            #expect(options.read.consistency == .stale && !options.read.cached)
        }
        try Self.withSettings(Self.settingsYAML + "\nconsulDiscovery: {consistencyMode: ConsistentMode}\n") { loaded in
            let options = RunConfiguration.discoveryOptions(EffectiveConfiguration.resolve(flags: RunFlags(), settings: loaded, environment: [:]))
            #expect(options.read.consistency == .consistent && options.read.cached, "the cache is left out of consistent reads when sent")
        }
    }
}
