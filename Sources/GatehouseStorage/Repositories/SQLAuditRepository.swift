import Foundation
public import GatehouseCore
import SQLKit

/// The audit log in the `audit_events` table, which triggers keep append-only.
public struct SQLAuditRepository: AuditRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func append(_ event: AuditEvent) async throws {
        try await database.write { try await Self.insert(event, into: $0) }
    }

    public func recent(tenant: TenantID, limit: Int) async throws -> [AuditEvent] {
        try await database.read { db in
            try await db.select().column("*").from("audit_events")
                .where("tenant_id", .equal, tenant.description)
                .orderBy("occurred_at", .descending)
                .limit(limit)
                .all()
                .map(Self.event(from:))
        }
    }

    /// Appends inside a caller's transaction, so a change and its record commit together.
    static func insert(_ event: AuditEvent, into db: any SQLDatabase) async throws {
        let detail = String(decoding: try JSONEncoder.sorted.encode(event.detail), as: UTF8.self)
        try await db.insert(into: "audit_events")
            .columns("id", "occurred_at", "tenant_id", "actor_kind", "actor_id", "action", "target_kind", "target_id",
                     "outcome", "client_ip", "detail")
            .values(SQLBind(event.id.stored), SQLBind(event.occurredAt.stored), SQLBind(event.tenantID?.description),
                    SQLBind(event.actor.kind), SQLBind(event.actor.id), SQLBind(event.action.rawValue),
                    SQLBind(event.target?.kind), SQLBind(event.target?.id), SQLBind(event.outcome.rawValue),
                    SQLBind(event.clientIP), SQLBind(detail))
            .run()
    }

    static func insert(_ events: [AuditEvent], into db: any SQLDatabase) async throws {
        for event in events { try await insert(event, into: db) }
    }

    static func event(from row: any SQLRow) throws -> AuditEvent {
        let detail = try JSONDecoder().decode([String: String].self, from: Data(try row.string("detail").utf8))
        let targetKind = try row.optionalString("target_kind"), targetID = try row.optionalString("target_id")
        return AuditEvent(
            id: try row.uuid("id"),
            at: try row.instant("occurred_at"),
            tenant: try row.optionalString("tenant_id").flatMap(TenantID.init(string:)),
            actor: AuditActor(kind: try row.string("actor_kind"), id: try row.optionalString("actor_id")),
            action: AuditAction(rawValue: try row.string("action")),
            target: targetKind.flatMap { kind in targetID.map { AuditTarget(kind: kind, id: $0) } },
            outcome: AuditOutcome(rawValue: try row.string("outcome")) ?? .failure,
            clientIP: try row.optionalString("client_ip"),
            detail: detail)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
