/// A fatal problem with the user's input, already phrased for them (file name first).
struct InputError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
