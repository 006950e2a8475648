/// One reply from the server: a three-digit code and one or more lines of text (RFC 5321 §4.2).
struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    var code: Int
    /// The text of each line, without the code and its separator.
    var lines: [String]

    var text: String { lines.joined(separator: "\n") }

    /// On one line, as it goes into error messages and logs.
    var description: String {
        let text = lines.filter { !$0.isEmpty }.joined(separator: " ")
        return text.isEmpty ? "\(code)" : "\(code) \(text)"
    }
}

extension SMTPError {
    /// The server answered `step` with something other than what the protocol needs next.
    /// 5xx is final by RFC 5321; 4xx and anything unexpected (a confused or overloaded
    /// server) are worth another attempt later.
    static func rejected(_ reply: SMTPReply, step: String, server: String) -> SMTPError {
        SMTPError(
            isPermanent: (500...599).contains(reply.code),
            reply: reply.code,
            message: "\(server) answered \(step) with \(reply)"
        )
    }
}
