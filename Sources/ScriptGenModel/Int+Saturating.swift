extension Int {
    /// `self + other`, stopping at `Int.max` instead of trapping: totals of counts read from a
    /// hand-edited model file (each up to `ModelFile.maximumCount`) must not crash a summary.
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
