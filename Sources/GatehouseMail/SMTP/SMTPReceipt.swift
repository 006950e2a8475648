/// The server's acceptance of a message: its final reply to the message data.
public struct SMTPReceipt: Sendable, Equatable, CustomStringConvertible {
    /// The reply code, 250.
    public var code: Int
    /// The reply text, lines joined with a newline; servers usually put their queue id here,
    /// which is what an operator needs to find the message in the server's logs.
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = text
    }

    /// The reply as the server sent it, on one line: `250 2.0.0 Ok: queued as 4Bx…`.
    public var description: String {
        text.isEmpty ? "\(code)" : "\(code) \(text.replacingOccurrences(of: "\n", with: " "))"
    }
}
