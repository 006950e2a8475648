import Foundation
import GatehouseCore
import GatehouseStorage
import GatehouseTesting

/// Small builders shared by the storage tests.
enum Fixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func tenant(_ slug: String) throws -> Tenant {
        Tenant(slug: try TenantSlug(slug), displayName: slug.capitalized, region: .northAmerica, createdAt: now)
    }

    static func member(_ email: String, in tenant: Tenant, agentID: String? = nil, roles: [String] = ["agent"],
                       first: String = "Ana", last: String = "Diaz") throws -> Member {
        Member.new(try MemberDraft(NewMemberInput(email: email, firstName: first, lastName: last, agentID: agentID, roles: roles)),
                   in: tenant.id, at: now)
    }

    static func audit(_ action: AuditAction, tenant: Tenant? = nil) -> AuditEvent {
        AuditEvent(at: now, tenant: tenant?.id, actor: .commandLine, action: action, outcome: .success)
    }

    /// A migrated database with one tenant in it.
    static func withTenant<T: Sendable>(_ kind: DatabaseKind, slug: String = "acme",
                                        _ body: (Database, Tenant) async throws -> T) async throws -> T {
        try await TestDatabases.withDatabase(kind) { database in
            let tenant = try tenant(slug)
            try await SQLTenantRepository(database: database).create(tenant, audit: audit(.tenantCreate, tenant: tenant))
            return try await body(database, tenant)
        }
    }
}
