/// How both TCP engines bind a served port: one listening socket per event loop, so the kernel
/// spreads new connections over the loops and each conversation stays on the loop that
/// accepted it. With more than one loop the sockets share the port with SO_REUSEPORT, which
/// would let a second server of the same user silently share a taken port: so the port is
/// first checked free, as a plain bind would refuse it. Port 0 (any free port): the others
/// join the port the first one got.
enum PerLoopBinding {
    /// `bind(loop, port, shared)` binds one socket; `portOf` reads the port it got.
    static func bind<Loop, Bound>(
        loops: [Loop], host: String, port: Int,
        bind: (Loop, _ port: Int, _ shared: Bool) throws -> Bound, portOf: (Bound) -> Int?
    ) throws -> [Bound] {
        let shared = loops.count > 1
        if shared { try ListeningPortCheck.ensureFree(host: host, port: port) }
        var boundPort = port
        var bound: [Bound] = []
        for loop in loops {
            let socket = try bind(loop, boundPort, shared)
            bound.append(socket)
            boundPort = portOf(socket) ?? boundPort
        }
        return bound
    }
}
