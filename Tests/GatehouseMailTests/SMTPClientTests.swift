import Foundation
import GatehouseMail
import Logging
import Testing

/// The client against a scripted in-process server (NIO, with real TLS from a test CA).
@Suite struct SMTPClientTests {
    private let message = MailMessage(
        from: MailAddress("no-reply@gatehouse.test", name: "Gatehouse"),
        to: [MailAddress("ana@acme.test"), MailAddress("bo@acme.test")],
        subject: "Welcome",
        text: "Hello\n.hidden line\n",
        messageID: "<1@gatehouse.test>",
        date: Date(timeIntervalSince1970: 0)
    )

    private func client(_ settings: SMTPSettings) -> SMTPClient {
        SMTPClient(settings: settings, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    private func withServer<T>(_ script: ScriptedSMTPServer.Script, _ body: (ScriptedSMTPServer) async throws -> T) async throws -> T {
        let server = try await ScriptedSMTPServer.start(script)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// The error `send` throws; fails the test when it succeeds.
    private func sendError(_ settings: SMTPSettings) async -> SMTPError? {
        do {
            let receipt = try await client(settings).send(message)
            Issue.record("expected an error, got \(receipt)")
            return nil
        } catch {
            return error
        }
    }

    @Test func plainServer_getsTheWholeConversationAndStuffedData() async throws {
        try await withServer(.init()) { server in
            let receipt = try await client(server.settings()).send(message)
            #expect(receipt.code == 250)
            #expect(receipt.description == "250 2.0.0 Ok: queued as FAKE1")
            #expect(server.commands == [
                "EHLO localhost", "MAIL FROM:<no-reply@gatehouse.test>", "RCPT TO:<ana@acme.test>",
                "RCPT TO:<bo@acme.test>", "DATA", "QUIT",
            ])
            let data = String(decoding: try #require(server.messages.first), as: UTF8.self)
            #expect(data.hasSuffix("\r\n\r\nHello\r\n..hidden line\r\n.\r\n"))
            #expect(data.hasPrefix("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
        }
    }

    @Test func startTLS_whenOffered_isUsedBeforeAuthPlain() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS, users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            _ = try await client(server.settings(username: "mailer", password: "s3cret")).send(message)
            #expect(server.lines.prefix(4) == [
                .init(text: "EHLO localhost", encrypted: false),
                .init(text: "STARTTLS", encrypted: false),
                .init(text: "EHLO localhost", encrypted: true),
                .init(text: "AUTH PLAIN AG1haWxlcgBzM2NyZXQ=", encrypted: true),
            ])
            #expect(!server.lines.dropFirst(2).contains { !$0.encrypted })
            #expect(server.commands.contains("MAIL FROM:<no-reply@gatehouse.test>"))
        }
    }

    @Test func authLogin_isUsedWhenPlainIsNotOffered() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS, authMechanisms: ["LOGIN", "CRAM-MD5"], users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            _ = try await client(server.settings(username: "mailer", password: "s3cret")).send(message)
            #expect(Array(server.commands[3...5]) == ["AUTH LOGIN", "bWFpbGVy", "czNjcmV0"])
        }
    }

    @Test func implicitTLS_encryptsFromTheFirstByte() async throws {
        let script = ScriptedSMTPServer.Script(security: .implicitTLS, users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            let receipt = try await client(server.settings(username: "mailer", password: "s3cret")).send(message)
            #expect(receipt.code == 250)
            #expect(!server.lines.contains { !$0.encrypted })
            #expect(server.commands.first == "EHLO localhost")
            #expect(server.commands[1].hasPrefix("AUTH PLAIN "))
        }
    }

    @Test func credentials_withoutTLS_areNeverSent() async throws {
        let script = ScriptedSMTPServer.Script(authBeforeTLS: true, users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            let error = await sendError(server.settings(username: "mailer", password: "s3cret"))
            #expect(error?.isPermanent == true)
            #expect(error?.reply == nil)
            #expect(error?.message.contains("unencrypted") == true)
            #expect(!(error?.message.contains("s3cret") ?? true))
            #expect(server.commands == ["EHLO localhost", "QUIT"])
        }
    }

    @Test func wrongPassword_isPermanentAndNotEchoed() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS, users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            let error = await sendError(server.settings(username: "mailer", password: "wrong-pass"))
            #expect(error?.isPermanent == true)
            #expect(error?.reply == 535)
            #expect(error?.message.contains("535 5.7.8") == true)
            #expect(!(error?.message.contains("wrong-pass") ?? true))
            #expect(!server.commands.contains { $0.hasPrefix("MAIL") })
        }
    }

    @Test func serverWithoutAuth_butCredentialsConfigured_isPermanent() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS)
        try await withServer(script) { server in
            let error = await sendError(server.settings(username: "mailer", password: "s3cret"))
            #expect(error?.isPermanent == true)
            #expect(error?.message.contains("does not offer AUTH") == true)
        }
    }

    @Test(arguments: [
        ("MAIL", "451 4.3.0 Try again later", false, 451),
        ("RCPT", "550 5.1.1 No such user", true, 550),
        ("DATA", "554 5.5.1 No valid recipients", true, 554),
        (".", "452 4.3.1 Insufficient system storage", false, 452),
        (".", "552 5.3.4 Message too big", true, 552),
        ("EHLO", "421 4.7.0 Too busy", false, 421),
    ])
    func reply_4xxIsTransient_5xxIsPermanent(verb: String, reply: String, permanent: Bool, code: Int) async throws {
        let script = ScriptedSMTPServer.Script(answers: [verb: .reply(reply)])
        try await withServer(script) { server in
            let error = await sendError(server.settings())
            #expect(error?.isPermanent == permanent)
            #expect(error?.reply == code)
            #expect(error?.message.contains(reply) == true)
        }
    }

    @Test func greeting_thatRefuses_isAnError() async throws {
        let script = ScriptedSMTPServer.Script(greeting: .reply("554 5.7.1 No SMTP service here"))
        try await withServer(script) { server in
            let error = await sendError(server.settings())
            #expect(error?.isPermanent == true)
            #expect(error?.reply == 554)
        }
    }

    @Test func multiLineFinalReply_keepsEveryLine() async throws {
        let script = ScriptedSMTPServer.Script(answers: [".": .reply("250-2.0.0 Ok\r\n250 queued as ABC123")])
        try await withServer(script) { server in
            let receipt = try await client(server.settings()).send(message)
            #expect(receipt.text == "2.0.0 Ok\nqueued as ABC123")
            #expect(receipt.description == "250 2.0.0 Ok queued as ABC123")
        }
    }

    @Test func silentServer_timesOutAsTransient() async throws {
        let script = ScriptedSMTPServer.Script(greeting: .silent)
        try await withServer(script) { server in
            let start = ContinuousClock.now
            let error = await sendError(server.settings(timeoutSeconds: 1))
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("within 1 s") == true)
        }
    }

    @Test func serverSilentAfterTheData_timesOut() async throws {
        let script = ScriptedSMTPServer.Script(answers: [".": .silent])
        try await withServer(script) { server in
            let error = await sendError(server.settings(timeoutSeconds: 1))
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("the message data") == true)
        }
    }

    @Test func serverClosingTheConnection_isTransient() async throws {
        let script = ScriptedSMTPServer.Script(answers: ["RCPT": .close])
        try await withServer(script) { server in
            let error = await sendError(server.settings())
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("closed the connection") == true)
        }
    }

    @Test func untrustedCertificate_failsBeforeAnyCredentialIsSent() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS, users: ["mailer": "s3cret"])
        try await withServer(script) { server in
            var settings = server.settings(username: "mailer", password: "s3cret")
            settings.trustedCertificatesFile = nil
            let error = await sendError(settings)
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("certificate is not trusted") == true, "\(String(describing: error))")
            #expect(!server.commands.contains { $0.hasPrefix("AUTH") })
        }
    }

    @Test func hostName_inTheCertificate_isAccepted() async throws {
        let script = ScriptedSMTPServer.Script(security: .implicitTLS)
        try await withServer(script) { server in
            var settings = server.settings()
            settings.host = "localhost"
            let receipt = try await client(settings).send(message)
            #expect(receipt.code == 250)
        }
    }

    @Test func certificateForAnotherName_isRefused() async throws {
        let script = ScriptedSMTPServer.Script(security: .implicitTLS, certificate: .otherName)
        try await withServer(script) { server in
            let error = await sendError(server.settings())
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("not valid for this host name") == true)
            #expect(server.commands.isEmpty)
        }
    }

    @Test func dataInjectedWithTheStartTLSReply_isRefused() async throws {
        let script = ScriptedSMTPServer.Script(security: .startTLS, injectAfterStartTLS: "250-fake.test\r\n250 AUTH PLAIN\r\n")
        try await withServer(script) { server in
            let error = await sendError(server.settings())
            #expect(error?.isPermanent == false)
            #expect(error?.message.contains("after agreeing to STARTTLS") == true)
            #expect(server.commands == ["EHLO localhost", "STARTTLS"])
        }
    }

    @Test func nonASCIIRecipient_isRefusedBeforeConnecting() async throws {
        try await withServer(.init()) { server in
            var bad = message
            bad.to = [MailAddress("josé@acme.test")]
            do throws(SMTPError) {
                _ = try await client(server.settings()).send(bad)
                Issue.record("expected an error")
            } catch {
                #expect(error.isPermanent)
                #expect(error.message.contains("SMTPUTF8"))
            }
            #expect(server.commands.isEmpty)
        }
    }

    @Test func helloName_withALineBreak_isRefusedBeforeConnecting() async throws {
        try await withServer(.init()) { server in
            var settings = server.settings()
            settings.helloName = "host\r\nRSET"
            let error = await sendError(settings)
            #expect(error?.isPermanent == true)
            #expect(server.commands.isEmpty)
        }
    }

    @Test func nobodyListening_isTransient() async throws {
        let server = try await ScriptedSMTPServer.start(.init())
        let settings = server.settings(timeoutSeconds: 2)
        await server.stop()
        let error = await sendError(settings)
        #expect(error?.isPermanent == false)
        #expect(error?.message.contains("cannot connect") == true)
    }

    @Test func missingCAFile_isPermanent() async throws {
        var settings = try SMTPSettings(url: "smtp://127.0.0.1:1")
        settings.trustedCertificatesFile = "/nonexistent/ca.pem"
        let error = await sendError(settings)
        #expect(error?.isPermanent == true)
        #expect(error?.message.contains("/nonexistent/ca.pem") == true)
    }
}
