import Testing
@testable import ScriptGenServer

@Suite struct DeadlineHeapTests {
    @Test func entriesComeOutEarliestFirstWhateverTheOrderIn() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            var heap = DeadlineHeap()
            let deadlines = (0..<(round * 7 + 1)).map { _ in Int64.random(in: -50...50, using: &generator) }
            for (index, deadline) in deadlines.enumerated() {
                heap.insert(.init(deadline: deadline, descriptor: Int32(index), generation: 0))
            }
            var out: [Int64] = []
            while !heap.isEmpty { out.append(heap.removeFirst().deadline) }
            #expect(out == deadlines.sorted())
        }
    }

    @Test func interleavedInsertsAndRemovalsKeepTheOrder() {
        var heap = DeadlineHeap()
        heap.insert(.init(deadline: 30, descriptor: 1, generation: 1))
        heap.insert(.init(deadline: 10, descriptor: 2, generation: 1))
        #expect(heap.removeFirst() == .init(deadline: 10, descriptor: 2, generation: 1))
        heap.insert(.init(deadline: 20, descriptor: 3, generation: 1))
        heap.insert(.init(deadline: 20, descriptor: 4, generation: 2))
        #expect(heap.first?.deadline == 20)
        #expect([heap.removeFirst(), heap.removeFirst()].map(\.deadline) == [20, 20])
        #expect(heap.removeFirst().descriptor == 1)
        #expect(heap.isEmpty && heap.first == nil)
    }
}

