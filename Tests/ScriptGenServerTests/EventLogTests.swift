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

    /// Lines of the file at `path` (none if it is missing).
    static func fileLines(_ path: String) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return lines(Array(data))
    }

    // logrotate renames the file, then SIGHUP reopens it: under writers on four threads, every
    // line lands whole in one of the files, each new file starts with `log.reopened`.
    @Test func reopenAfterRenameLosesAndSplitsNoLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.log").path
        let fd = EventLog.openFile(path)
        #expect(fd >= 0)
        let log = EventLog(fd: fd, closeWhenDone: true, serializer: EventSerializer(format: .cowrie, sensor: "s"), path: path)
        let threads = 4, perThread = 5000, rotations = 5
        let group = DispatchGroup()
        for thread in 0..<threads {
            DispatchQueue.global().async(group: group) {
                for index in 0..<perThread {
                    log.record(Event(.sessionResponse, time: .now(), [
                        ("thread", .int(thread)), ("index", .int(index)), ("bytes", .bytes([UInt8](repeating: 1, count: index % 700))),
                    ]))
                    if index % 500 == 0 { usleep(1000) }
                }
            }
        }
        for rotation in 1...rotations {
            usleep(20_000)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".\(rotation)")
            log.reopen()
            log.flush()
            // The new file exists once the writer has handled the request.
            for _ in 0..<500 where !FileManager.default.fileExists(atPath: path) { usleep(2000) }
        }
        group.wait()
        log.close()
        var seen = Set<Int>()
        var reopened = 0
        for file in [path] + (1...rotations).map({ path + ".\($0)" }) {
            let lines = Self.fileLines(file)
            for (number, line) in lines.enumerated() {
                let object = try #require(parseLine(line), "\(file):\(number + 1) is not one JSON object")
                if object["eventid"] as? String == "scriptgen.log.reopened" {
                    reopened += 1
                    #expect(number == 0, "log.reopened is the first line of the new file")
                    #expect(object["path"] as? String == path)
                    continue
                }
                seen.insert((object["thread"] as! Int) * perThread + (object["index"] as! Int))
            }
        }
        #expect(reopened == rotations)
        #expect(seen.count == threads * perThread)
        #expect(log.counters.dropped == 0)
    }

    // A reopen that cannot open the file keeps writing the old one and says why there.
    @Test func failedReopenKeepsTheOldFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eventlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.log").path
        let log = EventLog(fd: EventLog.openFile(path), closeWhenDone: true, path: path)
        log.record(Event(.sessionOpened, time: .now(), [("index", .int(1))]))
        log.flush()
        let moved = directory.path + "-moved"
        try FileManager.default.moveItem(atPath: directory.path, toPath: moved)
        defer { try? FileManager.default.removeItem(atPath: moved) }
        log.reopen()
        log.flush()
        log.record(Event(.sessionOpened, time: .now(), [("index", .int(2))]))
        log.close()
        let objects = Self.fileLines(moved + "/events.log").compactMap(parseLine)
        #expect(objects.map { $0["event"] as? String } == ["session.opened", "log.reopened", "session.opened"])
        #expect(objects[1]["error"] as? String != nil)
    }
}
