import Logging

/// The steps of one delivery over an open connection, and what each reply must be.
struct SMTPConversation {
    let settings: SMTPSettings
    let connection: SMTPConnection
    let tls: SMTPTLSUpgrade
    let logger: Logger

    private var server: String { settings.serverName }

    func deliver(_ message: MailMessage, payload: [UInt8]) async throws(SMTPError) -> SMTPReceipt {
        try expect(await connection.greetingReply(), 220, step: "the connection")
        var capabilities = try await hello()
        var encrypted = settings.security == .implicitTLS

        if !encrypted && capabilities.startTLS {
            try expect(await command("STARTTLS", startTLS: tls), 220, step: "STARTTLS")
            logger.debug("SMTP connection upgrading with STARTTLS")
            // The server forgets everything said before TLS, and may announce more (AUTH) after.
            capabilities = try await hello()
            encrypted = true
        }

        if let username = settings.username, let password = settings.password {
            guard encrypted else {
                throw .permanent(
                    "refusing to send the SMTP password unencrypted: \(server) does not offer STARTTLS; "
                        + "use smtps:// or a server that offers STARTTLS, or remove the credentials from the URL"
                )
            }
            try await authenticate(username: username, password: password, capabilities: capabilities)
        }

        try expect(await command("MAIL FROM:<\(message.from.address)>"), 250, step: "MAIL FROM")
        for recipient in message.to {
            let reply = try await command("RCPT TO:<\(recipient.address)>")
            try expect(reply, [250, 251], step: "RCPT TO:<\(recipient.address)>")
        }
        try expect(await command("DATA"), 354, step: "DATA")
        let accepted = try await connection.data(payload)
        try expect(accepted, 250, step: "the message data")
        return SMTPReceipt(code: accepted.code, text: accepted.text)
    }

    private func hello() async throws(SMTPError) -> SMTPCapabilities {
        let reply = try await command("EHLO \(settings.helloName)")
        try expect(reply, 250, step: "EHLO")
        return SMTPCapabilities(ehlo: reply)
    }

    private func authenticate(username: String, password: String, capabilities: SMTPCapabilities) async throws(SMTPError) {
        let offered = capabilities.authenticationMechanisms
        guard let mechanism = SMTPAuthenticationMechanism.preferred(among: offered) else {
            throw .permanent(
                offered.isEmpty
                    ? "\(server) does not offer AUTH, but the SMTP URL has credentials"
                    : "\(server) offers AUTH \(offered.sorted().joined(separator: " ")), but this client speaks only PLAIN and LOGIN"
            )
        }
        let step = "AUTH \(mechanism.rawValue) as \(username.debugDescription)"
        switch mechanism {
        case .plain:
            let response = SMTPAuthenticationMechanism.plainResponse(username: username, password: password)
            var reply = try await command("AUTH PLAIN \(response)", step: "AUTH PLAIN")
            // A server that wants the response on its own line asks with an empty challenge.
            if reply.code == 334 {
                reply = try await command(response, step: "AUTH PLAIN")
            }
            try expect(reply, 235, step: step)
        case .login:
            try expect(await command("AUTH LOGIN", step: "AUTH LOGIN"), 334, step: step)
            try expect(await command(Base64.encode(Array(username.utf8)), step: "AUTH LOGIN (user name)"), 334, step: step)
            try expect(await command(Base64.encode(Array(password.utf8)), step: "AUTH LOGIN (password)"), 235, step: step)
        }
        logger.debug("SMTP authenticated", metadata: ["smtp.mechanism": "\(mechanism.rawValue)"])
    }

    /// Sends a command; `step` replaces the line in logs and errors (AUTH lines carry secrets).
    private func command(_ line: String, step: String? = nil, startTLS: SMTPTLSUpgrade? = nil) async throws(SMTPError) -> SMTPReply {
        let name = step ?? line
        logger.trace("SMTP >>> \(name)")
        let reply = try await connection.command(line, step: name, startTLS: startTLS)
        logger.trace("SMTP <<< \(reply)")
        return reply
    }

    private func expect(_ reply: SMTPReply, _ code: Int, step: String) throws(SMTPError) {
        try expect(reply, [code], step: step)
    }

    private func expect(_ reply: SMTPReply, _ codes: Set<Int>, step: String) throws(SMTPError) {
        guard codes.contains(reply.code) else {
            throw .rejected(reply, step: step, server: server)
        }
    }
}
