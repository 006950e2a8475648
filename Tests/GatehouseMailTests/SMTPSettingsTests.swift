import GatehouseMail
import Testing

@Suite struct SMTPSettingsTests {
    @Test func smtpURL_withoutPort_usesPort25AndStartTLS() throws {
        let settings = try SMTPSettings(url: "smtp://mail.acme.test")
        #expect(settings.host == "mail.acme.test")
        #expect(settings.port == 25)
        #expect(settings.security == .startTLSWhenOffered)
        #expect(settings.username == nil && settings.password == nil)
        #expect(settings.helloName == "localhost")
        #expect(settings.timeoutSeconds == 30)
    }

    @Test func smtpsURL_withoutPort_usesPort465AndImplicitTLS() throws {
        let settings = try SMTPSettings(url: "SMTPS://mail.acme.test/")
        #expect(settings.port == 465)
        #expect(settings.security == .implicitTLS)
    }

    @Test func url_withCredentialsAndPort_keepsThem() throws {
        let settings = try SMTPSettings(url: "smtp://mailer:secret@127.0.0.1:2525", trustedCertificatesFile: "/etc/ca.pem")
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 2525)
        #expect(settings.username == "mailer")
        #expect(settings.password == "secret")
        #expect(settings.trustedCertificatesFile == "/etc/ca.pem")
    }

    @Test func credentials_arePercentDecoded() throws {
        let settings = try SMTPSettings(url: "smtps://ana%40acme.test:p%40ss%3Aw%2Frd%25%20x@smtp.acme.test:587")
        #expect(settings.username == "ana@acme.test")
        #expect(settings.password == "p@ss:w/rd% x")
    }

    @Test func unencodedAtAndColonInPassword_stillParse() throws {
        let settings = try SMTPSettings(url: "smtp://user:pa:ss@word@host.test")
        #expect(settings.username == "user")
        #expect(settings.password == "pa:ss@word")
        #expect(settings.host == "host.test")
    }

    @Test func surroundingWhitespace_isIgnored() throws {
        let settings = try SMTPSettings(url: "  smtp://mail.acme.test:587\n")
        #expect(settings.port == 587)
    }

    @Test func ipv6Host_inBrackets() throws {
        let settings = try SMTPSettings(url: "smtp://[::1]:2525")
        #expect(settings.host == "::1")
        #expect(settings.port == 2525)
        #expect(settings.redactedURL == "smtp://[::1]:2525")
    }

    @Test func redactedURL_hidesThePassword() throws {
        let settings = try SMTPSettings(url: "smtps://ana%40acme.test:hunter2@smtp.acme.test")
        #expect(settings.redactedURL == "smtps://ana%40acme.test:***@smtp.acme.test:465")
        #expect(!settings.redactedURL.contains("hunter2"))
        #expect("\(settings)" == settings.redactedURL)
    }

    @Test(arguments: [
        "mail.acme.test",
        "http://mail.acme.test",
        "smtp:/mail.acme.test",
        "smtp://",
        "smtp://:25",
        "smtp://mail.acme.test:0",
        "smtp://mail.acme.test:65536",
        "smtp://mail.acme.test:25x",
        "smtp://mail.acme.test:",
        "smtp://mail.acme.test/path",
        "smtp://mail.acme.test?tls=1",
        "smtp://user@mail.acme.test",
        "smtp://:secret@mail.acme.test",
        "smtp://user:@mail.acme.test",
        "smtp://user:bad%zz@mail.acme.test",
        "smtp://user:nul%00@mail.acme.test",
        "smtp://mail acme.test",
        "smtp://::1:25",
        "smtp://[::1",
    ])
    func badURL_isRefusedWithoutEchoingIt(url: String) {
        #expect {
            try SMTPSettings(url: url)
        } throws: { error in
            guard let error = error as? SMTPSettingsError else { return false }
            return !error.message.isEmpty && !error.message.contains("secret") && !error.message.contains("bad%zz")
        }
    }

    @Test func badScheme_messageNamesTheSchemes() {
        #expect(throws: SMTPSettingsError("the SMTP URL must start with smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start)")) {
            try SMTPSettings(url: "imap://mail.acme.test")
        }
    }
}
