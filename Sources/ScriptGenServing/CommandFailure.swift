/// A command that cannot do its work (a file it cannot read, a port it cannot bind): printed
/// as `Error: <description>`, exit status 1, without the usage text a `ValidationError` (a
/// wrong option) gets.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
