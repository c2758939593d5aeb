import Foundation
import Testing

/// Times and sizes an operator may type: out-of-range values are a usage error (exit 64 with
/// a message), never a trap in the arithmetic that turns them into nanoseconds.
@Suite struct OperatorFlagTests {
    static func expectUsageError(_ arguments: [String], mentioning option: String) throws {
        let result = try CLIRunner.run(arguments, timeout: 60)
        #expect(result.status == 64, "\(arguments): status \(result.status), stderr \(result.stderr)")
        #expect(result.stderr.contains("\(option) must be"), "\(arguments): \(result.stderr)")
    }

    @Test(arguments: [
        ["--idle-timeout", "1e10"], ["--idle-timeout", "inf"], ["--idle-timeout", "nan"], ["--idle-timeout", "0"],
        ["--max-duration", "1e300"], ["--max-duration=-1"],
        ["--quiet-time-ms", "9999999999999"], ["--quiet-time-ms=-1"],
    ])
    func serveRejectsOutOfRangeTimes(_ flag: [String]) throws {
        try Self.expectUsageError(["serve", "no-such.model"] + flag, mentioning: String(flag[0].split(separator: "=")[0]))
    }

    @Test(arguments: [
        ["--idle-timeout", "1e10"], ["--idle-timeout", "inf"], ["--max-duration", "9e18"],
        ["--quiet-time-ms", "9999999999999"],
    ])
    func respondRejectsOutOfRangeTimes(_ flag: [String]) throws {
        try Self.expectUsageError(["respond", "no-such.model", "--port", "21"] + flag, mentioning: String(flag[0].split(separator: "=")[0]))
    }
}
