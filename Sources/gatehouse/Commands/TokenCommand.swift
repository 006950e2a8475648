import ArgumentParser
import GatehouseCore
import GatehouseStorage

/// `gatehouse token create`: an API token for scripts and tests, printed once.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Create API tokens.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token acting as a user; prints the token (only its hash is stored).")
        @OptionGroup var storage: StorageOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "The user's email.") var user: String
        @Option(help: "A name to recognise the token by.") var name: String = "cli"

        func run() async throws {
            let secret = try await storage.withDatabase { database in
                let tenant = try await StorageOptions.tenant(tenant, in: database)
                let email: EmailAddress
                do { email = try EmailAddress(user) } catch let error as InvalidValue { throw CommandFailure("--user \(error.message)") }
                guard let member = try await SQLMemberRepository(database: database).find(tenant: tenant.id, email: email) else {
                    throw CommandFailure("There is no user \(user) in tenant \(tenant.slug).")
                }
                let service = APITokenService(tokens: SQLAPITokenRepository(database: database), clock: SystemWallClock(),
                                              random: SystemRandomSource())
                return try await service.issue(for: member, in: tenant, name: name, actor: .commandLine).secret
            }
            print(secret)
        }
    }
}
