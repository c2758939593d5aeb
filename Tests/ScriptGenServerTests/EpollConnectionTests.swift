#if os(Linux)
import Foundation
import Testing
@testable import ScriptGenServer

/// One epoll connection driven directly over a socket pair.
@Suite struct EpollConnectionTests {
    /// A client that pipelines requests and reads one answer per request keeps the queue
    /// non-empty for ever: the bytes it already took must not stay in memory.
    @Test func aClientThatReadsBehindItsAnswersDoesNotGrowTheQueue() throws {
        var pair: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer {
            close(pair[0])
            close(pair[1])
        }
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let limits = ServerLimits()
        let loop = try EpollLoop(limits: limits)
        defer { loop.closeDescriptors() }
        try withExtendedLifetime(loop) {
            let connection = EpollConnection(descriptor: pair[0], generation: 1, loop: loop)
            let answer = [UInt8](repeating: 0x46, count: 16_384)
            // The socket's buffers fill, then four answers wait in the queue.
            while connection.queueStorage == 0 { connection.queue(answer) }
            for _ in 0..<3 { connection.queue(answer) }
            var buffer = [UInt8](repeating: 0, count: answer.count)
            var largest = 0
            for _ in 0..<400 {
                var read = 0
                while read < answer.count {
                    let count = buffer.withUnsafeMutableBytes { recv(pair[1], $0.baseAddress!, answer.count - read, 0) }
                    try #require(count > 0)
                    read += count
                }
                connection.writePending()
                connection.queue(answer)
                largest = max(largest, connection.queueStorage)
            }
            // 400 answers (6.5 MB) went through, about 64 KiB queued at any time: what is held
            // stays near the limit.
            #expect(largest <= 4 * limits.maxBufferedBytes, "the queue held \(largest) bytes")
        }
    }
}
#endif
