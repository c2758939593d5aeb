import ScriptGenFlows
import ScriptGenModel
import ScriptGenTestSupport
import Testing

@Suite struct FlowOptionsTests {
    @Test func durationsAreRecordedInSeconds() {
        var options = FlowOptions()
        options.tcpIdleTimeout = 1_500_000_000
        options.requireHandshake = true
        let parameters = options.parameters
        #expect(parameters["flows.tcpIdleTimeoutSeconds"] == .number(1.5))
        #expect(parameters["flows.requireHandshake"] == .flag(true))
        #expect(parameters["flows.maxOpenConversations"] == .integer(200_000))
        #expect(FlowOptions.table.options(from: parameters, defaults: FlowOptions()) == options)
        // Past the range of nanoseconds in an Int64 a duration keeps its default rather than trapping.
        let huge = LearningParameters(["flows.udpIdleTimeoutSeconds": .number(1e300)])
        #expect(FlowOptions.table.options(from: huge, defaults: FlowOptions()) == FlowOptions())
    }

    @Test func documentationListsEveryFlowOptionWithItsDefault() throws {
        let problems = try optionTableDisagreements(FlowOptions.table, defaults: FlowOptions(),
                                                    file: "docs/model-format.md", header: "Name", fullNames: true)
        #expect(problems.isEmpty, "\(problems)")
    }
}
