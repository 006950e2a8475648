public import Logging
public import NIOCore
public import NIOPosix
import NIOSSL

/// Sends mail through one SMTP server (RFC 5321), with STARTTLS or implicit TLS (RFC 3207,
/// RFC 8314) and AUTH PLAIN or LOGIN (RFC 4954).
///
/// Addresses must be ASCII: this client does not speak SMTPUTF8 and refuses other addresses
/// with a permanent error rather than guessing how the server would treat them.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        settings: SMTPSettings,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "smtp.server"] = "\(settings.serverName)"
        self.logger = logger
    }

    /// Delivers `message` over a new connection: connect, EHLO, STARTTLS when offered (and
    /// EHLO again), AUTH when credentials are configured, MAIL FROM, RCPT TO for each
    /// recipient, DATA, QUIT.
    ///
    /// Credentials are never sent over a connection that is not encrypted: with credentials
    /// configured, a server that offers no STARTTLS is a permanent error. Every step waits at
    /// most `settings.timeoutSeconds`. All recipients must be accepted, or nothing is sent.
    ///
    /// - Returns: the server's acceptance of the message.
    /// - Throws: ``SMTPError``, permanent for 5xx replies and for messages or settings that
    ///   cannot work, transient for 4xx replies, network failures and timeouts.
    public func send(_ message: MailMessage) async throws(SMTPError) -> SMTPReceipt {
        try message.validate()
        // The name goes into the EHLO line as it is: anything but a plain name could inject a command.
        guard !settings.helloName.isEmpty, settings.helloName.utf8.count <= 255,
              settings.helloName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._:[]".contains($0)) })
        else {
            throw .permanent("the EHLO name \(settings.helloName.debugDescription) is not a host name or address literal")
        }
        let payload = DotStuffing.dataPayload(message.encoded())
        let tls = try makeTLSUpgrade()

        let connection = try await SMTPConnection.open(
            settings: settings,
            implicitTLS: settings.security == .implicitTLS ? tls : nil,
            group: eventLoopGroup
        )
        let conversation = SMTPConversation(settings: settings, connection: connection, tls: tls, logger: logger)
        do {
            let receipt = try await conversation.deliver(message, payload: payload)
            await connection.quit()
            logger.debug("SMTP server accepted the message", metadata: ["smtp.reply": "\(receipt)"])
            return receipt
        } catch {
            await connection.quit()
            logger.debug("SMTP delivery failed", metadata: ["smtp.error": "\(error)", "smtp.permanent": "\(error.isPermanent)"])
            throw error
        }
    }

    /// The TLS settings for this server, built before connecting so that a bad CA file is
    /// reported as the configuration problem it is.
    private func makeTLSUpgrade() throws(SMTPError) -> SMTPTLSUpgrade {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let file = settings.trustedCertificatesFile {
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(file)
                guard !certificates.isEmpty else {
                    throw SMTPError.permanent("the trusted certificates file \(file) holds no PEM certificate")
                }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as SMTPError {
                throw error
            } catch {
                throw .permanent("cannot read the trusted certificates file \(file): \(error)")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .permanent("cannot set up TLS: \(error)")
        }
        // SNI must not carry an IP address; without a name NIOSSL matches the certificate's
        // IP address entries against the address connected to.
        let isIPAddress = (try? SocketAddress(ipAddress: settings.host, port: 0)) != nil
        return SMTPTLSUpgrade(context: context, serverHostname: isIPAddress ? nil : settings.host)
    }
}
