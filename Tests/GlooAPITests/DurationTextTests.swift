import GlooAPI
import Testing

/// Stored durations are read as Gloo reads them (jsonpb: Go's `time.ParseDuration` as well as
/// protobuf's seconds form), so Gloo's own examples decode.
@Suite struct DurationTextTests {
    @Test(arguments: [
        ("1.5s", ProtoDuration(seconds: 1, nanos: 500_000_000)), ("5s", ProtoDuration(seconds: 5)),
        ("1m2s", ProtoDuration(seconds: 62)), ("500ms", ProtoDuration(milliseconds: 500)),
        ("1h30m", ProtoDuration(seconds: 5400)), (".5s", ProtoDuration(milliseconds: 500)),
        ("300us", ProtoDuration(seconds: 0, nanos: 300_000)), ("2\u{00B5}s", ProtoDuration(seconds: 0, nanos: 2_000)),
        ("1.5h", ProtoDuration(seconds: 5400)), ("10ns", ProtoDuration(seconds: 0, nanos: 10)),
        ("0", ProtoDuration(seconds: 0)), ("-1m30s", ProtoDuration(seconds: -90)),
        ("1h2m3.25s", ProtoDuration(seconds: 3723, nanos: 250_000_000)),
    ])
    func goAndProtobufFormsParse(_ text: String, _ expected: ProtoDuration) {
        #expect(ProtoDuration(text: text) == expected)
    }

    @Test(arguments: ["", "1", "s", "1d", "1.s.s", "1m2", "ms", ".s", "1 s", "3000000h", "--1s"])
    func otherTextIsNotADuration(_ text: String) {
        #expect(ProtoDuration(text: text) == nil)
    }

    @Test func aGatewayWithGoDurationsDecodes() throws {
        let yaml = """
            bindPort: 8080
            httpGateway:
              options:
                httpConnectionManagerSettings: {idleTimeout: 1h30m, requestTimeout: 1m2s, streamIdleTimeout: 500ms}
            """
        let key = try ResourceKey.parse("gloo/gateway.solo.io/v1/Gateway/gloo-system/gateway-proxy").get()
        let decoded = ResourceCodec.decode(Gateway.self, from: Array(yaml.utf8), key: key)
        #expect(decoded.problems.isEmpty, "\(decoded.problems)")
        guard case .httpGateway(let http)? = decoded.resource?.gatewayType else { Issue.record("expected an HTTP gateway"); return }
        let settings = try #require(http.options?.httpConnectionManagerSettings)
        #expect(settings.idleTimeout == ProtoDuration(seconds: 5400))
        #expect(settings.requestTimeout == ProtoDuration(seconds: 62))
        #expect(settings.streamIdleTimeout == ProtoDuration(milliseconds: 500))
    }
}
