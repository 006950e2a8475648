import ArgumentParser
import Foundation
import GatehouseMail
import Logging

/// `gatehouse mail …`: checks the mail set-up without going through the outbox.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Check outgoing mail.",
        subcommands: [SendTest.self]
    )

    /// `gatehouse mail send-test`: one message straight through an SMTP server, so an operator
    /// can check the SMTP URL, trust and credentials before the outbox depends on them.
    struct SendTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send-test",
            abstract: "Send one message through an SMTP server and print the server's reply.",
            discussion: """
                Prints "sent: <reply>" and exits 0 when the server accepted the message. Otherwise prints \
                why on stderr and exits 1 when trying again later may work (4xx replies, network \
                trouble, timeouts) or 2 when it cannot (5xx replies, bad settings or addresses).
                """
        )

        @Option(name: .customLong("smtp-url"),
                help: "smtp://[user:password@]host[:port] (STARTTLS when offered, port 25) or smtps://… (TLS from the start, port 465); percent-encode special characters in the password.")
        var smtpURL: String

        @Option(name: .customLong("smtp-ca-file"), help: "A PEM file of CA certificates to trust instead of the system's.")
        var smtpCAFile: String?

        @Option(help: "The sender's address.")
        var from: String

        @Option(help: "A recipient's address; repeat for several.")
        var to: [String]

        @Option(help: "The subject.")
        var subject = "Gatehouse test message"

        @Option(help: "The plain-text body (newlines are kept).")
        var text: String?

        @Option(name: .customLong("text-file"), help: "Read the plain-text body from this UTF-8 file.")
        var textFile: String?

        @Option(help: "An HTML body, sent as the alternative to the text.")
        var html: String?

        @Option(name: .customLong("html-file"), help: "Read the HTML body from this UTF-8 file.")
        var htmlFile: String?

        @Option(help: "Seconds to wait for the connection and for each reply.")
        var timeout = 30

        @Flag(help: "Log the SMTP conversation on stderr (commands and replies, never credentials).")
        var verbose = false

        func validate() throws {
            guard text == nil || textFile == nil else { throw ValidationError("Give --text or --text-file, not both.") }
            guard html == nil || htmlFile == nil else { throw ValidationError("Give --html or --html-file, not both.") }
            guard !to.isEmpty else { throw ValidationError("Give at least one --to.") }
            guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
        }

        func run() async throws {
            var settings: SMTPSettings
            do {
                settings = try SMTPSettings(url: smtpURL, trustedCertificatesFile: smtpCAFile)
            } catch {
                throw Self.failure("--smtp-url: \(error.message)", permanent: true)
            }
            settings.timeoutSeconds = timeout

            let message = MailMessage(
                from: MailAddress(from),
                to: to.map { MailAddress($0) },
                subject: subject,
                text: try Self.body(text, file: textFile, option: "--text-file")
                    ?? "This is a test message from Gatehouse (gatehouse mail send-test).\n",
                html: try Self.body(html, file: htmlFile, option: "--html-file"),
                messageID: "<\(UUID().uuidString.lowercased())@\(from.split(separator: "@").last ?? "gatehouse.invalid")>",
                date: Date(),
                // Tells auto-responders not to answer (RFC 3834), as the outbox's mail will.
                headers: [("Auto-Submitted", "auto-generated")]
            )

            var logger = Logger(label: "gatehouse.mail") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = verbose ? .trace : .warning
            do {
                let receipt = try await SMTPClient(settings: settings, logger: logger).send(message)
                print("sent: \(receipt)")
            } catch {
                throw Self.failure(error.message, permanent: error.isPermanent)
            }
        }

        private static func body(_ inline: String?, file: String?, option: String) throws -> String? {
            guard let file else { return inline }
            do {
                return try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw failure("\(option): cannot read \(file) as UTF-8 text", permanent: true)
            }
        }

        /// Prints `message` on stderr and ends with the exit status that says whether retrying can help.
        private static func failure(_ message: String, permanent: Bool) -> ExitCode {
            FileHandle.standardError.write(Data("not sent: \(message)\n".utf8))
            return ExitCode(permanent ? 2 : 1)
        }
    }
}
