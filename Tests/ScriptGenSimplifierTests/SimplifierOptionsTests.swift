import ScriptGenModel
import ScriptGenSimplifier
import Testing

@Suite struct SimplifierOptionsTests {
    @Test func parametersRoundTrip() {
        let options = SimplifierOptions(macroclusterThreshold: 0.45, maxAlignedSamples: 300, maxLeadingTokens: 5, maxDistinctValues: 3, minValueShare: 0.1, minValueRequests: 4, minValueCoverage: 0.7, microclusterWindow: 12, minFixedLength: 2, minRowsForShortBinaryFixed: 6, trimPartialTokens: false, relativeLengthSlack: 0.25, minimumLengthSlack: 1, minRequestsToGeneralise: 3, minRequestsForWildcard: 9, generaliseLoneArguments: false, respArguments: false, separateServerCloses: false, maxFanout: 7, maxStates: 99, fanoutThresholdStep: 0.05, minConflictObservations: 5)
        #expect(SimplifierOptions(parameters: options.parameters) == options)
        #expect(options.parameters.values.count == 28)  // 21 + 7 context-merging parameters
        #expect(options.parameters.sortedNames.allSatisfy { $0.hasPrefix("simplifier.") })
    }

    @Test func missingParametersTakeDefaults() {
        var parameters = LearningParameters(["builder.maxFanout": .integer(3)])
        #expect(SimplifierOptions(parameters: parameters) == SimplifierOptions())
        // An integer where a number is expected is widened.
        parameters[SimplifierOptions.ParameterName.macroclusterThreshold] = .integer(1)
        #expect(SimplifierOptions(parameters: parameters).macroclusterThreshold == 1)
    }
}
