import NIOCore
import NIOPosix
import NIOSSL

/// One TCP (or TLS) connection to the server, used by one conversation.
struct SMTPConnection: Sendable {
    private let channel: any Channel
    private let greeting: EventLoopFuture<SMTPReply>
    private let failures: SMTPConnectionFailure

    /// Connects; with `implicitTLS`, TLS starts before the first byte.
    static func open(
        settings: SMTPSettings,
        implicitTLS: SMTPTLSUpgrade?,
        group: any EventLoopGroup
    ) async throws(SMTPError) -> SMTPConnection {
        let eventLoop = group.next()
        let greeting = eventLoop.makePromise(of: SMTPReply.self)
        // Zero or less would fail every step at once; one second is the shortest that can work.
        let timeoutSeconds = max(1, settings.timeoutSeconds)
        let server = settings.serverName
        let failures = SMTPConnectionFailure()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(Int64(timeoutSeconds)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(implicitTLS.makeHandler())
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPClientHandler(greeting: greeting, timeoutSeconds: timeoutSeconds, server: server, failures: failures)
                    )
                }
            }
        do {
            let channel = try await bootstrap.connect(host: settings.host, port: settings.port).get()
            return SMTPConnection(channel: channel, greeting: greeting.futureResult, failures: failures)
        } catch {
            let failure = SMTPError.transient("cannot connect to \(server): \(Self.describe(connectionError: error))")
            greeting.fail(failure)
            throw failure
        }
    }

    /// The server's greeting, which opens the conversation.
    func greetingReply() async throws(SMTPError) -> SMTPReply {
        try await Self.reply(from: greeting)
    }

    /// Sends one command line and waits for its reply. `step` names the command in errors
    /// and logs instead of the line, which may carry credentials.
    func command(_ line: String, step: String, startTLS: SMTPTLSUpgrade? = nil) async throws(SMTPError) -> SMTPReply {
        var bytes = channel.allocator.buffer(capacity: line.utf8.count + 2)
        bytes.writeString(line)
        bytes.writeString("\r\n")
        return try await send(bytes, step: step, startTLS: startTLS)
    }

    /// Sends the (dot-stuffed, terminated) message data and waits for the server's verdict.
    func data(_ payload: [UInt8]) async throws(SMTPError) -> SMTPReply {
        try await send(channel.allocator.buffer(bytes: payload), step: "the message data", startTLS: nil)
    }

    /// Says goodbye if the connection still works, then closes it; never fails, since the
    /// outcome of the delivery is already known.
    func quit() async {
        _ = try? await command("QUIT", step: "QUIT")
        try? await channel.close()
    }

    private func send(_ bytes: ByteBuffer, step: String, startTLS: SMTPTLSUpgrade?) async throws(SMTPError) -> SMTPReply {
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        let request = SMTPRequest(bytes: bytes, step: step, startTLS: startTLS, reply: reply)
        // A write on a connection that is already gone never reaches the handler; fail the
        // reply here then (a no-op when the handler already settled it), with what closed the
        // connection when the handler saw it (a TLS failure says more than "closed").
        channel.writeAndFlush(request).whenFailure { [failures] error in
            reply.fail(failures.error ?? SMTPError.transient("cannot send \(step): the connection is closed (\(error))"))
        }
        return try await Self.reply(from: reply.futureResult)
    }

    private static func reply(from future: EventLoopFuture<SMTPReply>) async throws(SMTPError) -> SMTPReply {
        do {
            return try await future.get()
        } catch let error as SMTPError {
            throw error
        } catch {
            throw .transient("network error: \(error)")
        }
    }

    /// NIO's connection errors list every address tried; the first cause is what helps.
    private static func describe(connectionError error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve the host name (\(dns))"
            }
            if let first = error.connectionErrors.first {
                return "\(first.error)"
            }
        }
        if case ChannelError.connectTimeout = error {
            return "connection timed out"
        }
        return "\(error)"
    }
}
