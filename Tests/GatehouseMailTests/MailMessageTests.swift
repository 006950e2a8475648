import Foundation
@testable import GatehouseMail
import Testing

@Suite struct MailMessageTests {
    static let date = Date(timeIntervalSince1970: 1_741_079_100)  // Tue, 04 Mar 2025 09:05:00 UTC

    private func message(
        subject: String = "Welcome",
        text: String = "Hello\n",
        html: String? = nil,
        from: MailAddress = MailAddress("no-reply@gatehouse.test", name: "Gatehouse"),
        to: [MailAddress] = [MailAddress("ana@acme.test")],
        headers: [(name: String, value: String)] = []
    ) -> MailMessage {
        MailMessage(
            from: from, to: to, subject: subject, text: text, html: html,
            messageID: "<6f1c2d@gatehouse.test>", date: Self.date, headers: headers
        )
    }

    private func encoded(_ message: MailMessage) -> String {
        String(decoding: message.encoded(), as: UTF8.self)
    }

    @Test func plainMessage_hasTheRequiredHeadersAndAQuotedPrintableBody() {
        let raw = encoded(message(headers: [("Auto-Submitted", "auto-generated")]))
        #expect(raw == """
            Date: Tue, 04 Mar 2025 09:05:00 +0000\r
            From: "Gatehouse" <no-reply@gatehouse.test>\r
            To: ana@acme.test\r
            Subject: Welcome\r
            Message-ID: <6f1c2d@gatehouse.test>\r
            MIME-Version: 1.0\r
            Auto-Submitted: auto-generated\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Hello\r

            """)
    }

    @Test func encodedMessage_isSevenBitWithCRLFAndShortLines() {
        let raw = message(subject: "Bienvenue à Gatehouse — 日本語 " + String(repeating: "très long ", count: 12),
                          text: String(repeating: "ünïcödé ", count: 40), html: "<p>日本語</p>").encoded()
        #expect(raw.allSatisfy { $0 < 0x80 })
        let text = String(decoding: raw, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 78, "line too long: \(line)")
        }
        #expect(!raw.enumerated().contains { index, byte in
            (byte == .lf && (index == 0 || raw[index - 1] != .cr)) || (byte == .cr && (index + 1 == raw.count || raw[index + 1] != .lf))
        })
    }

    @Test func asciiSubject_isNotEncoded_andLongOnesFoldAtSpaces() throws {
        let subject = String(repeating: "Please confirm your address ", count: 5).trimmingCharacters(in: .whitespaces)
        let raw = encoded(message(subject: subject))
        #expect(!raw.contains("=?"))
        #expect(MIMEDecoding.header("Subject", of: raw) == subject)
        #expect(raw.contains("\r\n Please") || raw.contains("\r\n address") || raw.contains("\r\n your") || raw.contains("\r\n confirm"))
    }

    @Test(arguments: [
        "Bienvenue à Gatehouse — 日本語",
        String(repeating: "日本語のメール ", count: 12) + "終",
        "Looks like =?utf-8?B?SGk=?= but is plain",
        "Tab\tand control \u{7} character",
        "emoji 👩‍💻 family 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵",
        String(repeating: "x", count: 120),
    ])
    func subject_needingEncoding_roundTripsThroughEncodedWords(subject: String) throws {
        let raw = encoded(message(subject: subject))
        let value = try #require(MIMEDecoding.header("Subject", of: raw))
        #expect(value.hasPrefix("=?utf-8?B?"))
        #expect(MIMEDecoding.encodedWords(value) == subject)
        let subjectLines = raw.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }
            .prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        for line in subjectLines {
            #expect(line.utf8.count <= 78)
            for word in line.split(separator: " ") where word.hasPrefix("=?") {
                #expect(word.count <= 75, "encoded-word too long: \(word)")
            }
        }
    }

    @Test func subject_losesOnlyLeadingAndTrailingWhitespace() {
        let raw = encoded(message(subject: "  Hello  there\t"))
        #expect(MIMEDecoding.header("Subject", of: raw) == "Hello  there")
    }

    @Test func encodedWords_neverSplitACharacter() {
        for word in EncodedWord.encode(String(repeating: "€日😀a", count: 30)) {
            let payload = word.dropFirst("=?utf-8?B?".count).dropLast(2)
            let bytes = Data(base64Encoded: String(payload))!
            #expect(String(bytes: bytes, encoding: .utf8) != nil, "word \(word) splits a character")
            #expect(word.count <= 75)
        }
    }

    @Test func displayNames_areQuotedOrEncoded() throws {
        let raw = encoded(message(
            from: MailAddress("no-reply@gatehouse.test", name: "Gatehouse \"Support\", Inc."),
            to: [MailAddress("ana@acme.test", name: "Ana Núñez"), MailAddress("bo@acme.test")]
        ))
        #expect(MIMEDecoding.header("From", of: raw) == #""Gatehouse \"Support\", Inc." <no-reply@gatehouse.test>"#)
        let to = try #require(MIMEDecoding.header("To", of: raw))
        #expect(to.hasSuffix(" <ana@acme.test>, bo@acme.test"))
        #expect(MIMEDecoding.encodedWords(to) == "Ana Núñez <ana@acme.test>, bo@acme.test")
    }

    @Test func lineBreaksInHeaderValues_cannotStartANewHeader() {
        let raw = encoded(message(
            subject: "Hi\r\nBcc: victim@evil.test",
            from: MailAddress("no-reply@gatehouse.test", name: "Eve\nX-Injected: yes"),
            headers: [("X-Note", "one\r\nBcc: victim@evil.test")]
        ))
        let names = MIMEDecoding.headers(of: raw).map { $0.name.lowercased() }
        #expect(!names.contains("bcc"))
        #expect(!names.contains("x-injected"))
        #expect(MIMEDecoding.header("Subject", of: raw) == "Hi Bcc: victim@evil.test")
    }

    @Test func reservedOrInvalidExtraHeaders_areLeftOutAndRefusedBySend() {
        let bad = message(headers: [("Bcc", "x@evil.test"), ("Bad Name", "x"), ("X-Ok", "fine")])
        let names = MIMEDecoding.headers(of: encoded(bad)).map(\.name)
        #expect(names.filter { $0 == "Bcc" || $0 == "Bad Name" }.isEmpty)
        #expect(names.contains("X-Ok"))
        #expect(throws: SMTPError.self) { try bad.validate() }
    }

    @Test func html_makesAMultipartAlternativeWithTextFirst() throws {
        let text = "Your code: 123 456\nBoundary look-alike: --=_gatehouse_x\n"
        let html = "<p>Your code: <b>123 456</b> — ça marche</p>"
        let raw = encoded(message(text: text, html: html))
        let contentType = try #require(MIMEDecoding.header("Content-Type", of: raw))
        #expect(contentType.hasPrefix("multipart/alternative; boundary=\""))
        let boundary = String(contentType.split(separator: "\"")[1])
        #expect(boundary.hasPrefix("=_"))

        let body = raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let parts = body.components(separatedBy: "\r\n--\(boundary)")
        #expect(body.hasPrefix("--\(boundary)\r\n"))
        #expect(parts.count == 3)
        #expect(parts[2] == "--\r\n")

        func decodedPart(_ part: String) -> (headers: String, content: String) {
            let split = part.components(separatedBy: "\r\n\r\n")
            let content = MIMEDecoding.quotedPrintable(split.dropFirst().joined(separator: "\r\n\r\n"))!
            return (split[0], String(decoding: content, as: UTF8.self))
        }
        let plain = decodedPart(String(parts[0].dropFirst("--\(boundary)\r\n".count)))
        #expect(plain.headers == "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable")
        #expect(plain.content == text.replacingOccurrences(of: "\n", with: "\r\n"))
        let rich = decodedPart(String(parts[1].dropFirst("\r\n".count)))
        #expect(rich.headers == "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable")
        #expect(rich.content == html)

        // The boundary appears only as delimiters, never inside a part.
        #expect(raw.components(separatedBy: boundary).count == 5)
    }

    @Test func textWithoutFinalNewline_endsWithASoftBreak_soTheDataTerminatorAddsNothing() {
        let raw = encoded(message(text: "no newline"))
        #expect(raw.hasSuffix("\r\n\r\nno newline=\r\n"))
    }

    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (1_741_079_100.9, "Tue, 04 Mar 2025 09:05:00 +0000"),
        (4_102_444_799, "Thu, 31 Dec 2099 23:59:59 +0000"),
        (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
    ])
    func date_isRFC5322InUTC(seconds: Double, expected: String) {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test(arguments: [
        MailAddress("ana@acme.test"),
        MailAddress("first.last+tag@sub.acme-corp.test"),
        MailAddress("o'brien@acme.test"),
    ])
    func plainASCIIAddress_isAccepted(address: MailAddress) {
        #expect(address.problem == nil)
    }

    @Test(arguments: [
        "ana", "@acme.test", "ana@", "ana@acme.test>", "ana@acme.test\r\nRCPT TO:<x@evil.test>",
        "ana <x>@acme.test", "josé@acme.test", "ana@acmé.test", ".ana@acme.test", "a..b@acme.test", "ana@acme..test",
        "\"quoted\"@acme.test",
    ])
    func addressThatCouldBreakTheProtocol_isRefused(address: String) {
        #expect(MailAddress(address).problem != nil)
    }

    @Test func validate_refusesNonASCIIRecipientsPermanently() {
        let bad = message(to: [MailAddress("josé@acme.test")])
        #expect {
            try bad.validate()
        } throws: { error in
            (error as? SMTPError)?.isPermanent == true && "\(error)".contains("SMTPUTF8")
        }
    }

    @Test func validate_refusesAMessageIDWithoutBrackets() {
        var bad = message()
        bad.messageID = "no-brackets@gatehouse.test"
        #expect(throws: SMTPError.self) { try bad.validate() }
    }
}
