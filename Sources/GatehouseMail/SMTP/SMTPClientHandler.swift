import NIOCore
import NIOSSL
import Synchronization

/// The first thing that went wrong on a connection, shared by its handler (which sees it) and
/// the connection (whose writes may fail later, on a channel that is already closed, with a
/// less telling error).
final class SMTPConnectionFailure: Sendable {
    private let first = Mutex<SMTPError?>(nil)

    /// Keeps `error` unless an earlier one is known; returns the one kept.
    @discardableResult
    func record(_ error: SMTPError) -> SMTPError {
        first.withLock { first in
            if first == nil { first = error }
            return first!
        }
    }

    var error: SMTPError? { first.withLock { $0 } }
}

/// One command for the server and the promise of its reply.
struct SMTPRequest: Sendable {
    /// The bytes to send: a command line with its CRLF, or the whole message data.
    var bytes: ByteBuffer
    /// What the command is called in errors. Never the bytes: they may hold credentials.
    var step: String
    /// For STARTTLS: the TLS to put in front of the connection once the server agrees.
    var startTLS: SMTPTLSUpgrade?
    var reply: EventLoopPromise<SMTPReply>
}

/// How to start TLS on the connection.
struct SMTPTLSUpgrade: Sendable {
    var context: NIOSSLContext
    /// The name to send as SNI and to check the certificate against; `nil` for an IP
    /// address, which NIOSSL then checks against the certificate's IP address entries.
    var serverHostname: String?

    func makeHandler() throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
    }
}

/// Runs the SMTP conversation's lock-step on the event loop: one command out, one reply in,
/// each within the timeout.
///
/// It starts out waiting for the server's greeting. A reply that nobody asked for, a
/// malformed line, a timeout, a TLS failure or a closed connection fails the outstanding
/// command and every later one, and closes the connection: the conversation never goes on
/// out of step with the server.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private struct Outstanding {
        var step: String
        var startTLS: SMTPTLSUpgrade?
        var reply: EventLoopPromise<SMTPReply>
        var timer: Scheduled<Void>?
    }

    private let timeout: TimeAmount
    private let timeoutSeconds: Int
    private let server: String
    private var outstanding: Outstanding?
    private let failures: SMTPConnectionFailure
    private var failure: SMTPError? { failures.error }
    private var input = ByteBuffer()
    private var parser = SMTPReplyParser()

    init(greeting: EventLoopPromise<SMTPReply>, timeoutSeconds: Int, server: String, failures: SMTPConnectionFailure) {
        self.failures = failures
        self.timeoutSeconds = timeoutSeconds
        self.timeout = .seconds(Int64(timeoutSeconds))
        self.server = server
        self.outstanding = Outstanding(step: Self.greetingStep, startTLS: nil, reply: greeting, timer: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            startTimer(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.transient("the connection to \(server) was closed\(waitingFor)"), context: nil)
    }

    func channelActive(context: ChannelHandlerContext) {
        startTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.transient("\(server) closed the connection\(waitingFor)"), context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
            // A certificate the configured roots do not vouch for, or a name mismatch. Kept
            // transient: it is usually fixed on the server (a renewed certificate) or in our
            // settings, and the outbox should not drop mail meanwhile.
            fail(.transient("TLS with \(server) failed\(waitingFor): \(Self.explain(tlsError: error))"), context: context)
        } else {
            fail(.transient("network error with \(server)\(waitingFor): \(error)"), context: context)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        if let previous = outstanding {
            let error = SMTPError.transient("internal error: \(request.step) was sent before the reply to \(previous.step)")
            request.reply.fail(error)
            promise?.fail(error)
            return
        }
        outstanding = Outstanding(step: request.step, startTLS: request.startTLS, reply: request.reply, timer: nil)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
        startTimer(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard failure == nil else { return }
        var chunk = unwrapInboundIn(data)
        input.writeBuffer(&chunk)
        do {
            while let line = try nextLine() {
                if let reply = try parser.consume(line) {
                    try deliver(reply, context: context)
                }
            }
            input.discardReadBytes()
        } catch let error as SMTPError {
            fail(error, context: context)
        } catch let error as SMTPReplyParser.Malformed {
            fail(.transient("\(server) sent a malformed reply\(waitingFor): \(error.line.debugDescription)"), context: context)
        } catch {
            fail(.transient("TLS with \(server) could not be started: \(error)"), context: context)
        }
    }

    /// The next complete line without its CR LF, if one has arrived.
    private func nextLine() throws(SMTPError) -> String? {
        guard let newline = input.readableBytesView.firstIndex(of: .lf) else {
            if input.readableBytes > SMTPReplyParser.maximumLineLength {
                throw .transient("\(server) sent a reply line longer than \(SMTPReplyParser.maximumLineLength) bytes")
            }
            return nil
        }
        let length = newline - input.readerIndex
        var bytes = input.readBytes(length: length) ?? []
        input.moveReaderIndex(forwardBy: 1)
        if bytes.last == .cr { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func deliver(_ reply: SMTPReply, context: ChannelHandlerContext) throws {
        guard let current = outstanding else {
            if reply.code == 421 {
                throw SMTPError.rejected(reply, step: "the conversation", server: server)
            }
            throw SMTPError.transient("\(server) sent a reply when none was due: \(reply)")
        }
        if let startTLS = current.startTLS, reply.code == 220 {
            // Whatever arrived with the 220 came before encryption: accepting it as if it were
            // protected is the STARTTLS command-injection flaw (CVE-2011-0411 and kin).
            guard input.readableBytes == 0, parser.isIdle else {
                throw SMTPError.transient("\(server) sent more data right after agreeing to STARTTLS; not trusting the connection")
            }
            try context.pipeline.syncOperations.addHandler(startTLS.makeHandler(), position: .first)
        }
        outstanding = nil
        current.timer?.cancel()
        current.reply.succeed(reply)
    }

    private func startTimer(context: ChannelHandlerContext) {
        guard var current = outstanding, current.timer == nil else { return }
        current.timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.fail(
                .transient("no answer from \(self.server) within \(self.timeoutSeconds) s\(self.waitingFor)"),
                context: context
            )
        }
        outstanding = current
    }

    /// NIOSSL's errors, with what an operator can do about the two common ones.
    private static func explain(tlsError error: any Error) -> String {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "the server's certificate is not valid for this host name (\(error))"
        }
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the server's certificate is not trusted; if it comes from a private CA, "
                + "configure that CA's PEM file as the trusted certificates (\(text))"
        }
        return text
    }

    /// The step the conversation is at, for error messages: " (waiting for the reply to EHLO)".
    private var waitingFor: String {
        guard let step = outstanding?.step else { return "" }
        return step == Self.greetingStep ? " (waiting for its greeting)" : " (waiting for the reply to \(step))"
    }

    static let greetingStep = "the greeting"

    /// Fails the outstanding command and all later ones with the first error seen, and
    /// closes the connection (`context` is nil when it is already going away).
    private func fail(_ error: SMTPError, context: ChannelHandlerContext?) {
        let first = failures.record(error)
        if let current = outstanding {
            outstanding = nil
            current.timer?.cancel()
            current.reply.fail(first)
        }
        context?.close(promise: nil)
    }
}
