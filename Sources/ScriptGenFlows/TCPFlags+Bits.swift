import ScriptGenCapture

// Flag tests on the raw bits for the per-packet path: `TCPFlags.syn` and friends are stored
// constants of another module, reached through an accessor call at every use.
extension TCPFlags {
    @inline(__always) var hasFIN: Bool { rawValue & 0x01 != 0 }
    @inline(__always) var hasSYN: Bool { rawValue & 0x02 != 0 }
    @inline(__always) var hasRST: Bool { rawValue & 0x04 != 0 }
    @inline(__always) var hasACK: Bool { rawValue & 0x10 != 0 }
}
