import ScriptGenCapture
import ScriptGenFlows

/// Hand-made conversations: `c("USER a\r\n")` is a client message, `s("331 ...")` a server one.
func c(_ text: String, gap: Int = 0) -> Message {
    Message(direction: .client, payload: Array(text.utf8), timestamp: Timestamp(nanoseconds: 0), gapBytes: gap)
}

func s(_ text: String, gap: Int = 0) -> Message {
    Message(direction: .server, payload: Array(text.utf8), timestamp: Timestamp(nanoseconds: 0), gapBytes: gap)
}

func conversation(port: UInt16 = 21, clientPort: UInt16 = 40000, _ messages: [Message]) -> Conversation {
    conversation(.tcp, port: port, clientPort: clientPort, messages)
}

func conversation(_ transport: TransportProtocol, port: UInt16 = 21, clientPort: UInt16 = 40000, _ messages: [Message]) -> Conversation {
    Conversation(
        transport: transport,
        client: Endpoint(address: .v4(0x0A00_0002), port: clientPort),
        server: Endpoint(address: .v4(0x0A00_0001), port: port),
        start: Timestamp(nanoseconds: 0), end: Timestamp(nanoseconds: 1),
        messages: messages, handshakeSeen: transport == .tcp, serverInferred: false, closedBy: .fin,
        gapBytes: messages.reduce(0) { $0 + $1.gapBytes }
    )
}


/// Three FTP logins: two anonymous (one accepted, one refused), one as root that stops after USER.
let ftpConversations = [
    conversation(clientPort: 1, [s("220 FTP ready\r\n"), c("USER anonymous\r\n"), s("331 Password\r\n"), c("PASS a@b\r\n"), s("230 OK\r\n"), c("QUIT\r\n"), s("221 Bye\r\n")]),
    conversation(clientPort: 2, [s("220 FTP ready\r\n"), c("USER anonymous\r\n"), s("331 Password\r\n"), c("PASS x\r\n"), s("530 Denied\r\n")]),
    conversation(clientPort: 3, [s("220 FTP ready\r\n"), c("USER root\r\n"), s("331 Password\r\n")]),
]
