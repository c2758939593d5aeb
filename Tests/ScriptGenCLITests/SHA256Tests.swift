import Foundation
import Testing
@testable import scriptgen

/// The capture hash of the model's provenance (our own SHA-256: the learning path would take
/// swift-crypto's BoringSSL build, a minute of every clean CI build and 10 MB of binary, for
/// one hash). FIPS 180-4's example vectors, fed whole and in pieces across block boundaries,
/// and the fixtures against `sha256sum`.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8], pieces: Int = 1) -> String {
        var hash = SHA256()
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + size)
            hash.update(Array(bytes[offset..<end]))
            offset = end
        } while offset < bytes.count
        return hash.finish()
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func knownAnswers(message: String, digest: String) {
        for pieces in [1, 2, 3, 7] { #expect(Self.hex(Array(message.utf8), pieces: pieces) == digest, "\(pieces) pieces") }
    }

    @Test func aMillionAsInPieces() {
        let bytes = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(Self.hex(bytes, pieces: 1) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(Self.hex(bytes, pieces: 977) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    // Where the padding needs a second block (checked against Python's hashlib).
    @Test(arguments: [
        (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
        (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
        (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
        (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
        (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
        (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
        (120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        #expect(Self.hex([UInt8](repeating: 0x78, count: length), pieces: 3) == digest)
    }

    @Test(.enabled(if: CLIRunner.commandExists("sha256sum")), arguments: ["ftp-train.pcap", "smb-train.pcap", "redis-train.pcapng"])
    func fixturesHashAsSha256sumDoes(name: String) throws {
        let path = CLIRunner.fixture(name)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reference = try CLIRunner.runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", path])
        #expect(Self.hex(bytes, pieces: 13) == String(reference.output.prefix(64)))
    }
}
