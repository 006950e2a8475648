import ArgumentParser
import GatehouseCore
import GatehouseStorage

/// `gatehouse tenant create|list`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Create and list tenants.",
                                                    subcommands: [Create.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Short name used in URLs, e.g. acme.") var slug: String
        @Option(help: "The name people see, e.g. \"Acme Contact Center\".") var name: String
        @Option(help: "Region code (default: the configured region, GATEHOUSE_REGION or region in --config; else na).") var region: String?
        @Option(name: .customLong("presence-reasons"),
                help: "Comma-separated reasons of a default Presence Reason list named \"Default\", e.g. \"Break,Lunch,Meeting\". Agents cannot sign in until their tenant has a default list or they have one assigned.")
        var presenceReasons: String?

        func run() async throws {
            let reasons = presenceReasons.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
            let listDraft: PresenceReasonListDraft?
            do {
                listDraft = try reasons.map { names in
                    try PresenceReasonListDraft(name: "Default", isDefault: true, reasons: names.map { PresenceReasonInput(name: $0) }, complete: true)
                }
            } catch let error as FieldErrors {
                let problems = error.messages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
                throw CommandFailure("--presence-reasons: \(problems) (give 1 to 50 different names, separated by commas)")
            }
            // Without --region, the tenant lives in the region this installation serves (--config, GATEHOUSE_REGION).
            let serverRegion = try await ConfigurationLoader(storage: storage).serverConfiguration().region
            let tenant = try await storage.withDatabase { database in
                let draft = try TenantDraft(slug: slug, displayName: name, region: region, defaultRegion: serverRegion)
                let clock = SystemWallClock()
                let tenant = Tenant(slug: draft.slug, displayName: draft.displayName, region: draft.region, createdAt: clock.now())
                try await SQLTenantRepository(database: database).create(tenant, audit: AuditEvent(
                    at: tenant.createdAt, tenant: tenant.id, actor: .commandLine, action: .tenantCreate,
                    target: .tenant(tenant.id), outcome: .success, detail: ["slug": tenant.slug.rawValue]))
                if let listDraft {
                    _ = try await PresenceReasonListService(lists: SQLPresenceReasonListRepository(database: database), clock: clock)
                        .create(in: tenant.id, listDraft, context: ActorContext(actor: .commandLine, clientIP: nil))
                }
                return tenant
            }
            print("created tenant \(tenant.slug) \(tenant.id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let tenants = try await storage.withDatabase { try await SQLTenantRepository(database: $0).list() }
            for tenant in tenants { print("\(tenant.slug)\t\(tenant.region)\t\(tenant.id)\t\(tenant.displayName)") }
        }
    }
}
