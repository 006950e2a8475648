import ArgumentParser

/// `gatehouse`: the server and its administration commands.
@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "The sign-in and identity service of the contact-center platform.",
        subcommands: [Serve.self, Migrate.self, TenantCommand.self, UserCommand.self, TokenCommand.self, MailCommand.self],
        defaultSubcommand: nil
    )
}
