import Foundation
public import GatehouseCore
import SQLKit

/// Tenants in the `tenants` table.
public struct SQLTenantRepository: TenantRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ tenant: Tenant, audit: AuditEvent) async throws {
        do {
            try await database.write { db in
                try await Self.insert(tenant, into: db)
                try await SQLAuditRepository.insert(audit, into: db)
            }
        } catch { throw mapUniqueViolation(error) }
    }

    public func find(slug: TenantSlug) async throws -> Tenant? {
        try await database.read { db in
            try await db.select().column("*").from("tenants").where("slug", .equal, slug.rawValue).first().map(Self.tenant(from:))
        }
    }

    public func find(id: TenantID) async throws -> Tenant? {
        try await database.read { db in
            try await db.select().column("*").from("tenants").where("id", .equal, id.description).first().map(Self.tenant(from:))
        }
    }

    public func list() async throws -> [Tenant] {
        try await database.read { db in
            try await db.select().column("*").from("tenants").orderBy("slug").all().map(Self.tenant(from:))
        }
    }

    public func updateSettings(_ tenant: TenantID, to settings: SettingsDocument, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.update("tenants").set("settings", to: settings.jsonText()).where("id", .equal, tenant.description).run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func isEmpty() async throws -> Bool {
        try await database.read { db in
            try await db.select().column("id").from("tenants").limit(1).first() == nil
        }
    }

    static func insert(_ tenant: Tenant, into db: any SQLDatabase) async throws {
        try await db.insert(into: "tenants")
            .columns("id", "slug", "display_name", "region", "settings", "created_at")
            .values(SQLBind(tenant.id.description), SQLBind(tenant.slug.rawValue), SQLBind(tenant.displayName),
                    SQLBind(tenant.region.rawValue), SQLBind(tenant.settings.jsonText()), SQLBind(tenant.createdAt.stored))
            .run()
    }

    static func tenant(from row: any SQLRow) throws -> Tenant {
        let id = try row.string("id")
        guard let tenantID = TenantID(string: id) else { throw CorruptRow(description: "tenant id '\(id)'") }
        return Tenant(id: tenantID,
                      slug: try row.parsed("slug", TenantSlug.init),
                      displayName: try row.string("display_name"),
                      region: try row.parsed("region", RegionCode.init),
                      settings: try SettingsDocument(jsonText: try row.string("settings")),
                      createdAt: try row.instant("created_at"))
    }
}
