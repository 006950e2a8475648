public import Foundation
public import GatehouseCore
import SQLKit

/// Presence Reason lists in `presence_reason_lists`, their reasons in `presence_reasons` (by
/// `position`), and their assignment in `memberships.presence_reason_list_id`.
public struct SQLPresenceReasonListRepository: PresenceReasonListRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ list: PresenceReasonList, audit: AuditEvent) async throws {
        do {
            try await database.write { db in
                try await lockTenant(list.tenantID, db)
                if list.isDefault { try await Self.clearDefault(tenant: list.tenantID, except: list.id, db) }
                try await db.insert(into: "presence_reason_lists")
                    .columns("id", "tenant_id", "name", "name_key", "is_default", "created_at", "updated_at")
                    .values(SQLBind(list.id.stored), SQLBind(list.tenantID.description), SQLBind(list.name),
                            SQLBind(PresenceReasonList.nameKey(list.name)), SQLBind(list.isDefault ? 1 : 0), SQLBind(list.createdAt.stored),
                            SQLBind(list.updatedAt.stored))
                    .run()
                try await Self.insertReasons(of: list, db)
                try await SQLAuditRepository.insert(audit, into: db)
            }
        } catch { throw mapUniqueViolation(error) }
    }

    public func list(tenant: TenantID) async throws -> [PresenceReasonList] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT * FROM presence_reason_lists WHERE tenant_id = \(bind: tenant.description) ORDER BY name_key, id
                """).all()
            let reasons = try await db.raw("""
                SELECT r.* FROM presence_reasons r JOIN presence_reason_lists l ON l.id = r.list_id
                WHERE l.tenant_id = \(bind: tenant.description) ORDER BY r.list_id, r.position
                """).all()
            var byList: [String: [PresenceReason]] = [:]
            for row in reasons { byList[try row.string("list_id"), default: []].append(try Self.reason(from: row)) }
            return try rows.map { try Self.list(from: $0, reasons: byList[try $0.string("id")] ?? []) }
        }
    }

    public func find(tenant: TenantID, id: UUID) async throws -> PresenceReasonList? {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT * FROM presence_reason_lists WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored)
                """).first() else { return nil }
            return try await Self.withReasons(row, db)
        }
    }

    public func effective(tenant: TenantID, assigned: UUID?) async throws -> PresenceReasonList? {
        try await database.read { db in
            // The assigned list first, else the default; `id = NULL` matches nothing.
            guard let row = try await db.raw("""
                SELECT * FROM presence_reason_lists
                WHERE tenant_id = \(bind: tenant.description) AND (id = \(bind: assigned?.stored) OR is_default = 1)
                ORDER BY CASE WHEN id = \(bind: assigned?.stored) THEN 0 ELSE 1 END LIMIT 1
                """).first() else { return nil }
            return try await Self.withReasons(row, db)
        }
    }

    public func memberCounts(tenant: TenantID) async throws -> [UUID: Int] {
        try await database.read { db in
            let rows = try await db.raw("""
                SELECT presence_reason_list_id, COUNT(*) AS members FROM memberships
                WHERE tenant_id = \(bind: tenant.description) AND presence_reason_list_id IS NOT NULL
                GROUP BY presence_reason_list_id
                """).all()
            var counts: [UUID: Int] = [:]
            for row in rows { counts[try row.uuid("presence_reason_list_id")] = try row.decode(column: "members", as: Int.self) }
            return counts
        }
    }

    public func update(_ list: PresenceReasonList, audit: AuditEvent) async throws -> Bool {
        do {
            return try await database.write { db in
                try await lockTenant(list.tenantID, db)
                if list.isDefault { try await Self.clearDefault(tenant: list.tenantID, except: list.id, db) }
                guard try await db.raw("""
                    UPDATE presence_reason_lists SET name = \(bind: list.name), name_key = \(bind: PresenceReasonList.nameKey(list.name)),
                    is_default = \(bind: list.isDefault ? 1 : 0), updated_at = \(bind: list.updatedAt.stored)
                    WHERE tenant_id = \(bind: list.tenantID.description) AND id = \(bind: list.id.stored) RETURNING id
                    """).first() != nil else { return false }
                try await db.raw("DELETE FROM presence_reasons WHERE list_id = \(bind: list.id.stored)").run()
                try await Self.insertReasons(of: list, db)
                try await SQLAuditRepository.insert(audit, into: db)
                return true
            }
        } catch { throw mapUniqueViolation(error) }
    }

    public func delete(tenant: TenantID, id: UUID, replacement: UUID?, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            try await lockTenant(tenant, db)
            guard let row = try await db.raw("""
                SELECT is_default FROM presence_reason_lists WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored)
                """).first() else { return false }
            let wasDefault = try row.decode(column: "is_default", as: Int.self) != 0
            let members = try await db.raw("""
                SELECT COUNT(*) AS members FROM memberships
                WHERE tenant_id = \(bind: tenant.description) AND presence_reason_list_id = \(bind: id.stored)
                """).first()?.decode(column: "members", as: Int.self) ?? 0
            guard let replacement else {
                if members > 0 || wasDefault { throw PresenceError.listInUse(members: members, isDefault: wasDefault) }
                try await db.raw("DELETE FROM presence_reason_lists WHERE id = \(bind: id.stored)").run()
                try await SQLAuditRepository.insert(audit, into: db)
                return true
            }
            try await db.raw("""
                UPDATE memberships SET presence_reason_list_id = \(bind: replacement.stored), updated_at = \(bind: audit.occurredAt.stored)
                WHERE tenant_id = \(bind: tenant.description) AND presence_reason_list_id = \(bind: id.stored)
                """).run()
            try await db.raw("DELETE FROM presence_reason_lists WHERE id = \(bind: id.stored)").run()
            if wasDefault {
                try await db.raw("""
                    UPDATE presence_reason_lists SET is_default = 1, updated_at = \(bind: audit.occurredAt.stored)
                    WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: replacement.stored)
                    """).run()
            }
            var detail = audit.detail
            detail["members_moved"] = String(members)
            if wasDefault { detail["default_moved"] = "true" }
            try await SQLAuditRepository.insert(AuditEvent(id: audit.id, at: audit.occurredAt, tenant: audit.tenantID, actor: audit.actor,
                                                           action: audit.action, target: audit.target, outcome: audit.outcome,
                                                           clientIP: audit.clientIP, detail: detail), into: db)
            return true
        }
    }

    /// One tenant's list writes take turns on PostgreSQL (SQLite runs one writer at a time
    /// anyway), so two lists made default at once cannot both pass, and a list being deleted
    /// is not made the default meanwhile.
    private func lockTenant(_ tenant: TenantID, _ db: any SQLDatabase) async throws {
        guard database.kind == .postgres else { return }
        try await db.raw("SELECT id FROM tenants WHERE id = \(bind: tenant.description) FOR UPDATE").run()
    }

    private static func clearDefault(tenant: TenantID, except id: UUID, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE presence_reason_lists SET is_default = 0
            WHERE tenant_id = \(bind: tenant.description) AND is_default = 1 AND id <> \(bind: id.stored)
            """).run()
    }

    private static func insertReasons(of list: PresenceReasonList, _ db: any SQLDatabase) async throws {
        guard !list.reasons.isEmpty else { return }
        var insert = db.insert(into: "presence_reasons").columns("list_id", "position", "id", "name", "code")
        for (position, reason) in list.reasons.enumerated() {
            insert = insert.values(SQLBind(list.id.stored), SQLBind(position), SQLBind(reason.id.stored), SQLBind(reason.name),
                                   SQLBind(reason.code))
        }
        try await insert.run()
    }

    private static func withReasons(_ row: any SQLRow, _ db: any SQLDatabase) async throws -> PresenceReasonList {
        let reasons = try await db.raw("""
            SELECT * FROM presence_reasons WHERE list_id = \(bind: try row.string("id")) ORDER BY position
            """).all().map(reason(from:))
        return try list(from: row, reasons: reasons)
    }

    static func list(from row: any SQLRow, reasons: [PresenceReason]) throws -> PresenceReasonList {
        PresenceReasonList(id: try row.uuid("id"),
                           tenantID: try row.parsed("tenant_id") { text throws(InvalidValue) in
                               guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                               return id
                           },
                           name: try row.string("name"), isDefault: try row.decode(column: "is_default", as: Int.self) != 0,
                           reasons: reasons, createdAt: try row.instant("created_at"), updatedAt: try row.instant("updated_at"))
    }

    static func reason(from row: any SQLRow) throws -> PresenceReason {
        PresenceReason(id: try row.uuid("id"), name: try row.string("name"), code: try row.optionalString("code"))
    }
}
