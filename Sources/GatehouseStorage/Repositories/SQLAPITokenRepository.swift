import Foundation
public import GatehouseCore
import SQLKit

/// API tokens in `api_tokens`, looked up by the SHA-256 of their secret.
public struct SQLAPITokenRepository: APITokenRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ token: APIToken, secretDigest: String, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.insert(into: "api_tokens")
                .columns("id", "tenant_id", "user_id", "name", "prefix", "secret_digest", "created_at", "expires_at", "revoked_at")
                .values(SQLBind(token.id.stored), SQLBind(token.tenantID.description), SQLBind(token.userID.description),
                        SQLBind(token.name), SQLBind(token.prefix), SQLBind(secretDigest), SQLBind(token.createdAt.stored),
                        SQLBind(token.expiresAt?.stored), SQLBind(token.revokedAt?.stored))
                .run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func find(secretDigest: String) async throws -> AuthenticatedToken? {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT t.id AS token_id, t.name AS token_name, t.prefix AS token_prefix, t.created_at AS token_created_at,
                t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at,
                \(unsafeRaw: SQLMemberRepository.memberColumns)
                FROM api_tokens t JOIN memberships m ON m.tenant_id = t.tenant_id AND m.user_id = t.user_id
                JOIN users u ON u.id = m.user_id
                WHERE t.secret_digest = \(bind: secretDigest)
                """).first()
            else { return nil }
            let member = try SQLMemberRepository.member(from: row)
            guard let tenant = try await db.select().column("*").from("tenants")
                .where("id", .equal, member.membership.tenantID.description).first().map(SQLTenantRepository.tenant(from:))
            else { return nil }
            let token = APIToken(id: try row.uuid("token_id"), tenantID: tenant.id, userID: member.user.id,
                                 name: try row.string("token_name"), prefix: try row.string("token_prefix"),
                                 createdAt: try row.instant("token_created_at"),
                                 expiresAt: try row.optionalInstant("token_expires_at"),
                                 revokedAt: try row.optionalInstant("token_revoked_at"))
            return AuthenticatedToken(token: token, member: member, tenant: tenant)
        }
    }
}
