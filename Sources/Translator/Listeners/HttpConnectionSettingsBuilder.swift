import EnvoyAPI
import GlooAPI
import SwiftProtobuf

/// Gloo's HTTP connection manager settings on Envoy's connection manager, and access logs.
enum HttpConnectionSettingsBuilder {
    typealias Manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager

    static func apply(_ settings: HttpConnectionSettings, to manager: inout Manager) throws {
        let duration = ClusterTranslator.duration
        manager.skipXffAppend = settings.skipXffAppend
        manager.via = settings.via
        manager.xffNumTrustedHops = settings.xffNumTrustedHops
        if let value = settings.useRemoteAddress { manager.useRemoteAddress = Google_Protobuf_BoolValue(value) }
        if let value = settings.generateRequestId { manager.generateRequestID = Google_Protobuf_BoolValue(value) }
        manager.proxy100Continue = settings.proxy100Continue
        if let value = settings.streamIdleTimeout { manager.streamIdleTimeout = duration(value) }
        if let value = settings.maxRequestHeadersKb { manager.maxRequestHeadersKb = Google_Protobuf_UInt32Value(value) }
        if let value = settings.requestTimeout { manager.requestTimeout = duration(value) }
        if let value = settings.requestHeadersTimeout { manager.requestHeadersTimeout = duration(value) }
        if let value = settings.drainTimeout { manager.drainTimeout = duration(value) }
        if let value = settings.delayedCloseTimeout { manager.delayedCloseTimeout = duration(value) }
        manager.serverName = settings.serverName
        if settings.acceptHttp10 {
            manager.httpProtocolOptions.acceptHTTP10 = true
            manager.httpProtocolOptions.defaultHostForHTTP10 = settings.defaultHostForHttp10
        }
        manager.preserveExternalRequestID = settings.preserveExternalRequestId
        var common = Envoy_Config_Core_V3_HttpProtocolOptions()
        var hasCommon = false
        if let value = settings.idleTimeout { common.idleTimeout = duration(value); hasCommon = true }
        if let value = settings.maxConnectionDuration { common.maxConnectionDuration = duration(value); hasCommon = true }
        if let value = settings.maxStreamDuration { common.maxStreamDuration = duration(value); hasCommon = true }
        if let value = settings.maxHeadersCount { common.maxHeadersCount = Google_Protobuf_UInt32Value(value); hasCommon = true }
        if let value = settings.maxRequestsPerConnection {
            common.maxRequestsPerConnection = Google_Protobuf_UInt32Value(value)
            hasCommon = true
        }
        switch settings.headersWithUnderscoresAction {
        case .rejectClientRequest?: common.headersWithUnderscoresAction = .rejectRequest; hasCommon = true
        case .dropHeader?: common.headersWithUnderscoresAction = .dropHeader; hasCommon = true
        case .allow?, nil: break
        }
        if hasCommon { manager.commonHTTPProtocolOptions = common }
        manager.upgradeConfigs = try settings.upgrades.compactMap { upgrade in
            var config = Manager.UpgradeConfig()
            if upgrade.connectTerminate != nil {
                throw TranslationFailure(
                    fieldPath: "httpGateway.options.httpConnectionManagerSettings.upgrades",
                    reason: "connectTerminate is for routes; on a connection manager use connect (as Gloo requires)")
            }
            if let websocket = upgrade.websocket {
                config.upgradeType = "websocket"
                if let enabled = websocket.enabled { config.enabled = Google_Protobuf_BoolValue(enabled) }
            } else if let connect = upgrade.connect {
                config.upgradeType = "CONNECT"
                if let enabled = connect.enabled { config.enabled = Google_Protobuf_BoolValue(enabled) }
            } else {
                return nil
            }
            return config
        }
        switch settings.serverHeaderTransformation {
        case .overwrite, nil: break
        case .appendIfAbsent: manager.serverHeaderTransformation = .appendIfAbsent
        case .passThrough: manager.serverHeaderTransformation = .passThrough
        }
        switch settings.codecType {
        case .auto, nil: break
        case .http1: manager.codecType = .http1
        case .http2: manager.codecType = .http2
        }
        if let value = settings.mergeSlashes { manager.mergeSlashes = value }
        if settings.stripAnyHostPort == true { manager.stripAnyHostPort = true }
    }

    /// What Gloo sets on every connection manager unless the settings say otherwise: paths
    /// normalized (RFC 3986: `/public/../admin` is routed as `/admin`), and WebSocket upgrades
    /// allowed unless `upgrades` configures WebSocket itself.
    static func applyGlooDefaults(_ settings: HttpConnectionSettings?, to manager: inout Manager) {
        manager.normalizePath = Google_Protobuf_BoolValue(settings?.normalizePath ?? true)
        if settings?.upgrades.contains(where: { $0.websocket != nil }) != true {
            var websocket = Manager.UpgradeConfig()
            websocket.upgradeType = "websocket"
            manager.upgradeConfigs.append(websocket)
        }
    }

    static let fileAccessLog = "envoy.access_loggers.file"

    /// File access logs (`/dev/stdout` works too), text or JSON; gRPC access logs are reported.
    static func accessLogs(
        _ service: AccessLoggingService?, report: (String, String) -> Void
    ) throws -> [Envoy_Config_Accesslog_V3_AccessLog] {
        guard let service else { return [] }
        var logs: [Envoy_Config_Accesslog_V3_AccessLog] = []
        for (index, log) in service.accessLog.enumerated() {
            guard let sink = log.fileSink else {
                report("accessLoggingService.accessLog[\(index)]", "only fileSink access logs are supported; this one is not written")
                continue
            }
            var file = Envoy_Extensions_AccessLoggers_File_V3_FileAccessLog()
            file.path = sink.path
            switch sink.format {
            case .stringFormat(let format):
                if !format.isEmpty { file.logFormat.textFormatSource.inlineString = format }
            case .jsonFormat(let format):
                file.logFormat.jsonFormat = try Google_Protobuf_Struct(jsonString: format.jsonText(pretty: false))
            case nil:
                break
            }
            var envoy = Envoy_Config_Accesslog_V3_AccessLog()
            envoy.name = fileAccessLog
            envoy.typedConfig = try Google_Protobuf_Any(message: file)
            logs.append(envoy)
        }
        return logs
    }
}
