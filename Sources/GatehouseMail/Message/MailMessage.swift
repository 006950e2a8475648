public import Foundation

/// One email: who it is from and to, its subject and its text (and optionally HTML) body.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    /// The subject; leading and trailing white space is dropped, as header unfolding would.
    public var subject: String
    /// The plain-text body. Line breaks may be `\n` or `\r\n`.
    public var text: String
    /// An HTML rendering of the same content; when set, the message is multipart/alternative
    /// with the text first, so clients that show HTML prefer it (RFC 2046 §5.1.4).
    public var html: String?
    /// The Message-ID, with its angle brackets: `<uuid@gatehouse.example>`.
    public var messageID: String
    public var date: Date
    /// Extra header fields, e.g. `("Auto-Submitted", "auto-generated")`. Values are free text
    /// (non-ASCII is encoded); the fields the message writes itself (Date, From, To, Cc, Bcc,
    /// Subject, Message-ID, MIME-Version, Content-*) cannot be given here.
    public var headers: [(name: String, value: String)]

    public init(
        from: MailAddress,
        to: [MailAddress],
        subject: String,
        text: String,
        html: String? = nil,
        messageID: String,
        date: Date,
        headers: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
        self.headers = headers
    }

    /// The RFC 5322 message, CRLF line endings, NOT dot-stuffed (that is the transport's job).
    ///
    /// Pure 7-bit ASCII: headers use encoded-words and bodies quoted-printable, so no relay
    /// needs 8BITMIME. Line breaks inside header values become spaces, and extra headers with
    /// an invalid or reserved name are left out (``SMTPClient`` refuses such a message).
    public func encoded() -> [UInt8] {
        var message = HeaderField.plain(name: "Date", value: RFC5322Date.format(date))
        message += HeaderField.addresses(name: "From", [from])
        message += HeaderField.addresses(name: "To", to)
        message += HeaderField.unstructured(name: "Subject", value: subject, encodeLongWords: true)
        message += HeaderField.plain(name: "Message-ID", value: Self.bracketed(messageID))
        message += HeaderField.plain(name: "MIME-Version", value: "1.0")
        for header in headers where Self.isAllowedExtraHeader(header.name) {
            message += HeaderField.unstructured(name: header.name, value: header.value, encodeLongWords: false)
        }
        if let html {
            // "=_" never occurs in quoted-printable output ('=' is always followed by hex
            // digits or a line break there), so this boundary cannot collide with a body.
            let boundary = "=_gatehouse_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var contentType = HeaderField.Builder(name: "Content-Type")
            contentType.append("multipart/alternative;")
            contentType.append("boundary=\"\(boundary)\"")
            message += contentType.field
            message += "\r\n"
            message += "--\(boundary)\r\n" + Self.textPart(text, subtype: "plain")
            message += "\r\n--\(boundary)\r\n" + Self.textPart(html, subtype: "html")
            message += "\r\n--\(boundary)--\r\n"
        } else {
            message += Self.textPart(text, subtype: "plain")
            // The transport ends the data with CRLF; a soft break keeps that CRLF out of the
            // decoded text, which then ends exactly as given.
            if !message.hasSuffix("\r\n") {
                message += "=\r\n"
            }
        }
        return Array(message.utf8)
    }

    private static func textPart(_ content: String, subtype: String) -> String {
        HeaderField.plain(name: "Content-Type", value: "text/\(subtype); charset=utf-8")
            + HeaderField.plain(name: "Content-Transfer-Encoding", value: "quoted-printable")
            + "\r\n"
            + QuotedPrintable.encode(content)
    }

    private static func bracketed(_ id: String) -> String {
        let id = String(id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F })
        return id.hasPrefix("<") && id.hasSuffix(">") ? id : "<\(id)>"
    }

    /// Fields the message writes itself; a second copy would be ambiguous (and Cc/Bcc would
    /// claim recipients the envelope does not have).
    static let reservedHeaderNames: Set<String> = [
        "date", "from", "to", "cc", "bcc", "subject", "message-id", "mime-version",
        "content-type", "content-transfer-encoding",
    ]

    static func isAllowedExtraHeader(_ name: String) -> Bool {
        HeaderField.isValidName(name) && !reservedHeaderNames.contains(name.lowercased())
    }
}

extension MailMessage {
    /// Why this message cannot be sent, checked before connecting: everything here is
    /// permanent, since sending again would fail the same way.
    func validate() throws(SMTPError) {
        if let problem = from.problem {
            throw .permanent("From: \(problem)")
        }
        guard !to.isEmpty else {
            throw .permanent("the message has no recipient")
        }
        for recipient in to {
            if let problem = recipient.problem {
                throw .permanent("To: \(problem)")
            }
        }
        let idScalars = messageID.unicodeScalars
        guard messageID.hasPrefix("<"), messageID.hasSuffix(">"), messageID.contains("@"),
              idScalars.count > 4, idScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw .permanent("the Message-ID \(messageID.debugDescription) is not of the form <id@domain>")
        }
        for header in headers {
            guard HeaderField.isValidName(header.name) else {
                throw .permanent("the header name \(header.name.debugDescription) is not printable ASCII without ':'")
            }
            guard !Self.reservedHeaderNames.contains(header.name.lowercased()) else {
                throw .permanent("the header \(header.name) is written by the message itself and cannot be added")
            }
        }
    }
}
