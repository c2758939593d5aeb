/// Many byte sequences in one contiguous buffer, so the kernels read them through plain
/// pointers without per-sequence indirection.
struct SequenceStore: Sendable {
    private(set) var bytes: [UInt8]
    /// `offsets[i] ..< offsets[i + 1]` are the bytes of sequence `i`.
    private(set) var offsets: [Int]

    init(_ sequences: [[UInt8]]) {
        bytes = []
        bytes.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        offsets = [0]
        offsets.reserveCapacity(sequences.count + 1)
        for sequence in sequences {
            bytes.append(contentsOf: sequence)
            offsets.append(bytes.count)
        }
    }

    var count: Int { offsets.count - 1 }

    func length(_ index: Int) -> Int { offsets[index + 1] - offsets[index] }

    func withBuffers<R>(_ body: (Buffers) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { bytes in
            try offsets.withUnsafeBufferPointer { offsets in
                // An empty array may have no base address; any valid pointer serves for empty slices.
                let base = bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!
                return try body(Buffers(base: base, offsets: offsets.baseAddress!, count: offsets.count - 1))
            }
        }
    }

    struct Buffers {
        let base: UnsafePointer<UInt8>
        let offsets: UnsafePointer<Int>
        let count: Int

        subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: base + offsets[index], count: offsets[index + 1] - offsets[index])
        }
    }
}
