public import Foundation
public import GatehouseCore
import SQLKit

/// The outbox table. Entries are leased before delivery so that servers sharing the database
/// never deliver one twice at the same time, and an entry is first in line only when no
/// earlier undelivered entry shares its ordering key.
public struct SQLOutboxRepository: OutboxRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func enqueue(_ entries: [OutboxEntry]) async throws {
        guard !entries.isEmpty else { return }
        try await database.write { try await Self.insert(entries, into: $0) }
    }

    static func insert(_ entries: [OutboxEntry], into db: any SQLDatabase) async throws {
        for entry in entries {
            try await db.insert(into: "outbox")
                .columns("id", "tenant_id", "kind", "ordering_key", "created_at", "position", "summary", "payload", "status", "attempts",
                         "next_attempt_at")
                .values(SQLBind(entry.id.stored), SQLBind(entry.tenantID?.description), SQLBind(entry.kind.rawValue),
                        SQLBind(entry.orderingKey), SQLBind(entry.createdAt.stored), SQLBind(entry.position), SQLBind(entry.summary),
                        SQLBind(entry.sealedPayload), SQLBind(OutboxStatus.pending.rawValue), SQLBind(0), SQLBind(entry.createdAt.stored))
                .run()
        }
    }

    public func lease(due now: Date, kinds: Set<OutboxKind>, limit: Int, owner: String, until: Date) async throws -> [OutboxRecord] {
        guard !kinds.isEmpty else { return [] }
        let pending = OutboxStatus.pending.rawValue
        let kindList = SQLList(kinds.sorted { $0.rawValue < $1.rawValue }.map { SQLBind($0.rawValue) })
        // Looking is a read, so an idle poll never takes SQLite's write lock.
        let candidates = try await database.read { db in
            try await db.raw("""
                SELECT o.id FROM outbox o
                WHERE o.status = \(bind: pending) AND o.kind IN (\(kindList)) AND o.next_attempt_at <= \(bind: now.stored)
                AND (o.lease_until IS NULL OR o.lease_until < \(bind: now.stored))
                AND (o.ordering_key IS NULL OR NOT EXISTS (
                    SELECT 1 FROM outbox p WHERE p.ordering_key = o.ordering_key AND p.status = \(bind: pending)
                    AND (p.created_at < o.created_at OR (p.created_at = o.created_at AND p.position < o.position))))
                ORDER BY o.created_at, o.position LIMIT \(literal: limit)
                """).all().map { try $0.string("id") }
        }
        guard !candidates.isEmpty else { return [] }
        return try await database.write { db in
            var leased: [OutboxRecord] = []
            for id in candidates {
                // Conditional on nobody else holding it: on PostgreSQL another server may have
                // taken it between the query and here.
                if let row = try await db.raw("""
                    UPDATE outbox SET lease_owner = \(bind: owner), lease_until = \(bind: until.stored)
                    WHERE id = \(bind: id) AND status = \(bind: pending)
                    AND (lease_until IS NULL OR lease_until < \(bind: now.stored))
                    RETURNING *
                    """).first() {
                    leased.append(try Self.record(from: row))
                }
            }
            return leased
        }
    }

    public func markDelivered(_ id: UUID, owner: String, at now: Date) async throws {
        try await database.write { db in
            try await db.raw("""
                UPDATE outbox SET status = \(bind: OutboxStatus.delivered.rawValue), delivered_at = \(bind: now.stored),
                attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, last_error = NULL
                WHERE id = \(bind: id.stored) AND lease_owner = \(bind: owner)
                """).run()
        }
    }

    public func markAttemptFailed(_ id: UUID, owner: String, error: String, retryAt: Date?, at now: Date) async throws {
        let status = retryAt == nil ? OutboxStatus.failed : .pending
        try await database.write { db in
            try await db.raw("""
                UPDATE outbox SET status = \(bind: status.rawValue), attempts = attempts + 1, next_attempt_at = \(bind: retryAt?.stored),
                lease_owner = NULL, lease_until = NULL, last_error = \(bind: String(error.prefix(1000)))
                WHERE id = \(bind: id.stored) AND lease_owner = \(bind: owner)
                """).run()
        }
    }

    public func list(tenant: TenantID, kind: OutboxKind, limit: Int) async throws -> [OutboxRecord] {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM outbox WHERE tenant_id = \(bind: tenant.description) AND kind = \(bind: kind.rawValue)
                ORDER BY created_at DESC, position DESC LIMIT \(literal: limit)
                """).all().map(Self.record(from:))
        }
    }

    /// Drops every entry still pending for a webhook (it was deleted), inside its transaction.
    static func cancelPending(orderingKeyPrefix: String, at now: Date, in db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE outbox SET status = \(bind: OutboxStatus.failed.rawValue), last_error = 'webhook deleted', next_attempt_at = NULL
            WHERE status = \(bind: OutboxStatus.pending.rawValue) AND ordering_key LIKE \(bind: SQLMemberRepository.escapeLike(orderingKeyPrefix) + "%") ESCAPE '\\'
            """).run()
    }

    static func record(from row: any SQLRow) throws -> OutboxRecord {
        let entry = OutboxEntry(
            id: try row.uuid("id"),
            tenantID: try row.optionalString("tenant_id").flatMap(TenantID.init(string:)),
            kind: OutboxKind(rawValue: try row.string("kind")) ?? .email,
            orderingKey: try row.optionalString("ordering_key"),
            createdAt: try row.instant("created_at"),
            position: try row.decode(column: "position", as: Int.self),
            summary: try row.string("summary"),
            sealedPayload: try row.string("payload"))
        return OutboxRecord(entry: entry, status: OutboxStatus(rawValue: try row.string("status")) ?? .pending,
                            attempts: try row.decode(column: "attempts", as: Int.self),
                            nextAttemptAt: try row.optionalInstant("next_attempt_at"), deliveredAt: try row.optionalInstant("delivered_at"),
                            lastError: try row.optionalString("last_error"))
    }
}
