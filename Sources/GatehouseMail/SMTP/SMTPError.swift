/// Why a message was not delivered, and whether trying again later can help.
///
/// The outbox retries transient failures (4xx replies, network trouble, timeouts) and gives up
/// on permanent ones (5xx replies, a message or configuration that can never be sent). The
/// message never contains the SMTP password.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    /// `true` when sending the same message again cannot succeed without a change.
    public var isPermanent: Bool
    /// The server's reply code, when the failure was the server's answer.
    public var reply: Int?
    /// What went wrong, for logs and operators.
    public var message: String

    /// An error as a fake transport or a caller's own check would report it.
    public init(isPermanent: Bool, reply: Int? = nil, message: String) {
        self.isPermanent = isPermanent
        self.reply = reply
        self.message = message
    }

    public var description: String { message }
}

extension SMTPError {
    /// A failure that depends on neither the server's mood nor the network: retrying is pointless.
    static func permanent(_ message: String) -> SMTPError {
        SMTPError(isPermanent: true, message: message)
    }

    /// Network trouble, a timeout or a dropped connection: the next attempt may well succeed.
    static func transient(_ message: String) -> SMTPError {
        SMTPError(isPermanent: false, message: message)
    }
}
