/// Thresholds that decide whether a mutating region carries meaning (a command name, an
/// opcode: few values, each frequent) or is a variable field (a user name, a path, a nonce).
public struct MicroclusterOptions: Hashable, Sendable {
    /// At most this many distinct values. Default 8 (the commands of one state rarely exceed it).
    public var maxDistinctValues: Int
    /// Every value must carry at least this share of the total weight. Default 0.05.
    public var minValueShare: Double
    /// Every value must carry at least this weight (requests): one sighting is no evidence of
    /// a command. Default 2.
    public var minValueWeight: Double

    public init(maxDistinctValues: Int = 8, minValueShare: Double = 0.05, minValueWeight: Double = 2) {
        precondition(maxDistinctValues >= 1, "MicroclusterOptions: maxDistinctValues must be at least 1")
        self.maxDistinctValues = maxDistinctValues
        self.minValueShare = minValueShare
        self.minValueWeight = minValueWeight
    }

    /// Decides for a region given each row's value (and weight, default 1 each).
    public func decision(values: [[UInt8]], weights: [Double]? = nil) -> MicroclusterDecision {
        let weights = weights ?? [Double](repeating: 1, count: values.count)
        precondition(weights.count == values.count, "MicroclusterOptions: one weight per value")
        var groups: [[UInt8]: MicroclusterGroup] = [:]
        var total = 0.0
        for (row, (value, weight)) in zip(values, weights).enumerated() {
            groups[value, default: MicroclusterGroup(value: value, rows: [], weight: 0)].rows.append(row)
            groups[value]!.weight += weight
            total += weight
            if groups.count > maxDistinctValues { return .variable }
        }
        let ordered = groups.values.sorted {
            $0.weight != $1.weight ? $0.weight > $1.weight : $0.value.lexicographicallyPrecedes($1.value)
        }
        if ordered.count == 1 { return .uniform(ordered[0].value) }
        if ordered.isEmpty { return .variable }
        for group in ordered where group.weight < minValueWeight || group.weight < minValueShare * total {
            return .variable
        }
        return .split(ordered)
    }
}

/// Rows sharing one value of a region.
public struct MicroclusterGroup: Hashable, Sendable {
    public var value: [UInt8]
    /// Row indices, ascending.
    public var rows: [Int]
    public var weight: Double
}

public enum MicroclusterDecision: Hashable, Sendable {
    /// Few values, each frequent: split the cluster into these groups (heaviest first, ties by
    /// value), in each of which the region becomes fixed.
    case split([MicroclusterGroup])
    /// Every row holds the same value (the region varies only by alignment gaps).
    case uniform([UInt8])
    /// Many values or rare ones: the region stays a variable field.
    case variable
}
