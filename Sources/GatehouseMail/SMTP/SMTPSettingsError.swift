/// An SMTP URL that cannot be used, with a message that says how to fix it. The message never
/// repeats the URL, which may hold a password.
public struct SMTPSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
