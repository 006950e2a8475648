public import Foundation
public import GatehouseCore
import SQLKit

/// Sessions in `sessions`, found by the SHA-256 of their cookie secret.
public struct SQLSessionRepository: SessionRepository {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Active at `now`: not ended and within both limits.
    private static func activeCondition(_ now: Int64) -> SQLQueryString {
        "ended_at IS NULL AND idle_expires_at > \(bind: now) AND (absolute_expires_at IS NULL OR absolute_expires_at > \(bind: now))"
    }

    public func create(_ session: Session, secretDigest: String, limit: SessionLimit?, replacing previousDigest: String?,
                       audit: AuditEvent, outbox: [OutboxEntry]) async throws -> [UUID] {
        let now = session.createdAt.stored
        return try await database.write { db in
            if let previousDigest {
                try await db.raw("""
                    UPDATE sessions SET ended_at = \(bind: now), end_reason = \(bind: SessionEndReason.signedInAgain.rawValue)
                    WHERE secret_digest = \(bind: previousDigest) AND ended_at IS NULL
                    """).run()
            }
            var ended: [UUID] = []
            if let limit {
                // A no-op update that takes the person's row lock on PostgreSQL (SQLite's
                // write transaction is already exclusive), so parallel sign-ins count in turn.
                try await db.raw("UPDATE users SET updated_at = updated_at WHERE id = \(bind: session.userID.description)").run()
                let active = try await db.raw("""
                    SELECT id FROM sessions WHERE user_id = \(bind: session.userID.description) AND \(Self.activeCondition(now))
                    ORDER BY created_at, id
                    """).all().map { try $0.uuid("id") }
                if active.count >= limit.maximum {
                    guard limit.onLimit == .endOldest else { throw SessionLimitReached(limit: limit.maximum) }
                    ended = Array(active.prefix(active.count - limit.maximum + 1))
                    for id in ended {
                        try await db.raw("""
                            UPDATE sessions SET ended_at = \(bind: now), end_reason = \(bind: SessionEndReason.replacedByNewerSession.rawValue)
                            WHERE id = \(bind: id.stored)
                            """).run()
                    }
                }
            }
            try await db.insert(into: "sessions")
                .columns("id", "secret_digest", "tenant_id", "user_id", "persistent", "created_at", "last_seen_at", "idle_expires_at",
                         "absolute_expires_at", "idle_timeout_seconds", "ended_at", "end_reason", "client_ip", "user_agent")
                .values(SQLBind(session.id.stored), SQLBind(secretDigest), SQLBind(session.tenantID.description),
                        SQLBind(session.userID.description), SQLBind(session.persistent ? 1 : 0), SQLBind(now),
                        SQLBind(session.lastSeenAt.stored), SQLBind(session.idleExpiresAt.stored),
                        SQLBind(session.absoluteExpiresAt?.stored), SQLBind(session.idleTimeoutSeconds), SQLLiteral.null,
                        SQLLiteral.null, SQLBind(session.clientIP), SQLBind(session.userAgent))
                .run()
            try await SQLAuditRepository.insert(audit, into: db)
            try await SQLOutboxRepository.insert(outbox, into: db)
            return ended
        }
    }

    public func findWithOwner(secretDigest: String) async throws -> SessionOwner? {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT s.id AS s_id, s.tenant_id AS s_tenant_id, s.user_id AS s_user_id, s.persistent AS s_persistent,
                s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at, s.idle_expires_at AS s_idle_expires_at,
                s.absolute_expires_at AS s_absolute_expires_at, s.idle_timeout_seconds AS s_idle_timeout_seconds,
                s.ended_at AS s_ended_at, s.end_reason AS s_end_reason, s.client_ip AS s_client_ip, s.user_agent AS s_user_agent,
                t.id AS t_id, t.slug AS t_slug, t.display_name AS t_display_name, t.region AS t_region, t.settings AS t_settings,
                t.created_at AS t_created_at,
                \(unsafeRaw: SQLMemberRepository.memberColumns)
                FROM sessions s
                JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
                JOIN users u ON u.id = m.user_id
                JOIN tenants t ON t.id = s.tenant_id
                WHERE s.secret_digest = \(bind: secretDigest)
                """).first()
            else { return nil }
            return SessionOwner(session: try Self.session(from: PrefixedRow(row: row, prefix: "s_")),
                                member: try SQLMemberRepository.member(from: row),
                                tenant: try SQLTenantRepository.tenant(from: PrefixedRow(row: row, prefix: "t_")))
        }
    }

    public func touch(_ id: UUID, lastSeenAt: Date, idleExpiresAt: Date) async throws {
        try await database.write { db in
            try await db.raw("""
                UPDATE sessions SET last_seen_at = \(bind: lastSeenAt.stored), idle_expires_at = \(bind: idleExpiresAt.stored)
                WHERE id = \(bind: id.stored) AND ended_at IS NULL AND idle_expires_at < \(bind: idleExpiresAt.stored)
                """).run()
        }
    }

    /// `AND tenant_id = …` when the caller's reach is one tenant.
    private static func inTenant(_ tenant: TenantID?) -> SQLQueryString {
        tenant.map { " AND tenant_id = \(bind: $0.description)" } ?? ""
    }

    public func end(_ id: UUID, user: UserID, tenant: TenantID?, reason: SessionEndReason, at now: Date, audit: AuditEvent,
                    outbox: [OutboxEntry]) async throws -> Bool {
        try await database.write { db in
            let ended = try await db.raw("""
                UPDATE sessions SET ended_at = \(bind: now.stored), end_reason = \(bind: reason.rawValue)
                WHERE id = \(bind: id.stored) AND user_id = \(bind: user.description) AND \(Self.activeCondition(now.stored))\(Self.inTenant(tenant))
                RETURNING id
                """).first()
            guard ended != nil else { return false }
            try await SQLAuditRepository.insert(audit, into: db)
            try await SQLOutboxRepository.insert(outbox, into: db)
            return true
        }
    }

    public func endAll(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date,
                       audit: AuditEvent, outbox: [OutboxEntry]) async throws -> Int {
        try await database.write { db in
            try await SQLOutboxRepository.insert(outbox, into: db)
            return try await Self.endAll(user: user, tenant: tenant, except: except, reason: reason, at: now, in: db, audit: audit)
        }
    }

    /// Ends the person's sessions inside a caller's transaction, with the audit record.
    static func endAll(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date,
                       in db: any SQLDatabase, audit: AuditEvent) async throws -> Int {
        let ended = try await endAll(user: user, tenant: tenant, except: except, reason: reason, at: now, in: db)
        try await SQLAuditRepository.insert(audit, into: db)
        return ended.count
    }

    /// Ends the person's sessions inside a caller's transaction. - Returns: the ended ids.
    static func endAll(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date,
                       in db: any SQLDatabase) async throws -> [UUID] {
        try await db.raw("""
            UPDATE sessions SET ended_at = \(bind: now.stored), end_reason = \(bind: reason.rawValue)
            WHERE user_id = \(bind: user.description) AND id <> \(bind: except?.stored ?? "") AND ended_at IS NULL\(Self.inTenant(tenant))
            RETURNING id
            """).all().map { try $0.uuid("id") }
    }

    public func active(user: UserID, tenant: TenantID?, at now: Date) async throws -> [Session] {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM sessions WHERE user_id = \(bind: user.description) AND \(Self.activeCondition(now.stored))\(Self.inTenant(tenant))
                ORDER BY created_at DESC, id
                """).all().map(Self.session(from:))
        }
    }

    static func session(from row: any SQLRow) throws -> Session {
        Session(id: try row.uuid("id"),
                tenantID: try row.parsed("tenant_id") { text throws(InvalidValue) in
                    guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                    return id
                },
                userID: try row.parsed("user_id") { text throws(InvalidValue) in
                    guard let id = UserID(string: text) else { throw InvalidValue("not a UUID") }
                    return id
                },
                persistent: try row.decode(column: "persistent", as: Int64.self) != 0,
                createdAt: try row.instant("created_at"),
                lastSeenAt: try row.instant("last_seen_at"),
                idleExpiresAt: try row.instant("idle_expires_at"),
                absoluteExpiresAt: try row.optionalInstant("absolute_expires_at"),
                idleTimeoutSeconds: Int(try row.decode(column: "idle_timeout_seconds", as: Int64.self)),
                endedAt: try row.optionalInstant("ended_at"),
                endReason: try row.optionalString("end_reason").flatMap(SessionEndReason.init(rawValue:)),
                clientIP: try row.optionalString("client_ip"),
                userAgent: try row.optionalString("user_agent"))
    }
}
