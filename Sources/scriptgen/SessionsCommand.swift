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

    func run() throws {
        let output = BufferedOutput()
        let summary: CaptureRunSummary
        do {
            summary = try CaptureInput(paths: input.captures, options: input.readingOptions).run { conversation in
                if json {
                    output.write(SessionFormatter.json(conversation))
                } else {
                    output.write(SessionFormatter.line(conversation))
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
    static func line(_ conversation: Conversation) -> String {
        var flags: [String] = []
        flags.append(conversation.handshakeSeen ? "handshake" : (conversation.transport == .tcp ? "no-handshake" : "udp"))
        if conversation.serverInferred { flags.append("server-inferred") }
        flags.append(conversation.closedBy.rawValue)
        if conversation.gapBytes > 0 { flags.append("gaps=\(conversation.gapBytes)") }
        if conversation.conflictingOverlapBytes > 0 { flags.append("overlap-conflicts=\(conversation.conflictingOverlapBytes)") }
        return [
            conversation.transport.rawValue,
            pad(conversation.client.description, 22),
            "->",
            pad(conversation.server.description, 22),
            UTCTime.format(conversation.start),
            "msgs=\(conversation.messages.count)",
            "c2s=\(conversation.bytesFromClient)",
            "s2c=\(conversation.bytesFromServer)",
            flags.joined(separator: ","),
        ].joined(separator: " ")
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
    /// `2026-11-26T23:50:01.123456Z`
    static func format(_ timestamp: Timestamp) -> String {
        var seconds = time_t(timestamp.nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let micros = (timestamp.nanoseconds % 1_000_000_000 + 1_000_000_000) % 1_000_000_000 / 1000
        // Hand-padded: String(format:) was a measurable share of listing a large capture.
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
            + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
            + "." + padded(Int(micros), 6) + "Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
