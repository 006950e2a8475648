import Foundation
import GatehouseMail
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// An SMTP server in the test process that follows a script, answers what it is told to, and
/// records every line it receives: enough to drive the client through each branch.
final class ScriptedSMTPServer: Sendable {
    /// How the server answers one command.
    enum Answer: Sendable {
        case reply(String)      // one or more lines, joined with CRLF on the wire
        case silent             // never answers this or anything after it
        case close              // closes the connection instead
    }

    enum Security: Sendable {
        case none
        case startTLS
        case implicitTLS
    }

    /// Which certificate the server presents: one for 127.0.0.1 and localhost, or one for
    /// other.test only. Both come from the test CA.
    enum Certificate: Sendable {
        case localhost
        case otherName
    }

    struct Script: Sendable {
        var security: Security = .none
        var certificate: Certificate = .localhost
        var greeting: Answer = .reply("220 fake.test ESMTP ready")
        /// Extension lines for EHLO; AUTH is added from `authMechanisms`.
        var extensions: [String] = ["8BITMIME", "SIZE 10485760"]
        /// Offered in EHLO when `users` is not empty; "AUTH" is announced before STARTTLS
        /// only when `authBeforeTLS` is set.
        var authMechanisms: [String] = ["PLAIN", "LOGIN"]
        var authBeforeTLS = false
        var users: [String: String] = [:]
        /// Replaces the normal answer to a verb ("MAIL", "RCPT", "DATA", "EHLO", "STARTTLS",
        /// "AUTH") or to the end of the message data (".").
        var answers: [String: Answer] = [:]
        /// Sent together with the 220 to STARTTLS, in clear text: an injection attempt.
        var injectAfterStartTLS: String?
    }

    /// One line as received, and whether the connection was encrypted at the time.
    struct Line: Sendable, Equatable {
        var text: String
        var encrypted: Bool
    }

    let port: Int
    private let security: Security
    private let channel: any Channel
    private let recording: Recording

    private init(port: Int, security: Security, channel: any Channel, recording: Recording) {
        self.port = port
        self.security = security
        self.channel = channel
        self.recording = recording
    }

    /// Every line the server received, in order, message data excluded.
    var lines: [Line] { recording.state.withLock { $0.lines } }
    var commands: [String] { lines.map(\.text) }
    /// Each message's data as received (still dot-stuffed, with the final "." line).
    var messages: [[UInt8]] { recording.state.withLock { $0.messages } }

    static func start(_ script: Script) async throws -> ScriptedSMTPServer {
        let recording = Recording()
        let (certificate, key) = script.certificate == .localhost
            ? (TestCertificates.serverPEM, TestCertificates.serverKeyPEM)
            : (TestCertificates.otherNamePEM, TestCertificates.otherNameKeyPEM)
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
        ))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if script.security == .implicitTLS {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try child.pipeline.syncOperations.addHandler(
                        Session(script: script, tls: tls, recording: recording)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedSMTPServer(port: channel.localAddress!.port!, security: script.security, channel: channel, recording: recording)
    }

    func stop() async {
        try? await channel.close()
    }

    /// Settings for this server: smtps:// for implicit TLS, else smtp://; trusting the test CA.
    func settings(username: String? = nil, password: String? = nil, timeoutSeconds: Int = 30) -> SMTPSettings {
        SMTPSettings(
            host: "127.0.0.1",
            port: port,
            username: username,
            password: password,
            security: security == .implicitTLS ? .implicitTLS : .startTLSWhenOffered,
            trustedCertificatesFile: TestCertificates.caFile,
            timeoutSeconds: timeoutSeconds
        )
    }

    final class Recording: Sendable {
        struct State {
            var lines: [Line] = []
            var messages: [[UInt8]] = []
        }
        let state = Mutex(State())
    }

    /// One client connection.
    private final class Session: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private enum Mode {
            case command
            case data([UInt8])
            case loginUser
            case loginPassword(String)
        }

        private let script: Script
        private let tls: NIOSSLContext
        private let recording: Recording
        private var encrypted: Bool
        private var mode = Mode.command
        private var input: [UInt8] = []
        private var silent = false
        private var authenticated = false

        init(script: Script, tls: NIOSSLContext, recording: Recording) {
            self.script = script
            self.tls = tls
            self.recording = recording
            self.encrypted = script.security == .implicitTLS
        }

        func channelActive(context: ChannelHandlerContext) {
            answer(script.greeting, context: context)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            input += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let newline = input.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(input[..<newline])
                input.removeFirst(newline + 1)
                guard !silent else { continue }
                handle(line, context: context)
            }
        }

        private func handle(_ raw: [UInt8], context: ChannelHandlerContext) {
            if case .data(var collected) = mode {
                collected += raw + [UInt8(ascii: "\n")]
                if raw == Array(".\r".utf8) {
                    recording.state.withLock { $0.messages.append(collected) }
                    mode = .command
                    answer(script.answers["."] ?? .reply("250 2.0.0 Ok: queued as FAKE1"), context: context)
                } else {
                    mode = .data(collected)
                }
                return
            }
            let text = String(decoding: raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw[...], as: UTF8.self)
            recording.state.withLock { $0.lines.append(Line(text: text, encrypted: encrypted)) }

            switch mode {
            case .loginUser:
                mode = .loginPassword(decode(text))
                answer(.reply("334 UGFzc3dvcmQ6"), context: context)
                return
            case .loginPassword(let user):
                mode = .command
                answer(check(user: user, password: decode(text)), context: context)
                return
            case .command, .data:
                break
            }

            let verb = String(text.prefix { $0 != " " && $0 != ":" }).uppercased()
            if let override = script.answers[verb] {
                answer(override, context: context)
                return
            }
            switch verb {
            case "EHLO":
                var lines = ["fake.test greets you"] + script.extensions
                if script.security == .startTLS && !encrypted {
                    lines.append("STARTTLS")
                }
                if !script.users.isEmpty && (encrypted || script.authBeforeTLS) {
                    lines.append("AUTH " + script.authMechanisms.joined(separator: " "))
                }
                answer(.reply(multiline(250, lines)), context: context)
            case "STARTTLS":
                var reply = "220 2.0.0 go ahead\r\n"
                if let injected = script.injectAfterStartTLS {
                    reply += injected
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
                try! context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
                encrypted = true
            case "AUTH":
                let words = text.split(separator: " ").map(String.init)
                if words.count >= 2, words[1].uppercased() == "LOGIN" {
                    mode = .loginUser
                    answer(.reply("334 VXNlcm5hbWU6"), context: context)
                } else if words.count == 3, words[1].uppercased() == "PLAIN" {
                    let parts = decode(words[2]).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
                    answer(parts.count == 3 ? check(user: parts[1], password: parts[2]) : .reply("501 5.5.2 bad PLAIN"), context: context)
                } else {
                    answer(.reply("504 5.5.4 mechanism not supported"), context: context)
                }
            case "MAIL", "RCPT":
                answer(.reply("250 2.1.0 Ok"), context: context)
            case "DATA":
                mode = .data([])
                answer(.reply("354 End data with <CR><LF>.<CR><LF>"), context: context)
            case "QUIT":
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "221 2.0.0 Bye\r\n")))
                    .assumeIsolated()
                    .whenComplete { _ in context.close(promise: nil) }
            default:
                answer(.reply("502 5.5.2 command not recognized"), context: context)
            }
        }

        private func check(user: String, password: String) -> Answer {
            guard script.users[user] == password else {
                return .reply("535 5.7.8 Authentication credentials invalid")
            }
            authenticated = true
            return .reply("235 2.7.0 Authentication successful")
        }

        private func decode(_ base64: String) -> String {
            Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }

        private func multiline(_ code: Int, _ lines: [String]) -> String {
            lines.enumerated().map { index, line in
                "\(code)\(index == lines.count - 1 ? " " : "-")\(line)"
            }.joined(separator: "\r\n")
        }

        private func answer(_ answer: Answer, context: ChannelHandlerContext) {
            switch answer {
            case .reply(let text):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text + "\r\n")), promise: nil)
            case .silent:
                silent = true
            case .close:
                context.close(promise: nil)
            }
        }
    }
}
