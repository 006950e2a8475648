@testable import GatehouseMail
import Testing

@Suite struct SMTPReplyParserTests {
    @Test func multiLineReply_isOneReplyWithEveryLine() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.consume("250-mail.acme.test hello") == nil)
        #expect(try parser.consume("250-STARTTLS") == nil)
        #expect(!parser.isIdle)
        let reply = try parser.consume("250 AUTH PLAIN LOGIN")
        #expect(reply == SMTPReply(code: 250, lines: ["mail.acme.test hello", "STARTTLS", "AUTH PLAIN LOGIN"]))
        #expect(parser.isIdle)
    }

    @Test func bareCode_isAReplyWithEmptyText() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.consume("354") == SMTPReply(code: 354, lines: [""]))
    }

    @Test(arguments: ["", "25", "abc hello", "250x", "699 nope", "099 nope"])
    func malformedLine_isRefused(line: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Malformed.self) { try parser.consume(line) }
    }

    @Test func continuationWithAnotherCode_isRefused() throws {
        var parser = SMTPReplyParser()
        _ = try parser.consume("250-first")
        #expect(throws: SMTPReplyParser.Malformed.self) { try parser.consume("251 second") }
    }

    @Test func capabilities_readKeywordsCaseInsensitivelyAndOldAuthForm() {
        let reply = SMTPReply(code: 250, lines: ["mx greets you", "starttls", "AUTH=LOGIN", "auth plain cram-md5", "SIZE 1000"])
        let capabilities = SMTPCapabilities(ehlo: reply)
        #expect(capabilities.startTLS)
        #expect(capabilities.authenticationMechanisms == ["LOGIN", "PLAIN", "CRAM-MD5"])
    }

    @Test(arguments: [
        (["PLAIN", "LOGIN"], SMTPAuthenticationMechanism.plain),
        (["LOGIN", "CRAM-MD5"], .login),
        (["PLAIN"], .plain),
        (["CRAM-MD5"], nil),
        ([], nil),
    ] as [([String], SMTPAuthenticationMechanism?)])
    func mechanism_prefersPlainThenLogin(offered: [String], expected: SMTPAuthenticationMechanism?) {
        #expect(SMTPAuthenticationMechanism.preferred(among: Set(offered)) == expected)
    }

    @Test func plainResponse_isNulSeparatedBase64() {
        #expect(SMTPAuthenticationMechanism.plainResponse(username: "user", password: "pass") == "AHVzZXIAcGFzcw==")
    }
}
