public import Foundation
public import GatehouseCore
import SQLKit

/// A tenant's apps in `apps`; `roles` holds a JSON array of role names.
public struct SQLAppRepository: AppRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ app: App, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.insert(into: "apps")
                .columns("id", "tenant_id", "name", "url", "icon", "roles", "position", "created_at", "updated_at")
                .values(SQLBind(app.id.stored), SQLBind(app.tenantID.description), SQLBind(app.name), SQLBind(app.url), SQLBind(app.icon),
                        SQLBind(try Self.storedRoles(app.roles)), SQLBind(app.position), SQLBind(app.createdAt.stored),
                        SQLBind(app.updatedAt.stored))
                .run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func list(tenant: TenantID) async throws -> [App] {
        let apps = try await database.read { db in
            try await db.raw("SELECT * FROM apps WHERE tenant_id = \(bind: tenant.description)").all().map(Self.app(from:))
        }
        // Sorted here, so names compare the same way on both databases.
        return apps.sorted(by: App.displayOrder)
    }

    public func find(tenant: TenantID, id: UUID) async throws -> App? {
        try await database.read { db in
            try await db.raw("SELECT * FROM apps WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored)").first()
                .map(Self.app(from:))
        }
    }

    public func update(_ app: App, audit: AuditEvent) async throws -> Bool {
        let roles = try Self.storedRoles(app.roles)
        return try await database.write { db in
            guard try await db.raw("""
                UPDATE apps SET name = \(bind: app.name), url = \(bind: app.url), icon = \(bind: app.icon), roles = \(bind: roles),
                position = \(bind: app.position), updated_at = \(bind: app.updatedAt.stored)
                WHERE tenant_id = \(bind: app.tenantID.description) AND id = \(bind: app.id.stored) RETURNING id
                """).first() != nil else { return false }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    public func delete(tenant: TenantID, id: UUID, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            guard try await db.raw("""
                DELETE FROM apps WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored) RETURNING id
                """).first() != nil else { return false }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    /// Roles as stored: a JSON array in their fixed order, e.g. `["supervisor","agent"]`.
    static func storedRoles(_ roles: Set<Role>) throws -> String {
        String(decoding: try JSONEncoder().encode(roles.sorted().map(\.rawValue)), as: UTF8.self)
    }

    static func app(from row: any SQLRow) throws -> App {
        let rolesText = try row.string("roles")
        guard let names = try? JSONDecoder().decode([String].self, from: Data(rolesText.utf8)), let roles = try? Role.parseSet(names) else {
            throw CorruptRow(description: "roles '\(rolesText)' is not a JSON array of roles")
        }
        return App(id: try row.uuid("id"),
                   tenantID: try row.parsed("tenant_id") { text throws(InvalidValue) in
                       guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                       return id
                   },
                   name: try row.string("name"), url: try row.string("url"), icon: try row.optionalString("icon"), roles: roles,
                   position: try row.decode(column: "position", as: Int.self),
                   createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"))
    }
}
