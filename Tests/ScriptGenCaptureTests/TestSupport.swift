import ScriptGenCapture

/// Parses "d4 c3 b2 a1 ..." (spaces and newlines ignored).
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0)
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// A frame detached from the reader's buffer, easy to compare.
struct Frame: Equatable, CustomStringConvertible {
    var nanoseconds: Int64
    var linkType: UInt32
    var data: [UInt8]
    var originalLength: Int
    var fileOffset: Int
    var interfaceIndex: Int

    init(_ frame: CapturedFrame) {
        nanoseconds = frame.timestamp.nanoseconds
        linkType = frame.linkType.rawValue
        data = Array(frame.data)
        originalLength = frame.originalLength
        fileOffset = frame.fileOffset
        interfaceIndex = frame.interfaceIndex
    }

    var description: String { "Frame(t=\(nanoseconds), lt=\(linkType), \(data.count)/\(originalLength) @\(fileOffset) if\(interfaceIndex))" }
}

/// Reads everything, returning the frames and the error that stopped it, if any.
func readCapture(
    _ bytes: [UInt8], options: CaptureReader.Options = .init(), maxReadLength: Int = .max, frameLimit: Int = 1_000_000
) -> (frames: [Frame], error: CaptureError?) {
    var reader = CaptureReader(source: InMemoryByteSource(bytes, maxReadLength: maxReadLength), options: options)
    var frames: [Frame] = []
    do {
        while frames.count < frameLimit, let frame = try reader.next() {
            frames.append(Frame(frame))
        }
        return (frames, nil)
    } catch let error as CaptureError {
        return (frames, error)
    } catch {
        fatalError("unexpected error \(error)")
    }
}

func frame(_ bytes: [UInt8], _ linkType: LinkType, at seconds: Int64 = 1_700_000_000, nanoseconds: Int64 = 0) -> CapturedFrame {
    CapturedFrame(timestamp: Timestamp(seconds: seconds, nanoseconds: nanoseconds), linkType: linkType, data: bytes[...])
}

let clientV4 = IPAddress("10.0.0.1")!
let serverV4 = IPAddress("10.0.0.2")!
let clientV6 = IPAddress("2001:db8::1")!
let serverV6 = IPAddress("2001:db8::2")!

/// Deterministic generator for the mutation tests (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

extension DecodeOutcome {
    var packet: DecodedPacket? {
        if case .packet(let packet) = self { return packet }
        return nil
    }

    var skipReason: SkipReason? {
        if case .skipped(let reason) = self { return reason }
        return nil
    }

    var isPending: Bool {
        if case .pending = self { return true }
        return false
    }
}
