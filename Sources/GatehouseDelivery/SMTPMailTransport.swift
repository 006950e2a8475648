import GatehouseMail
public import Logging

/// Outbox email over SMTP: one connection per message (the volume is a few invitations and
/// resets, not bulk mail), refusals mapped to permanent or retryable failures.
public struct SMTPMailTransport: MailTransport {
    let client: SMTPClient

    /// - Throws: a readable error for a bad URL (shown at start-up).
    public init(url: String, trustedCertificatesFile: String?, logger: Logger) throws {
        let settings = try SMTPSettings(url: url, trustedCertificatesFile: trustedCertificatesFile)
        client = SMTPClient(settings: settings, logger: logger)
    }

    public func send(_ mail: OutgoingMail) async throws(DeliveryFailure) {
        let message = MailMessage(from: MailAddress(mail.fromAddress, name: mail.fromName), to: [MailAddress(mail.toAddress, name: mail.toName)],
                                  subject: mail.subject, text: mail.text, html: mail.html.isEmpty ? nil : mail.html,
                                  messageID: mail.messageID, date: mail.date,
                                  headers: [(name: "Auto-Submitted", value: "auto-generated")])
        do {
            _ = try await client.send(message)
        } catch {
            throw DeliveryFailure(permanent: error.isPermanent, error.description)
        }
    }
}
