public import Foundation
public import GatehouseCore
import SQLKit

/// Webhooks in `webhooks`; the signing secret is stored sealed.
public struct SQLWebhookRepository: WebhookRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ webhook: Webhook, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.insert(into: "webhooks")
                .columns("id", "tenant_id", "url", "events", "secret", "public_key", "created_at")
                .values(SQLBind(webhook.id.stored), SQLBind(webhook.tenantID.description), SQLBind(webhook.url),
                        SQLBind(webhook.sortedEvents.map(\.rawValue).joined(separator: ",")), SQLBind(webhook.sealedSecret),
                        SQLBind(webhook.publicKeyPEM), SQLBind(webhook.createdAt.stored))
                .run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func list(tenant: TenantID) async throws -> [Webhook] {
        try await database.read { db in
            try await db.raw("SELECT * FROM webhooks WHERE tenant_id = \(bind: tenant.description) ORDER BY created_at, id").all()
                .map(Self.webhook(from:))
        }
    }

    public func find(tenant: TenantID, id: UUID) async throws -> Webhook? {
        try await database.read { db in
            try await db.raw("SELECT * FROM webhooks WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored)").first()
                .map(Self.webhook(from:))
        }
    }

    public func delete(tenant: TenantID, id: UUID, audit: AuditEvent, at now: Date) async throws -> Bool {
        try await database.write { db in
            guard try await db.raw("""
                DELETE FROM webhooks WHERE tenant_id = \(bind: tenant.description) AND id = \(bind: id.stored) RETURNING id
                """).first() != nil else { return false }
            try await SQLOutboxRepository.cancelPending(orderingKeyPrefix: EventPublisher.orderingKeyPrefix(webhook: id), at: now, in: db)
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    static func webhook(from row: any SQLRow) throws -> Webhook {
        Webhook(id: try row.uuid("id"), tenantID: try row.parsed("tenant_id") { text throws(InvalidValue) in
                    guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                    return id
                },
                url: try row.string("url"),
                events: Set(try row.string("events").split(separator: ",").compactMap { WebhookEventType(rawValue: String($0)) }),
                sealedSecret: try row.string("secret"), publicKeyPEM: try row.optionalString("public_key"),
                createdAt: try row.instant("created_at"))
    }
}
