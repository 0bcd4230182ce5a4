import GlooAPI

extension EffectiveConfiguration {
    /// One line of `--print-config`: a dotted name, the value as text (secrets masked) and where
    /// it came from.
    public struct Line: Sendable, Equatable {
        public var name: String
        public var value: String
        public var provenance: String
    }

    /// Every value, in a fixed order, tokens shown as `<redacted>` (or empty when unset).
    public var lines: [Line] {
        func line<V>(_ name: String, _ sourced: Sourced<V>, _ text: (V) -> String) -> Line {
            Line(name: name, value: text(sourced.value), provenance: sourced.provenance)
        }
        let plain = { (value: String?) in value ?? "" }
        let secret = { (value: SensitiveString) in value.revealed.isEmpty ? "" : "<redacted>" }
        let seconds = { (value: Duration) in Self.text(value) }
        let flag = { (value: Bool) in value ? "true" : "false" }
        return [
            line("config.directory", configDirectory, plain),
            line("config.rootKey", rootKey) { $0 },
            Line(name: "settings.file", value: settingsFile ?? "", provenance: settingsFile == nil ? "default" : "flag"),
            line("discovery.enabled", discoveryEnabled, flag),
            line("discovery.namespace", discoveryNamespace) { $0 },
            line("statuses.namespace", statusNamespace) { $0 },
            line("statuses.writeToDirectory", writeStatuses, flag),
            line("discovery.dataCenters", discoveryDatacenters) { $0.joined(separator: ",") },
            line("discovery.includeWarning", discoveryIncludeWarning, flag),
            line("discovery.hostnameRefresh", discoveryHostnameRefresh, seconds),
            Line(name: "discovery.tlsTagging", value: consulDiscovery.map { discovery in
                discovery.useTlsTagging ? "tag \(discovery.tlsTagName.isEmpty ? "glooUseTls" : discovery.tlsTagName)"
                    + (discovery.splitTlsServices ? ", split" : "") : "off"
            } ?? "off", provenance: consulDiscovery == nil ? "default" : "settings (consulDiscovery)"),
            line("consul.address", consulAddress, plain),
            line("consul.token", consulToken, secret),
            line("consul.datacenter", consulDatacenter, plain),
            line("consul.caFile", consulCACert, plain),
            line("consul.certFile", consulClientCert, plain),
            line("consul.keyFile", consulClientKey, plain),
            line("consul.tlsServerName", consulTLSServerName, plain),
            line("consul.insecureSkipVerify", consulInsecureSkipVerify, flag),
            line("consul.ssl", consulSSL, flag),
            line("consul.waitTime", consulWaitTime, seconds),
            line("vault.address", vaultAddress, plain),
            line("vault.token", vaultToken, secret),
            line("vault.tokenFile", vaultTokenFile, plain),
            line("vault.appRole.roleIDFile", vaultRoleIDFile, plain),
            line("vault.appRole.secretIDFile", vaultSecretIDFile, plain),
            line("vault.appRole.roleID", vaultRoleID, secret),
            line("vault.appRole.secretID", vaultSecretID, secret),
            line("vault.namespace", vaultNamespace, plain),
            line("vault.caCert", vaultCACert, plain),
            line("vault.caPath", vaultCAPath, plain),
            line("vault.clientCert", vaultClientCert, plain),
            line("vault.clientKey", vaultClientKey, plain),
            line("vault.tlsServerName", vaultTLSServerName, plain),
            line("vault.skipVerify", vaultSkipVerify, flag),
            line("vault.rootKey", vaultRootKey) { $0 },
            line("vault.pathPrefix", vaultPathPrefix) { $0 },
            line("vault.refreshInterval", vaultRefreshInterval, seconds),
            line("nomad.address", nomadAddress, plain),
            line("nomad.token", nomadToken, secret),
            line("nomad.region", nomadRegion, plain),
            line("nomad.namespace", nomadNamespace, plain),
            line("nomad.caCert", nomadCACert, plain),
            line("xds.address", xdsAddress) { $0 },
            line("admin.address", adminAddress) { $0 },
            line("loop.debounce", debounce, seconds),
            line("loop.maxDelay", maximumDelay, seconds),
            line("directory.pollInterval", pollInterval, seconds),
            line("refreshRate", refreshRate, seconds),
            line("leader.sessionTTL", sessionTTL, seconds),
            line("log.level", logLevel) { $0 },
            line("log.format", logFormat) { $0 },
        ]
    }

    /// The effective configuration as aligned text, for `gloo-hashi run --print-config`.
    public var printed: String {
        let lines = self.lines
        let nameWidth = lines.map(\.name.count).max() ?? 0
        let valueWidth = min(48, lines.map(\.value.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return lines.map { "\(pad($0.name, nameWidth))  \(pad($0.value, valueWidth))  \($0.provenance)" }.joined(separator: "\n") + "\n"
    }

    /// `250ms`, `15s`, `5m`.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds % 60_000 == 0 && milliseconds >= 60_000 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
