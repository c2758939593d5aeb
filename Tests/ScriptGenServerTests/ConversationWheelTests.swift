import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import ScriptGenServer

@Suite struct ConversationWheelTests {
    final class Member: ConversationWheel.Member {
        var wheelIndex = -1
        var sweeps: [Int64] = []
        func sweep(now: Int64) { sweeps.append(now) }
    }

    @Test(arguments: [
        (ServerLimits(idleTimeout: 120_000_000_000), Int64(250_000_000)),
        (ServerLimits(idleTimeout: 200_000_000), Int64(25_000_000)),
        (ServerLimits(idleTimeout: 1_000_000), Int64(10_000_000)),
        (ServerLimits(idleTimeout: 120_000_000_000, maxDuration: 800_000_000), Int64(100_000_000)),
    ])
    func tickIsAnEighthOfTheShortestLimitWithinBounds(limits: ServerLimits, tick: Int64) {
        #expect(ConversationWheel.tick(for: limits) == tick)
    }

    @Test func removingKeepsTheOtherMembersIndexed() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let indices = try loop.submit { () -> [[Int]] in
            let wheel = ConversationWheel(eventLoop: loop, tick: 10_000_000_000)
            let members = (0..<4).map { _ in Member() }
            members.forEach(wheel.add)
            var seen = [members.map(\.wheelIndex)]
            wheel.remove(members[1])
            seen.append(members.map(\.wheelIndex))
            wheel.remove(members[1])  // twice: no effect
            wheel.remove(members[3])
            seen.append(members.map(\.wheelIndex))
            return seen
        }.wait()
        #expect(indices == [[0, 1, 2, 3], [0, -1, 2, 1], [0, -1, 1, -1]])
    }

    @Test func sweepsEveryMemberWhileAnyIsOpen() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let members = [Member(), Member()]
        try loop.submit {
            let wheel = ConversationWheel(eventLoop: loop, tick: 10_000_000)
            members.forEach(wheel.add)
        }.wait()
        // Bounded wait for two ticks (not a timing assertion: only that sweeps happen).
        for _ in 0..<200 {
            if try loop.submit({ members.allSatisfy { $0.sweeps.count >= 2 } }).wait() { break }
            try loop.scheduleTask(in: .milliseconds(10)) {}.futureResult.wait()
        }
        let counts = try loop.submit { members.map(\.sweeps.count) }.wait()
        #expect(counts.allSatisfy { $0 >= 2 })
    }
}

@Suite struct EventAppendTests {
    @Test func appendingToAQueueEqualsConcatenatedLines() {
        let first = Event(.sessionOpened, time: WallTime(seconds: 1_795_000_000, nanoseconds: 5_000), [("session", .string("ab-1")), ("sport", .int(-42))])
        let second = Event(.sessionResponse, time: WallTime(seconds: 0, nanoseconds: 999_999_999), [("bytes", .bytes([0, 1, 2, 3])), ("n", .int(Int.min))])
        var queue: [UInt8] = []
        first.appendJSONLine(to: &queue)
        second.appendJSONLine(to: &queue)
        #expect(queue == first.jsonLine() + second.jsonLine())
    }

    @Test(arguments: [0, 7, 10, 99, 100, 12_345, -1, -10, Int.max, Int.min])
    func integersAreWrittenAsSwiftPrintsThem(number: Int) {
        var out: [UInt8] = []
        JSONText.appendInt(number, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(number))
    }

    @Test(arguments: ["plain", "", "quote\"", "back\\slash", "tab\t", "\u{7f}", "é"])
    func stringsWithAndWithoutEscapesAreValidJSON(text: String) throws {
        var out: [UInt8] = []
        JSONText.appendString(text, to: &out)
        let decoded = try JSONSerialization.jsonObject(with: Data([UInt8(ascii: "[")] + out + [UInt8(ascii: "]")])) as? [String]
        #expect(decoded == [text])
    }
}
