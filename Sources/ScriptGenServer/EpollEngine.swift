#if os(Linux)
import CEpoll
import Glibc
import NIOCore

/// TCP serving on Linux with plain non-blocking sockets: per thread one epoll instance and
/// its own SO_REUSEPORT listening socket for each port. A connection costs accept4, one
/// epoll_ctl, its reads and writes and a close; through SwiftNIO's channels it also cost five
/// more epoll_ctl, getpeername, getsockname and a pipeline of allocations, about half the CPU
/// time of a short conversation. The conversation logic is the same `TCPConversation`.
final class EpollEngine: @unchecked Sendable {
    private let loops: [EpollLoop]
    private var threads: [pthread_t] = []
    private var stopped = false
    private let lock = ConditionLock()

    init(threadCount: Int, limits: ServerLimits) throws {
        var loops: [EpollLoop] = []
        do {
            for _ in 0..<max(1, threadCount) { loops.append(try EpollLoop(limits: limits)) }
        } catch {
            loops.forEach { $0.closeDescriptors() }
            throw error
        }
        self.loops = loops
    }

    /// Binds `host:port` once per loop (SO_REUSEPORT with more than one) for `service`;
    /// returns the bound address. Call before `start()`.
    func listen(host: String, port: Int, service: ServiceContext) throws -> SocketAddress {
        let sockets = try PerLoopBinding.bind(loops: loops, host: host, port: port, bind: { loop, port, shared in
            let socket = try ListeningSocket(address: try SocketAddress.makeAddressResolvingHost(host, port: port), reusePort: shared)
            loop.add(listener: socket, service: service)
            return socket
        }, portOf: { $0.address.port })
        return sockets[0].address
    }

    /// Starts one thread per loop; throws when the system refuses a thread (the caller shuts
    /// down what started).
    func start() throws {
        try lock.withLock {
            for loop in loops {
                switch startThread({ loop.run() }) {
                case .success(let handle): threads.append(handle)
                case .failure(let error): throw IOError(errnoCode: error.code, reason: "pthread_create")
                }
            }
        }
    }

    /// Closes the listeners and every open conversation (each logs its close), then waits for
    /// the threads. Safe to call more than once, and before `start()`.
    func shutdown() {
        let (running, first) = lock.withLock { () -> ([pthread_t], Bool) in
            defer {
                threads = []
                stopped = true
            }
            return (threads, !stopped)
        }
        // Once only: a stopped loop's wakeup descriptor is closed, and its number may be reused.
        guard first else { return }
        for loop in loops { loop.requestStop() }
        for thread in running { pthread_join(thread, nil) }
        // Loops that never ran (start failed or was not called) still own their sockets.
        for loop in loops { loop.closeDescriptors() }
    }
}
#endif
