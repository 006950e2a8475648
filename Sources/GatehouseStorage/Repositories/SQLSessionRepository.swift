public import Foundation
public import GatehouseCore
import SQLKit

/// Sessions in `sessions`, found by the SHA-256 of their cookie secret.
public struct SQLSessionRepository: SessionRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Active at `now`: not ended and within both limits.
    private static func activeCondition(_ now: Int64) -> SQLQueryString {
        "ended_at IS NULL AND idle_expires_at > \(bind: now) AND (absolute_expires_at IS NULL OR absolute_expires_at > \(bind: now))"
    }

    public func create(_ session: Session, secretDigest: String, limit: SessionLimit?, replacing previousDigest: String?,
                       audit: AuditEvent) async throws -> [UUID] {
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
            return ended
        }
    }

    public func find(secretDigest: String) async throws -> Session? {
        try await database.read { db in
            try await db.select().column("*").from("sessions").where("secret_digest", .equal, secretDigest).first()
                .map(Self.session(from:))
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

    public func end(_ id: UUID, user: UserID, reason: SessionEndReason, at now: Date, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            let ended = try await db.raw("""
                UPDATE sessions SET ended_at = \(bind: now.stored), end_reason = \(bind: reason.rawValue)
                WHERE id = \(bind: id.stored) AND user_id = \(bind: user.description) AND \(Self.activeCondition(now.stored))
                RETURNING id
                """).first()
            guard ended != nil else { return false }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    public func endAll(user: UserID, except: UUID?, reason: SessionEndReason, at now: Date, audit: AuditEvent) async throws -> Int {
        try await database.write { db in
            try await Self.endAll(user: user, except: except, reason: reason, at: now, in: db, audit: audit)
        }
    }

    /// Ends the person's sessions inside a caller's transaction.
    static func endAll(user: UserID, except: UUID?, reason: SessionEndReason, at now: Date, in db: any SQLDatabase,
                       audit: AuditEvent) async throws -> Int {
        let ended = try await db.raw("""
            UPDATE sessions SET ended_at = \(bind: now.stored), end_reason = \(bind: reason.rawValue)
            WHERE user_id = \(bind: user.description) AND id <> \(bind: except?.stored ?? "") AND ended_at IS NULL
            RETURNING id
            """).all()
        try await SQLAuditRepository.insert(audit, into: db)
        return ended.count
    }

    public func active(user: UserID, at now: Date) async throws -> [Session] {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM sessions WHERE user_id = \(bind: user.description) AND \(Self.activeCondition(now.stored))
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
