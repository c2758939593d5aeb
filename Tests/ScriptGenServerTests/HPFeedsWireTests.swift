import Testing
@testable import ScriptGenServer

/// The HPFeeds messages byte for byte (the reference broker's framing: a 4-byte big-endian
/// length of the whole message, the opcode, one-byte-length names).
@Suite struct HPFeedsWireTests {
    @Test func publishFraming() {
        let message = HPFeedsWire.publish(ident: "id", channel: "ch", payload: Array("{}".utf8))
        #expect(message == [0, 0, 0, 13, 3, 2, 0x69, 0x64, 2, 0x63, 0x68, 0x7b, 0x7d])
    }

    // SHA-1(01 02 03 04 ‖ "secret") = bf13c597…, as Python's hashlib computes it.
    @Test func authIsSHA1OfNonceThenSecret() {
        let message = HPFeedsWire.auth(ident: "a", nonce: [1, 2, 3, 4], secret: Array("secret".utf8))
        let digest: [UInt8] = [0xbf, 0x13, 0xc5, 0x97, 0xff, 0xb2, 0x88, 0xba, 0x1d, 0x01, 0x3c, 0x27, 0x7c, 0x6a, 0x22, 0x9a, 0x8e, 0x97, 0x6b, 0x5a]
        #expect(message == [0, 0, 0, 27, 2, 1, 0x61] + digest)
    }

    @Test func subscribeHasTheChannelWithoutALength() {
        #expect(HPFeedsWire.subscribe(ident: "a", channel: "cd") == [0, 0, 0, 9, 4, 1, 0x61, 0x63, 0x64])
    }

    @Test func readerCutsMessagesAcrossAnySplit() throws {
        let info = HPFeedsWire.message(.info, [7] + Array("hpfeeds".utf8) + [9, 8, 7, 6])
        let error = HPFeedsWire.message(.error, Array("authfail".utf8))
        let stream = info + error
        for split in 0...stream.count {
            var reader = HPFeedsWire.FrameReader()
            var frames: [HPFeedsWire.Frame] = []
            reader.append(stream[..<split])
            while let frame = try reader.next() { frames.append(frame) }
            reader.append(stream[split...])
            while let frame = try reader.next() { frames.append(frame) }
            #expect(frames.map(\.opcode) == [1, 0], "split at \(split)")
            let greeting = try HPFeedsWire.parseInfo(frames[0].payload)
            #expect(greeting.name == "hpfeeds" && greeting.nonce == [9, 8, 7, 6])
            #expect(frames[1].payload == Array("authfail".utf8))
        }
    }

    @Test(arguments: [[0, 0, 0, 4, 1], [0, 0, 0, 0, 1], [0x7f, 0xff, 0xff, 0xff, 3], [0, 0x10, 0, 6, 3]] as [[UInt8]])
    func impossibleLengthsAreRefused(header: [UInt8]) {
        var reader = HPFeedsWire.FrameReader()
        reader.append(header)
        #expect(throws: HPFeedsWire.WireError.self) { try reader.next() }
    }

    @Test func largestMessageIsAccepted() throws {
        var reader = HPFeedsWire.FrameReader()
        let length = HPFeedsWire.maximumMessageBytes
        reader.append([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), 3])
        #expect(try reader.next() == nil)  // waits for the payload
        reader.append([UInt8](repeating: 0, count: length - 5))
        #expect(try reader.next()?.payload.count == length - 5)
    }

    @Test func infoShorterThanItsNameIsMalformed() throws {
        #expect(throws: HPFeedsWire.WireError.malformedInfo) { try HPFeedsWire.parseInfo([5, 0x61]) }
        #expect(throws: HPFeedsWire.WireError.malformedInfo) { try HPFeedsWire.parseInfo([]) }
        let empty = try HPFeedsWire.parseInfo([0])
        #expect(empty.name == "" && empty.nonce.isEmpty)
    }
}

/// SHA-1 against the FIPS 180-4 (and RFC 3174) example vectors, every padding boundary
/// against Python's hashlib.
@Suite struct SHA1Tests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test(arguments: [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "a49b2446a02c645bf419f995b67091253a04a259"),
    ])
    func knownAnswers(message: String, digest: String) {
        #expect(Self.hex(SHA1.digest(Array(message.utf8))) == digest)
    }

    @Test func aMillionAs() {
        #expect(Self.hex(SHA1.digest([UInt8](repeating: 0x61, count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    // Lengths 55, 56, 63, 64, 65 bytes: where the padding needs a second block.
    @Test(arguments: [
        (55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
        (64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        (65, "11655326c708d70319be2610e8a57d9a5b959d3b"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        #expect(Self.hex(SHA1.digest([UInt8](repeating: 0x61, count: length))) == digest)
    }
}
