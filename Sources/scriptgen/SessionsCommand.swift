import ArgumentParser
import Foundation
import ScriptGenCapture
import ScriptGenFlows
import ScriptGenModel
import ScriptGenServing

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
        for shift: UInt32 in stride(from: 24, through: 0, by: -8) {
            let octet = Int((address >> shift) & 0xff)
            output.append(decimal: octet)
            width += digitCount(octet)
            if shift > 0 { output.append(byte: 0x2e); width += 1 }
        }
        output.append(byte: 0x3a)
        output.append(decimal: Int(endpoint.port))
        width += 1 + digitCount(Int(endpoint.port))
        for _ in width..<max(width, 22) { output.append(byte: 0x20) }
    }

    private static func digitCount(_ value: Int) -> Int {
        value >= 10_000 ? 5 : value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1
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
        let (secondsSinceEpoch, fraction) = floorDivision(timestamp.nanoseconds, 1_000_000_000)
        let micros = fraction / 1000
        let (days, secondOfDay) = floorDivision(secondsSinceEpoch, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        output.append(decimal: Int(year), width: 4)
        output.append(byte: 0x2d)
        output.append(decimal: Int(month), width: 2)
        output.append(byte: 0x2d)
        output.append(decimal: Int(day), width: 2)
        output.append(byte: 0x54)
        output.append(decimal: Int(secondOfDay / 3600), width: 2)
        output.append(byte: 0x3a)
        output.append(decimal: Int(secondOfDay % 3600 / 60), width: 2)
        output.append(byte: 0x3a)
        output.append(decimal: Int(secondOfDay % 60), width: 2)
        output.append(byte: 0x2e)
        output.append(decimal: Int(micros), width: 6)
        output.append(byte: 0x5a)
    }

    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = value % divisor
        return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
    }

    /// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
    /// days-to-civil algorithm): pure arithmetic, no `gmtime_r` call per line.
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
