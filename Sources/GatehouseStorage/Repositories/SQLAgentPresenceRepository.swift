import Foundation
public import GatehouseCore
import SQLKit

/// Each member's last presence in `member_presence`, one row per membership (removed with it).
public struct SQLAgentPresenceRepository: AgentPresenceRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func find(tenant: TenantID, user: UserID) async throws -> AgentPresence? {
        try await database.read { db in
            guard let row = try await db.raw("""
                SELECT state, reason_id, updated_at FROM member_presence
                WHERE tenant_id = \(bind: tenant.description) AND user_id = \(bind: user.description)
                """).first() else { return nil }
            return AgentPresence(state: try row.parsed("state") { text throws(InvalidValue) in
                                     guard let state = PresenceState(rawValue: text) else { throw InvalidValue("not a presence state") }
                                     return state
                                 },
                                 reasonID: try row.optionalString("reason_id").flatMap(UUID.init(uuidString:)),
                                 updatedAt: try row.instant("updated_at"))
        }
    }

    public func save(_ presence: AgentPresence, tenant: TenantID, user: UserID) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO member_presence (tenant_id, user_id, state, reason_id, updated_at)
                VALUES (\(bind: tenant.description), \(bind: user.description), \(bind: presence.state.rawValue),
                        \(bind: presence.reasonID?.stored), \(bind: presence.updatedAt.stored))
                ON CONFLICT (tenant_id, user_id) DO UPDATE SET state = excluded.state, reason_id = excluded.reason_id,
                updated_at = excluded.updated_at
                """).run()
        }
    }
}
