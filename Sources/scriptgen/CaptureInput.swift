import Foundation
import ScriptGenCapture
import ScriptGenFlows

/// What was read, for the summary line and the model's provenance.
struct CaptureRunSummary {
    struct File {
        var path: String
        var bytes: Int
        var packets: Int
        var firstTimestamp: Timestamp?
        var lastTimestamp: Timestamp?
        /// SHA-256 of the file as stored, when asked for.
        var sha256: String?
        /// Conversations kept from this file.
        var conversations = 0
    }

    var files: [File] = []
    var packetsRead = 0
    var packetsDecoded = 0
    var packetsFilteredOut = 0
    var skipped: [String: Int] = [:]
    var conversationsKept = 0
    var conversationsFilteredOut = 0
    var tcpConversations = 0
    var udpConversations = 0
    var payloadBytes = 0
    var flows = FlowStatistics()
    var nonCaptureFilesSkipped: [String] = []

    var bytesRead: Int { files.reduce(0) { $0 + $1.bytes } }

    /// The one-line summary printed on stderr at the end.
    var line: String {
        var parts: [String] = []
        parts.append("read \(packetsRead) packets from \(files.count) file\(files.count == 1 ? "" : "s") (\(ByteCount.format(bytesRead)))")
        let skippedTotal = skipped.values.reduce(0, +)
        if skippedTotal > 0 {
            let reasons = skipped.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            parts.append("skipped \(skippedTotal) (\(reasons))")
        } else {
            parts.append("skipped 0")
        }
        if packetsFilteredOut > 0 { parts.append("filtered out \(packetsFilteredOut) packets") }
        parts.append("\(conversationsKept) conversations (\(tcpConversations) tcp, \(udpConversations) udp)")
        if conversationsFilteredOut > 0 { parts.append("\(conversationsFilteredOut) not matching the filters") }
        parts.append("\(ByteCount.format(payloadBytes)) of payload")
        var notes: [String] = []
        if flows.gapBytes > 0 { notes.append("\(flows.gapBytes) bytes missing (gaps)") }
        if flows.duplicateSegments > 0 { notes.append("\(flows.duplicateSegments) retransmissions") }
        if flows.conflictingOverlapBytes > 0 { notes.append("\(flows.conflictingOverlapBytes) conflicting overlap bytes (first copy kept)") }
        if flows.truncatedBytes > 0 { notes.append("\(flows.truncatedBytes) bytes over the per-conversation limit dropped") }
        if flows.evictedConversations > 0 { notes.append("\(flows.evictedConversations) conversations ended early by memory limits") }
        if flows.droppedWithoutHandshake > 0 { notes.append("\(flows.droppedWithoutHandshake) segments without handshake dropped") }
        if !nonCaptureFilesSkipped.isEmpty { notes.append("\(nonCaptureFilesSkipped.count) non-capture files in directories ignored") }
        return parts.joined(separator: "; ") + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; "))
    }
}

/// Options shared by every command that reads captures.
struct CaptureReadingOptions {
    var flow = FlowOptions()
    var filter = ConversationFilter()
}

/// Reads capture files (directories recursively, `-` for stdin, `.gz` transparently) and
/// hands every kept conversation to `emit` as soon as it ends.
struct CaptureInput {
    let paths: [String]
    let options: CaptureReadingOptions
    /// Hash every file (for a model's provenance).
    var computeHashes = false
    var progress = ProgressBar()

    /// Expands directories into the capture files below them, sorted by path.
    static func expand(_ paths: [String]) throws -> (files: [String], ignored: [String]) {
        var files: [String] = []
        var ignored: [String] = []
        let manager = FileManager.default
        for path in paths {
            if path == "-" { files.append(path); continue }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError("\(path): no such file or directory")
            }
            guard isDirectory.boolValue else { files.append(path); continue }
            guard let walker = manager.enumerator(atPath: path) else { throw InputError("\(path): cannot list directory") }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(relative)
                var childIsDirectory: ObjCBool = false
                if manager.fileExists(atPath: full, isDirectory: &childIsDirectory), !childIsDirectory.boolValue,
                   !(relative as NSString).lastPathComponent.hasPrefix(".") {
                    if looksLikeCapture(full) { found.append(full) } else { ignored.append(full) }
                }
            }
            files += found.sorted()
        }
        return (files, ignored)
    }

    /// Whether a file starts with a pcap, pcapng or gzip magic number.
    static func looksLikeCapture(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8](handle.readData(ofLength: 4))
        guard head.count == 4 else { return false }
        let magics: [[UInt8]] = [
            [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d],
            [0x0a, 0x0d, 0x0d, 0x0a],
        ]
        return magics.contains(head) || head.prefix(2) == [0x1f, 0x8b]
    }

    /// Reads everything; throws `InputError` naming the file and offset on a fatal error.
    /// Conversations handed on before the error stay handed on.
    func run(emit: (Conversation) throws -> Void) throws -> CaptureRunSummary {
        let (files, ignored) = try Self.expand(paths)
        var summary = CaptureRunSummary()
        summary.nonCaptureFilesSkipped = ignored
        var tracker = ConversationTracker(options: options.flow)
        var decoder = PacketDecoder()
        let filter = options.filter
        // Conversations of the file being read are counted here until its entry is appended.
        var pendingCounts: [Int: Int] = [:]
        func hand(_ conversation: Conversation) throws {
            guard filter.keeps(conversation) else {
                summary.conversationsFilteredOut += 1
                return
            }
            summary.conversationsKept += 1
            if summary.files.indices.contains(conversation.captureIndex) {
                summary.files[conversation.captureIndex].conversations += 1
            } else {
                pendingCounts[conversation.captureIndex, default: 0] += 1
            }
            if conversation.transport == .tcp { summary.tcpConversations += 1 } else { summary.udpConversations += 1 }
            summary.payloadBytes += conversation.bytesFromClient + conversation.bytesFromServer
            try emit(conversation)
        }
        for (index, path) in files.enumerated() {
            var file = CaptureRunSummary.File(path: path, bytes: 0, packets: 0)
            let hashBox = computeHashes ? HashingByteSource<FileByteSource>.Box() : nil
            defer {
                if let hashBox { file.sha256 = hashBox.hasher.finish() }
                file.conversations += pendingCounts.removeValue(forKey: index) ?? 0
                summary.files.append(file)
            }
            let descriptor: Int32 = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw InputError("\(path): cannot open: \(String(cString: strerror(errno)))")
            }
            defer { if path != "-" { close(descriptor) } }
            var info = stat()
            let totalSize: Int? = (fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG) ? Int(info.st_size) : nil
            var raw = HashingByteSource(base: FileByteSource(descriptor: descriptor, path: path), box: hashBox)
            var head = [UInt8](repeating: 0, count: 2)
            var headCount = 0
            while headCount < 2 {
                let count = try head.withUnsafeMutableBytes { try raw.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[headCount...])) }
                if count == 0 { break }
                headCount += count
            }
            let prefixed = PrefixedByteSource(prefix: Array(head.prefix(headCount)), base: raw)
            let compressed = headCount == 2 && head[0] == 0x1f && head[1] == 0x8b
            var reader: CaptureReader
            if compressed {
                reader = CaptureReader(source: try GzipByteSource(base: prefixed, path: path))
            } else {
                reader = CaptureReader(source: prefixed)
            }
            let label = (path as NSString).lastPathComponent
            do {
                while let frame = try reader.next() {
                    file.packets += 1
                    summary.packetsRead += 1
                    if file.firstTimestamp == nil { file.firstTimestamp = frame.timestamp }
                    if file.lastTimestamp.map({ frame.timestamp > $0 }) ?? true { file.lastTimestamp = frame.timestamp }
                    if file.packets & 0x3fff == 0 {
                        progress.update(label: label, done: compressed ? reader.offset : reader.offset, total: compressed ? nil : totalSize,
                                        detail: "\(summary.conversationsKept) conversations")
                    }
                    switch decoder.decode(frame) {
                    case .packet(let packet):
                        summary.packetsDecoded += 1
                        guard filter.mightKeep(packet) else {
                            summary.packetsFilteredOut += 1
                            continue
                        }
                        try tracker.process(packet, captureIndex: index, emit: hand)
                    case .pending:
                        break
                    case .skipped(let reason):
                        summary.skipped[reason.rawValue, default: 0] += 1
                    }
                }
                file.bytes = compressed ? (totalSize ?? reader.offset) : reader.offset
            } catch let error as CaptureError {
                file.bytes = reader.offset
                progress.clear()
                throw InputError("\(path): \(compressed ? "uncompressed " : "")\(error)")
            }
        }
        decoder.finish()
        for (reason, count) in decoder.discardedFragments {
            summary.skipped[reason.rawValue, default: 0] += count
        }
        try tracker.finish(emit: hand)
        for (index, count) in pendingCounts where summary.files.indices.contains(index) {
            summary.files[index].conversations += count
        }
        progress.clear()
        summary.flows = tracker.statistics
        return summary
    }
}
