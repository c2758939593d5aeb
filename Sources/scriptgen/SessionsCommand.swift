import ArgumentParser
import Foundation
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List the conversations found in capture files.",
        discussion: """
        One line per conversation, in the order conversations end: transport, client, server, \
        start time (UTC), messages, bytes client→server and server→client, and flags \
        (handshake or inferred server, how it closed, gaps). A summary goes to stderr.
        """
    )

    @OptionGroup var input: CaptureOptions

    @Flag(help: "Also print each message: direction, length and a readable preview.")
    var messages = false

    @Option(help: "Bytes of each message shown by --messages.")
    var previewBytes = 72

    @Flag(help: "One JSON object per conversation per line (payloads in base64).")
    var json = false

    func validate() throws {
        try input.requireCaptures()
    }

    func run() throws {
        let output = BufferedOutput()
        let summary: CaptureRunSummary
        do {
            summary = try CaptureInput(paths: input.captures, options: input.readingOptions).run { conversation in
                if json {
                    output.write(SessionFormatter.json(conversation))
                } else {
                    SessionFormatter.writeLine(conversation, to: output)
                    if messages {
                        for message in conversation.messages {
                            output.write(SessionFormatter.messageLine(message, previewBytes: previewBytes))
                        }
                    }
                }
            }
        } catch let error as InputError {
            output.flush()
            throw CommandFailure(error.description)
        }
        output.flush()
        Diagnostics.note(summary.line)
    }
}

/// Text and JSON renderings of conversations for `sessions`.
enum SessionFormatter {
    /// `tcp 10.0.0.1:40000 -> 10.0.0.2:21 2026-11-26T23:50:01.123456Z msgs=5 c2s=40 s2c=120 handshake,fin`
    static func writeLine(_ conversation: Conversation, to output: BufferedOutput) {
        output.append(conversation.transport == .tcp ? "tcp " as StaticString : "udp ")
        writeEndpoint(conversation.client, to: output)
        output.append(" -> ")
        writeEndpoint(conversation.server, to: output)
        output.append(byte: 0x20)
        UTCTime.write(conversation.start, to: output)
        output.append(" msgs=")
        output.append(decimal: conversation.messages.count)
        output.append(" c2s=")
        output.append(decimal: conversation.bytesFromClient)
        output.append(" s2c=")
        output.append(decimal: conversation.bytesFromServer)
        output.append(byte: 0x20)
        output.append(conversation.handshakeSeen ? "handshake" : (conversation.transport == .tcp ? "no-handshake" : "udp") as StaticString)
        if conversation.serverInferred { output.append(",server-inferred") }
        output.append(byte: 0x2c)
        output.append(conversation.closedBy.rawValue)
        if conversation.gapBytes > 0 {
            output.append(",gaps=")
            output.append(decimal: conversation.gapBytes)
        }
        if conversation.conflictingOverlapBytes > 0 {
            output.append(",overlap-conflicts=")
            output.append(decimal: conversation.conflictingOverlapBytes)
        }
        output.endLine()
    }

    /// An endpoint padded to 22 columns, IPv4 written digit by digit.
    private static func writeEndpoint(_ endpoint: Endpoint, to output: BufferedOutput) {
        guard case .v4(let address) = endpoint.address else {
            output.append(endpoint.description, paddedTo: 22)
            return
        }
        var width = 0
        for shift in [24, 16, 8, 0] as [UInt32] {
            let octet = Int((address >> shift) & 0xff)
            output.append(decimal: octet)
            width += octet >= 100 ? 3 : octet >= 10 ? 2 : 1
            if shift > 0 { output.append(byte: 0x2e); width += 1 }
        }
        output.append(byte: 0x3a)
        output.append(decimal: Int(endpoint.port))
        width += 1 + String(endpoint.port).utf8.count
        for _ in width..<max(width, 22) { output.append(byte: 0x20) }
    }

    static func messageLine(_ message: Message, previewBytes: Int) -> String {
        let gap = message.gapBytes > 0 ? " (+\(message.gapBytes) missing)" : ""
        return "    \(pad(message.direction.rawValue, 6)) \(pad(String(message.payload.count), 6))\(gap) \(ModelRendering.preview(message.payload, limit: previewBytes))"
    }

    static func json(_ conversation: Conversation) -> String {
        var text = "{\"transport\":\"\(conversation.transport.rawValue)\""
        text += ",\"client\":\"\(conversation.client)\",\"server\":\"\(conversation.server)\""
        text += ",\"start\":\(seconds(conversation.start)),\"end\":\(seconds(conversation.end))"
        text += ",\"handshake\":\(conversation.handshakeSeen),\"serverInferred\":\(conversation.serverInferred)"
        text += ",\"closedBy\":\"\(conversation.closedBy.rawValue)\",\"gapBytes\":\(conversation.gapBytes)"
        text += ",\"bytesFromClient\":\(conversation.bytesFromClient),\"bytesFromServer\":\(conversation.bytesFromServer)"
        text += ",\"messages\":["
        for (index, message) in conversation.messages.enumerated() {
            if index > 0 { text += "," }
            text += "{\"from\":\"\(message.direction.rawValue)\",\"length\":\(message.payload.count)"
            text += ",\"time\":\(seconds(message.timestamp))"
            if message.gapBytes > 0 { text += ",\"gapBytes\":\(message.gapBytes)" }
            text += ",\"payload\":\"\(Data(message.payload).base64EncodedString())\"}"
        }
        return text + "]}"
    }

    /// Seconds with microsecond precision, exact in decimal (no floating point noise).
    static func seconds(_ timestamp: Timestamp) -> String {
        timestamp.description
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

enum UTCTime {
    /// `2026-11-26T23:50:01.123456Z`, written straight into the output.
    static func write(_ timestamp: Timestamp, to output: BufferedOutput) {
        var seconds = time_t(timestamp.nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let micros = (timestamp.nanoseconds % 1_000_000_000 + 1_000_000_000) % 1_000_000_000 / 1000
        output.append(decimal: Int(parts.tm_year) + 1900, width: 4)
        output.append(byte: 0x2d)
        output.append(decimal: Int(parts.tm_mon) + 1, width: 2)
        output.append(byte: 0x2d)
        output.append(decimal: Int(parts.tm_mday), width: 2)
        output.append(byte: 0x54)
        output.append(decimal: Int(parts.tm_hour), width: 2)
        output.append(byte: 0x3a)
        output.append(decimal: Int(parts.tm_min), width: 2)
        output.append(byte: 0x3a)
        output.append(decimal: Int(parts.tm_sec), width: 2)
        output.append(byte: 0x2e)
        output.append(decimal: Int(micros), width: 6)
        output.append(byte: 0x5a)
    }

}
