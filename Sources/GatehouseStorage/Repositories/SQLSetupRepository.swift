import Foundation
public import GatehouseCore
import SQLKit

/// First-run set-up links in `setup_links`.
public struct SQLSetupRepository: SetupRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func replaceLink(secretDigest: String, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.delete(from: "setup_links").where("used_at", .is, SQLLiteral.null).run()
            try await db.insert(into: "setup_links").columns("secret_digest", "created_at", "used_at")
                .values(SQLBind(secretDigest), SQLBind(audit.occurredAt.stored), SQLLiteral.null).run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func isUsable(secretDigest: String) async throws -> Bool {
        try await database.read { db in
            try await db.select().column("secret_digest").from("setup_links")
                .where("secret_digest", .equal, secretDigest).where("used_at", .is, SQLLiteral.null)
                .first() != nil
        }
    }

    public func complete(secretDigest: String, tenant: Tenant, administrator: Member, password: PasswordHash,
                         audit: [AuditEvent]) async throws -> Bool {
        do {
            return try await database.write { db in
                // Spending the link and checking that no tenant exists happen in the same
                // transaction as the creation, so two submissions cannot both succeed.
                let spent = try await db.raw("""
                    UPDATE setup_links SET used_at = \(bind: tenant.createdAt.stored)
                    WHERE secret_digest = \(bind: secretDigest) AND used_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM tenants)
                    RETURNING secret_digest
                    """).first()
                guard spent != nil else { return false }
                try await SQLTenantRepository.insert(tenant, into: db)
                try await SQLMemberRepository.insert(administrator, password: password, into: db, at: tenant.createdAt)
                try await SQLAuditRepository.insert(audit, into: db)
                return true
            }
        } catch { throw mapUniqueViolation(error) }
    }
}
