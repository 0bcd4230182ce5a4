import Foundation
import Testing

@testable import NomadJobs

@Suite struct NomadServiceRegistrationTests {
    @Test func decodesTheServiceAPIAnswer() throws {
        let json = """
            [{"Address":"10.0.0.5","AllocID":"a1","CreateIndex":10,"Datacenter":"dc1","ID":"_nomad-task-a1-web-http",
              "JobID":"web","ModifyIndex":12,"Namespace":"default","NodeID":"n1","Port":24567,"ServiceName":"web","Tags":null}]
            """
        let services = try JSONDecoder().decode([NomadServiceRegistration].self, from: Data(json.utf8))
        #expect(services.first?.address == "10.0.0.5")
        #expect(services.first?.port == 24567)
        #expect(services.first?.tags == [])
        #expect(services.first?.modifyIndex == 12)
    }
}
