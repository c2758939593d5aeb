import ScriptGenModel
import ScriptGenSimplifier
import ScriptGenTestSupport
import Testing

@Suite struct SimplifierOptionsTests {
    @Test func parametersRoundTrip() {
        let options = SimplifierOptions { $0.macroclusterThreshold = 0.45; $0.maxAlignedSamples = 300; $0.maxLeadingTokens = 5; $0.maxDistinctValues = 3; $0.minValueShare = 0.1; $0.minValueRequests = 4; $0.minValueCoverage = 0.7; $0.microclusterWindow = 12; $0.minFixedLength = 2; $0.minRowsForShortBinaryFixed = 6; $0.trimPartialTokens = false; $0.relativeLengthSlack = 0.25; $0.minimumLengthSlack = 1; $0.minRequestsToGeneralise = 3; $0.minRequestsForWildcard = 9; $0.generaliseLoneArguments = false; $0.respArguments = false; $0.separateServerCloses = false; $0.maxFanout = 7; $0.maxStates = 99; $0.fanoutThresholdStep = 0.05; $0.minConflictObservations = 5 }
        #expect(SimplifierOptions(parameters: options.parameters) == options)
        #expect(options.parameters.values.count == 36)  // 21 + 7 context-merging + 7 reply-field + 1 request-framing parameters
        #expect(options.parameters.sortedNames.allSatisfy { $0.hasPrefix("simplifier.") })
        // Switches are booleans in the model file.
        #expect(options.parameters["simplifier.trimPartialTokens"] == .flag(false))
    }

    @Test func missingParametersTakeDefaults() {
        var parameters = LearningParameters(["builder.maxFanout": .integer(3)])
        #expect(SimplifierOptions(parameters: parameters) == SimplifierOptions())
        // An integer where a number is expected is widened; older files' 0/1 switches still read.
        parameters["simplifier.macroclusterThreshold"] = .integer(1)
        parameters["simplifier.mergeContexts"] = .integer(0)
        #expect(SimplifierOptions(parameters: parameters).macroclusterThreshold == 1)
        #expect(SimplifierOptions(parameters: parameters).mergeContexts == false)
        // A value of another kind keeps the default.
        parameters["simplifier.maxStates"] = .text("many")
        #expect(SimplifierOptions(parameters: parameters).maxStates == SimplifierOptions().maxStates)
    }

    @Test func commandLineAssignmentsUseTheTable() throws {
        var options = SimplifierOptions()
        try SimplifierOptions.table.assign("mergeContexts=false", to: &options)
        try SimplifierOptions.table.assign("simplifier.maxAlignedSamples=500", to: &options)
        try SimplifierOptions.table.assign("minValueShare=0.25", to: &options)
        #expect(options == SimplifierOptions { $0.mergeContexts = false; $0.maxAlignedSamples = 500; $0.minValueShare = 0.25 })
        try SimplifierOptions.table.assign("mergeContexts=1", to: &options)
        #expect(options.mergeContexts)

        #expect(throws: OptionAssignmentError.self) { try SimplifierOptions.table.assign("maxAlignedSamples=0.5", to: &options) }
        #expect(throws: OptionAssignmentError.self) { try SimplifierOptions.table.assign("mergeContexts=maybe", to: &options) }
        #expect(throws: OptionAssignmentError.self) { try SimplifierOptions.table.assign("noSuchOption=1", to: &options) }
        #expect(throws: OptionAssignmentError.self) { try SimplifierOptions.table.assign("maxFanout", to: &options) }
        #expect(throws: OptionAssignmentError.self) { try SimplifierOptions.table.assign("minValueShare=nan", to: &options) }
        #expect(options.mergeContexts && options.maxAlignedSamples == 500)
    }

    @Test func documentationListsEveryOptionWithItsDefault() throws {
        let problems = try optionTableDisagreements(SimplifierOptions.table, defaults: SimplifierOptions(),
                                                    file: "docs/simplifier.md", header: "simplifier.", fullNames: false)
        #expect(problems.isEmpty, "\(problems)")
    }
}
