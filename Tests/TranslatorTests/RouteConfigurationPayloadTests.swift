import EnvoyAPI
import Foundation
import GlooAPI
import Testing

@testable import Translator

/// Single mode assembles its RouteConfiguration from each virtual host's cached bytes; the result
/// must be the bytes SwiftProtobuf writes for the whole message (versions and Envoy depend on it).
@Suite struct RouteConfigurationPayloadTests {
    @Test func assembledBytesEqualTheSerializedMessage() throws {
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = "listener-::-8080-routes"
        for index in 0..<300 {
            var host = Envoy_Config_Route_V3_VirtualHost()
            host.name = "ns_service-\(index)"
            host.domains = ["service-\(index).example.com"] + (index % 7 == 0 ? (0..<40).map { "alias-\($0).example.com" } : [])
            var route = Envoy_Config_Route_V3_Route()
            route.match.prefix = "/" + String(repeating: "p", count: index % 200)
            route.route.cluster = "cluster-\(index)"
            host.routes = [route]
            configuration.virtualHosts.append(host)
        }
        let hosts = try configuration.virtualHosts.map { try EnvoyResources.serialize($0) }
        let assembled = try #require(TranslationSession.routeConfigurationPayload(name: configuration.name, hosts: hosts))
        #expect(assembled == (try EnvoyResources.serialize(configuration)))
        #expect(hosts.contains { $0.count >= 128 }, "lengths past one varint byte are covered")
        #expect(try Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: assembled) == configuration)

        // With the gateway's routeOptions: their fields follow the hosts, as SwiftProtobuf writes them.
        let options = RouteConfigurationOptions(maxDirectResponseBodySizeBytes: 8192, mostSpecificHeaderMutationsWins: true)
        TranslationSession.apply(options, to: &configuration)
        let withOptions = try #require(TranslationSession.routeConfigurationPayload(name: configuration.name, hosts: hosts, options: options))
        #expect(withOptions == (try EnvoyResources.serialize(configuration)))
    }
}
