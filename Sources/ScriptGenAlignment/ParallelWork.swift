import Dispatch

/// A buffer that parallel iterations write at disjoint indices. `@unchecked Sendable` is sound
/// only under that rule, which every user states next to its loop; the buffer must outlive
/// the parallel loop (it is always a `withUnsafeMutableBufferPointer` scope around it).
struct DisjointWrites<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>

    subscript(index: Int) -> Element {
        get { buffer[index] }
        nonmutating set { buffer[index] = newValue }
    }
}

// Read-only views of sequence bytes shared by parallel iterations; valid inside `withBuffers`.
extension SequenceStore.Buffers: @unchecked Sendable {}

enum ParallelWork {
    /// Runs `body` for every index in `0..<iterations` on all cores (Dispatch decides the
    /// schedule; results must not depend on it).
    static func run(iterations: Int, _ body: @Sendable (Int) -> Void) {
        if iterations == 0 { return }
        if iterations == 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }
}
