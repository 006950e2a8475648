public import Foundation

/// An email as it leaves: sender, recipient, the rendered parts, and a stable Message-ID
/// (derived from the outbox entry, so a resend after a crash is recognisable as the same
/// message).
public struct OutgoingMail: Sendable, Equatable {
    public let fromAddress: String
    public let fromName: String?
    public let toAddress: String
    public let toName: String?
    public let subject: String
    public let text: String
    public let html: String
    public let messageID: String
    public let date: Date
}

/// A delivery that did not happen. Permanent failures are not retried.
public struct DeliveryFailure: Error, Sendable, CustomStringConvertible {
    public let isPermanent: Bool
    public let message: String

    public init(permanent: Bool, _ message: String) {
        self.isPermanent = permanent
        self.message = message
    }

    public var description: String { message }
}

/// Something that sends email (SMTP in production).
public protocol MailTransport: Sendable {
    func send(_ mail: OutgoingMail) async throws(DeliveryFailure)
}

/// Something that POSTs a webhook body and says whether the receiver took it.
public protocol WebhookTransport: Sendable {
    func post(url: String, body: [UInt8], headers: [(String, String)]) async throws(DeliveryFailure)
    /// Releases connections when the service stops.
    func shutdown() async
}

extension WebhookTransport {
    public func shutdown() async {}
}
