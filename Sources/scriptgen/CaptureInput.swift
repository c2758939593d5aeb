import Foundation
import ScriptGenCapture
import ScriptGenFlows

/// What was read, for the summary line and the model's provenance.
struct CaptureRunSummary {
    struct File: Sendable {
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
        if flows.outOfOrderSegmentsDropped > 0 { notes.append("\(flows.outOfOrderSegmentsDropped) early segments over the reordering limit dropped") }
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

    /// Whether a file starts with a magic number the capture reader knows (or gzip's).
    static func looksLikeCapture(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return CaptureReader.container(ofHead: [UInt8](handle.readData(ofLength: 4))) != nil
    }

    /// Reads everything; throws `InputError` naming the file and offset on a fatal error.
    /// Conversations handed on before the error stay handed on.
    ///
    /// Two threads: one reads and decodes the files (`Reading`), this one reassembles and
    /// calls `emit`, so reading, decoding and reassembly overlap. Packets cross in batches, in
    /// capture order; conversations come out exactly as they would on one thread.
    func run(emit: (Conversation) throws -> Void) throws -> CaptureRunSummary {
        let (files, ignored) = try Self.expand(paths)
        var summary = CaptureRunSummary()
        summary.nonCaptureFilesSkipped = ignored
        var tracker = ConversationTracker(options: options.flow)
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
        let channel = Channel(capacity: 4)
        let reading = Reading(files: files, filter: filter, computeHashes: computeHashes, channel: channel)
        Thread { reading.run() }.start()
        // However this ends (an error here or in `emit`), the reading thread stops first.
        defer {
            channel.cancel()
            reading.finished.wait()
        }
        var counts: Reading.Counts?
        while counts == nil {
            switch channel.receive() {
            case .packets(let fileIndex, let batch, let position):
                progress.update(label: position.label, done: position.offset, total: position.total,
                                detail: "\(summary.conversationsKept) conversations")
                try batch.forEach { try tracker.process($0, captureIndex: fileIndex, emit: hand) }
            case .fileDone(let index, var file):
                file.conversations += pendingCounts.removeValue(forKey: index) ?? 0
                summary.files.append(file)
            case .failed(let error):
                progress.clear()
                throw error
            case .finished(let totals):
                counts = totals
            }
        }
        if let counts {
            summary.packetsRead = counts.packetsRead
            summary.packetsDecoded = counts.packetsDecoded
            summary.packetsFilteredOut = counts.packetsFilteredOut
            summary.skipped = counts.skipped
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

extension CaptureInput {
    /// Where the reading thread is, for the progress line.
    struct ReadPosition: Sendable {
        var label: String
        var offset: Int
        var total: Int?
    }

    /// What the reading thread hands over, in order.
    enum ReadEvent: Sendable {
        /// Decoded packets of one file in capture order; their payloads share one buffer.
        case packets(fileIndex: Int, Batch, ReadPosition)
        case fileDone(index: Int, CaptureRunSummary.File)
        /// A fatal error; every packet before it has been handed over.
        case failed(InputError)
        case finished(Reading.Counts)
    }

    /// A bounded queue between the two threads. `cancel` releases a blocked sender for good.
    final class Channel: @unchecked Sendable {
        private let condition = NSCondition()
        private var events: [ReadEvent] = []
        private var cancelled = false
        private let capacity: Int

        init(capacity: Int) { self.capacity = capacity }

        /// False once cancelled: the receiver is gone, stop producing.
        func send(_ event: ReadEvent) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while events.count >= capacity && !cancelled { condition.wait() }
            guard !cancelled else { return false }
            events.append(event)
            condition.broadcast()
            return true
        }

        func receive() -> ReadEvent {
            condition.lock()
            defer { condition.unlock() }
            while events.isEmpty { condition.wait() }
            // At most `capacity` events: removing the first is cheap, and releases it.
            let event = events.removeFirst()
            condition.broadcast()
            return event
        }

        func cancel() {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The reading thread: opens, reads and decodes every file, filters packets cheaply, and
    /// sends them on in batches with their payloads copied out of the reader's buffer (which
    /// the next read reuses).
    final class Reading: @unchecked Sendable {
        struct Counts: Sendable {
            var packetsRead = 0
            var packetsDecoded = 0
            var packetsFilteredOut = 0
            var skipped: [String: Int] = [:]
        }

        /// Packets per batch, and payload bytes after which a batch is sent early.
        static let batchPackets = 4096
        static let batchBytes = 1 << 20

        let files: [String]
        let filter: ConversationFilter
        let computeHashes: Bool
        let channel: Channel
        /// Signalled when the thread is done, however it ended.
        let finished = DispatchSemaphore(value: 0)

        init(files: [String], filter: ConversationFilter, computeHashes: Bool, channel: Channel) {
            self.files = files
            self.filter = filter
            self.computeHashes = computeHashes
            self.channel = channel
        }

        func run() {
            defer { finished.signal() }
            var decoder = PacketDecoder()
            var counts = Counts()
            for (index, path) in files.enumerated() {
                do {
                    guard let file = try read(path, index: index, decoder: &decoder, counts: &counts),
                          channel.send(.fileDone(index: index, file)) else { return }
                } catch let error as InputError {
                    _ = channel.send(.failed(error))
                    return
                } catch {
                    _ = channel.send(.failed(InputError("\(path): \(error)")))
                    return
                }
            }
            decoder.finish()
            for (reason, count) in decoder.discardedFragments {
                counts.skipped[reason.rawValue, default: 0] += count
            }
            _ = channel.send(.finished(counts))
        }

        /// Reads one file; nil if the receiver went away.
        private func read(_ path: String, index: Int, decoder: inout PacketDecoder, counts: inout Counts) throws -> CaptureRunSummary.File? {
            var file = CaptureRunSummary.File(path: path, bytes: 0, packets: 0)
            let hashBox = computeHashes ? HashingByteSource<FileByteSource>.Box() : nil
            let descriptor: Int32 = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
            guard descriptor >= 0 else {
                throw InputError("\(path): cannot open: \(String(cString: strerror(errno)))")
            }
            defer { if path != "-" { close(descriptor) } }
            var info = stat()
            let totalSize: Int? = (fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG) ? Int(info.st_size) : nil
            if totalSize != nil { _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_SEQUENTIAL)) }
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
            var position = ReadPosition(label: (path as NSString).lastPathComponent, offset: 0, total: compressed ? nil : totalSize)
            var batch = Batch()
            /// Sends the batch; false if the receiver went away.
            func sendBatch() -> Bool {
                guard !batch.isEmpty else { return true }
                position.offset = reader.offset
                let sent = channel.send(.packets(fileIndex: index, batch, position))
                batch = Batch()
                return sent
            }
            do {
                while let frame = try reader.next() {
                    file.packets += 1
                    counts.packetsRead += 1
                    if file.firstTimestamp == nil { file.firstTimestamp = frame.timestamp }
                    if file.lastTimestamp.map({ frame.timestamp > $0 }) ?? true { file.lastTimestamp = frame.timestamp }
                    switch decoder.decode(frame) {
                    case .packet(let packet):
                        counts.packetsDecoded += 1
                        guard filter.mightKeep(packet) else {
                            counts.packetsFilteredOut += 1
                            continue
                        }
                        batch.add(packet)
                        if batch.isFull, !sendBatch() { return nil }
                    case .pending:
                        break
                    case .skipped(let reason):
                        counts.skipped[reason.rawValue, default: 0] += 1
                    }
                }
                file.bytes = compressed ? (totalSize ?? reader.offset) : reader.offset
            } catch let error as CaptureError {
                guard sendBatch() else { return nil }
                throw InputError("\(path): \(compressed ? "uncompressed " : "")\(error)")
            } catch {
                guard sendBatch() else { return nil }
                throw error
            }
            guard sendBatch() else { return nil }
            if let hashBox { file.sha256 = hashBox.hasher.finish() }
            return file
        }
    }

    /// Packets on their way to the reassembling thread: plain header fields, payloads
    /// gathered in one buffer (cheaper to move than `DecodedPacket`s holding slices).
    struct Batch: Sendable {
        private struct Record {
            var timestamp: Timestamp
            var transport: TransportProtocol
            var source: IPAddress
            var destination: IPAddress
            var sourcePort: UInt16
            var destinationPort: UInt16
            var tcp: TCPHeader?
            var payloadEnd: Int
            var missingPayloadBytes: Int
        }

        private var records: [Record] = []
        private var storage: [UInt8] = []

        init() {
            records.reserveCapacity(Reading.batchPackets)
            storage.reserveCapacity(1 << 18)
        }

        var isEmpty: Bool { records.isEmpty }
        var isFull: Bool { records.count >= Reading.batchPackets || storage.count >= Reading.batchBytes }

        mutating func add(_ packet: DecodedPacket) {
            storage.append(contentsOf: packet.payload)
            records.append(Record(
                timestamp: packet.timestamp, transport: packet.transport, source: packet.source,
                destination: packet.destination, sourcePort: packet.sourcePort, destinationPort: packet.destinationPort,
                tcp: packet.tcp, payloadEnd: storage.count, missingPayloadBytes: packet.missingPayloadBytes))
        }

        /// Calls `body` with each packet, in order.
        func forEach(_ body: (DecodedPacket) throws -> Void) rethrows {
            var payloadStart = 0
            for record in records {
                try body(DecodedPacket(
                    timestamp: record.timestamp, transport: record.transport, source: record.source,
                    destination: record.destination, sourcePort: record.sourcePort, destinationPort: record.destinationPort,
                    tcp: record.tcp, payload: storage[payloadStart..<record.payloadEnd],
                    missingPayloadBytes: record.missingPayloadBytes))
                payloadStart = record.payloadEnd
            }
        }
    }
}
