import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStorage

/// `gatehouse user create|list`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Create and list a tenant's users.",
                                                    subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user in a tenant.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Email address, which is also the username.") var email: String
        @Option(name: .customLong("first-name")) var firstName: String
        @Option(name: .customLong("last-name")) var lastName: String
        @Option(name: .customLong("agent-id"), help: "Numeric agent ID, unique in the tenant.") var agentID: String?
        @Option(help: "Phone number.") var phone: String?
        @Option(help: "Preferred language, e.g. en or fr-CA (default en).") var language: String?
        @Option(name: .customLong("role"), help: "administrator, supervisor, manager or agent; repeat for several.") var roles: [String] = []
        @Flag(name: .customLong("password-stdin"), help: "Read the user's password from standard input.") var passwordFromStdin = false

        func run() async throws {
            let password = passwordFromStdin ? Self.readPassword() : nil
            let input = NewMemberInput(email: email, firstName: firstName, lastName: lastName, phone: phone, agentID: agentID,
                                       roles: roles, language: language)
            let draft = try MemberDraft(input)
            let member = try await storage.withDatabase { database in
                let tenant = try await StorageOptions.tenant(tenant, in: database)
                var hash: PasswordHash?
                if let password {
                    let policy = TenantSettings(document: tenant.settings).password
                    let violations = policy.violations(of: password, for: .init(firstName: draft.firstName, lastName: draft.lastName,
                                                                                username: draft.email.value))
                    guard violations.isEmpty else {
                        throw CommandFailure("The password does not meet the tenant's rules:\n" + violations.map { "  - \($0.message)" }.joined(separator: "\n"))
                    }
                    hash = try Argon2idHasher().hash(password)
                }
                let directory = MemberDirectory(members: SQLMemberRepository(database: database), clock: SystemWallClock())
                return try await directory.create(in: tenant.id, input, password: hash,
                                                  context: .init(actor: .commandLine, clientIP: nil))
            }
            print("created user \(member.user.email) \(member.user.id)")
        }

        /// Standard input up to its end, without the trailing newline `echo` adds.
        static func readPassword() -> String {
            var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's users.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "The tenant's slug.") var tenant: String
        @Option(help: "Search text.") var query: String?

        func run() async throws {
            let members = try await storage.withDatabase { database in
                let tenant = try await StorageOptions.tenant(tenant, in: database)
                var all: [Member] = []
                var cursor: String?
                repeat {
                    let page = try await SQLMemberRepository(database: database)
                        .list(tenant: tenant.id, query: MemberQuery(search: query, limit: MemberQuery.maxLimit, after: cursor))
                    all += page.members
                    cursor = page.nextCursor
                } while cursor != nil
                return all
            }
            for member in members {
                let roles = member.membership.sortedRoles.map(\.rawValue).joined(separator: ",")
                print("\(member.user.email)\t\(member.membership.agentID?.value ?? "-")\t\(roles)\t\(member.membership.status.rawValue)\t\(member.user.id)")
            }
        }
    }
}
