public import Foundation
public import GatehouseCore
import SQLKit

/// `session_reauthentications`: the last time each session gave its password again.
public struct SQLReauthenticationRepository: ReauthenticationRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func record(session: UUID, at now: Date, audit: AuditEvent) async throws {
        try await database.write { db in
            try await db.raw("""
                INSERT INTO session_reauthentications (session_id, at) VALUES (\(bind: session.stored), \(bind: now.stored))
                ON CONFLICT (session_id) DO UPDATE SET at = \(bind: now.stored)
                """).run()
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    public func last(session: UUID) async throws -> Date? {
        try await database.read { db in
            try await db.raw("SELECT at FROM session_reauthentications WHERE session_id = \(bind: session.stored)").first()?.instant("at")
        }
    }
}
