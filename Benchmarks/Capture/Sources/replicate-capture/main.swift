// Makes a large capture out of real ones: every pass over the input captures rewrites the
// client address (10.R.x.y) and port of each IPv4 frame, so each pass is a new set of real
// conversations on new 4-tuples, and shifts time forward. Output: classic pcap, Ethernet.
//
//   replicate-capture OUT.pcap MEGABYTES INPUT.pcap...
import Foundation
import ScriptGenCapture
import ScriptGenCaptureTestSupport

let arguments = CommandLine.arguments
guard arguments.count >= 4, let targetMegabytes = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: replicate-capture OUT.pcap MEGABYTES INPUT.pcap...\n".utf8))
    exit(2)
}
let outputPath = arguments[1]
let targetBytes = targetMegabytes * 1_000_000

struct Frame {
    var timestamp: Timestamp
    var data: [UInt8]
    var linkType: LinkType
}

// Load the inputs' IPv4/Ethernet frames once.
var frames: [Frame] = []
for path in arguments[3...] {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(1)
    }
    var reader = CaptureReader(bytes: [UInt8](data))
    while let frame = try reader.next() {
        guard frame.linkType == .ethernet, frame.data.count >= 34, frame.data[frame.data.startIndex + 12] == 0x08,
              frame.data[frame.data.startIndex + 13] == 0x00 else { continue }
        frames.append(Frame(timestamp: frame.timestamp, data: Array(frame.data), linkType: frame.linkType))
    }
}
guard let first = frames.first?.timestamp, let last = frames.last?.timestamp else {
    FileHandle.standardError.write(Data("no IPv4 Ethernet frames in the inputs\n".utf8))
    exit(1)
}
let span = max(1_000_000_000, last.nanoseconds - first.nanoseconds + 1_000_000_000)

func checksum(_ bytes: UnsafeMutableBufferPointer<UInt8>, from start: Int, count: Int) -> UInt16 {
    var sum: UInt32 = 0
    var index = start
    while index < start + count {
        sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
        index += 2
    }
    while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
    return ~UInt16(sum)
}

FileManager.default.createFile(atPath: outputPath, contents: nil)
guard let output = FileHandle(forWritingAtPath: outputPath) else { exit(1) }
var writer = PcapWriter(linkType: .ethernet)
var written = 0
var pass = 0
while written < targetBytes {
    pass += 1
    let shift = Int64(pass - 1) * span
    for var frame in frames {
        frame.data.withUnsafeMutableBufferPointer { bytes in
            let ip = 14
            let headerLength = Int(bytes[ip] & 0x0f) * 4
            guard bytes.count >= ip + headerLength + 4 else { return }
            let sourcePort = UInt16(bytes[ip + headerLength]) << 8 | UInt16(bytes[ip + headerLength + 1])
            let destinationPort = UInt16(bytes[ip + headerLength + 2]) << 8 | UInt16(bytes[ip + headerLength + 3])
            // The client is the side on the higher (ephemeral) port.
            let clientIsSource = sourcePort > destinationPort
            let addressOffset = ip + (clientIsSource ? 12 : 16)
            let portOffset = ip + headerLength + (clientIsSource ? 0 : 2)
            // 10.(pass>>8).(pass&255).(original last byte): new address per pass.
            bytes[addressOffset] = 10
            bytes[addressOffset + 1] = UInt8(truncatingIfNeeded: pass >> 8)
            bytes[addressOffset + 2] = UInt8(truncatingIfNeeded: pass)
            let port = clientIsSource ? sourcePort : destinationPort
            let newPort = UInt16(truncatingIfNeeded: Int(port) &+ pass &* 7) | 0x8000
            bytes[portOffset] = UInt8(newPort >> 8)
            bytes[portOffset + 1] = UInt8(newPort & 0xff)
            bytes[ip + 10] = 0
            bytes[ip + 11] = 0
            let sum = checksum(bytes, from: ip, count: headerLength)
            bytes[ip + 10] = UInt8(sum >> 8)
            bytes[ip + 11] = UInt8(sum & 0xff)
        }
        writer.append(frame.data, timestamp: frame.timestamp.adding(nanoseconds: shift))
    }
    let chunk = writer.takeBytes()
    written += chunk.count
    output.write(Data(chunk))
}
try output.close()
print("wrote \(outputPath): \(written) bytes, \(pass) passes of \(frames.count) frames")
