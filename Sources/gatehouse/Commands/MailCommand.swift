import ArgumentParser

/// `gatehouse mail …`: checks the mail set-up without going through the outbox.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Check outgoing mail.",
        subcommands: []
    )
}
