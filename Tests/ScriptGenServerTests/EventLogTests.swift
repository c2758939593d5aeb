import Foundation
import Testing
@testable import ScriptGenServer

@Suite struct EventLogTests {
    /// Reads everything from `fd` until EOF on a background thread.
    final class Drain: @unchecked Sendable {
        private(set) var bytes: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(fd: Int32, delayMicroseconds: UInt32 = 0) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    if delayMicroseconds > 0 { usleep(delayMicroseconds) }
                    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                    if count <= 0 { break }
                    bytes += buffer[0..<count]
                }
                close(fd)
                done.signal()
            }
        }

        func wait() -> [UInt8] {
            done.wait()
            return bytes
        }
    }

    static func pipePair() -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        return (fds[0], fds[1])
    }

    static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast().map { Array($0) + [0x0a] }
    }

    @Test func concurrentWritersNeverInterleaveLines() throws {
        let (readEnd, writeEnd) = Self.pipePair()
        let drain = Drain(fd: readEnd)
        let log = EventLog(fd: writeEnd, closeWhenDone: true)
        let threads = 8, perThread = 2000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                // Long, varied lines so a split write would show.
                log.record(Event(.sessionResponse, time: .now(), [
                    ("thread", .int(thread)), ("index", .int(index)),
                    ("bytes", .bytes([UInt8](repeating: UInt8(thread), count: 100 + index % 900))),
                ]))
            }
        }
        log.close()
        let lines = Self.lines(drain.wait())
        #expect(lines.count == threads * perThread)
        var seen = Set<Int>()
        for line in lines {
            let object = try #require(parseLine(line))
            let thread = object["thread"] as! Int, index = object["index"] as! Int
            seen.insert(thread * perThread + index)
            #expect((object["bytes"] as? String).flatMap { Data(base64Encoded: $0) }?.count == 100 + index % 900)
        }
        #expect(seen.count == threads * perThread)
        #expect(log.counters.dropped == 0)
    }

    @Test func brokenDestinationIsCountedNotFatal() {
        signal(SIGPIPE, SIG_IGN)
        let (readEnd, writeEnd) = Self.pipePair()
        close(readEnd)  // Every write now fails with EPIPE.
        let log = EventLog(fd: writeEnd, closeWhenDone: true)
        for index in 0..<100 { log.record(Event(.sessionOpened, time: .now(), [("index", .int(index))])) }
        log.flush()
        log.close()
        #expect(log.counters.failedWrites >= 1)
    }

    @Test func slowDestinationDropsAndReportsInsteadOfBlocking() throws {
        let (readEnd, writeEnd) = Self.pipePair()
        let drain = Drain(fd: readEnd, delayMicroseconds: 2000)
        let log = EventLog(fd: writeEnd, closeWhenDone: true, maxQueuedBytes: 4096)
        for index in 0..<20_000 { log.record(Event(.sessionOpened, time: .now(), [("index", .int(index))])) }
        log.close()
        let lines = Self.lines(drain.wait())
        let dropped = log.counters.dropped
        #expect(dropped > 0)
        let objects = lines.compactMap(parseLine)
        #expect(objects.count == lines.count)
        let reported = objects.filter { $0["event"] as? String == "log.dropped" }.compactMap { $0["count"] as? Int }.reduce(0, +)
        #expect(reported == dropped)
        #expect(objects.count - objects.filter { $0["event"] as? String == "log.dropped" }.count == 20_000 - dropped)
    }
}
