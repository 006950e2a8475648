public import Foundation
public import GatehouseCore
import SQLKit

/// Devices in `mfa_devices` (secrets sealed), recovery codes in `mfa_recovery_codes` (keyed digests).
public struct SQLMFARepository: MFARepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func insertEnrollment(_ device: MFADevice) async throws {
        try await database.write { db in
            // Lapsed enrolments of the person go; they were never usable.
            try await db.raw("""
                DELETE FROM mfa_devices WHERE user_id = \(bind: device.userID.description) AND confirmed_at IS NULL
                AND created_at < \(bind: device.createdAt.stored - Int64(MFADevice.enrollmentLifetimeSeconds) * 1_000_000)
                """).run()
            try await db.insert(into: "mfa_devices")
                .columns("id", "user_id", "tenant_id", "name", "algorithm", "digits", "period", "secret", "created_at")
                .values(SQLBind(device.id.stored), SQLBind(device.userID.description), SQLBind(device.tenantID.description),
                        SQLBind(device.name), SQLBind(device.parameters.algorithm.rawValue), SQLBind(device.parameters.digits),
                        SQLBind(device.parameters.period), SQLBind(device.sealedSecret), SQLBind(device.createdAt.stored))
                .run()
        }
    }

    public func device(_ id: UUID, user: UserID) async throws -> MFADevice? {
        try await database.read { db in
            try await db.raw("SELECT * FROM mfa_devices WHERE id = \(bind: id.stored) AND user_id = \(bind: user.description)").first()
                .map(Self.device(from:))
        }
    }

    public func devices(user: UserID) async throws -> [MFADevice] {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM mfa_devices WHERE user_id = \(bind: user.description) AND confirmed_at IS NOT NULL ORDER BY confirmed_at, id
                """).all().map(Self.device(from:))
        }
    }

    public func confirm(_ id: UUID, user: UserID, at now: Date, step: Int64, recoveryCodeDigests: [String]?,
                        audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            guard try await db.raw("""
                UPDATE mfa_devices SET confirmed_at = \(bind: now.stored), last_used_step = \(bind: step)
                WHERE id = \(bind: id.stored) AND user_id = \(bind: user.description) AND confirmed_at IS NULL RETURNING id
                """).first() != nil else { return false }
            if let recoveryCodeDigests { try await Self.replaceCodes(user: user, digests: recoveryCodeDigests, at: now, in: db) }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    public func advance(_ id: UUID, to step: Int64) async throws -> Bool {
        try await database.write { db in
            try await db.raw("""
                UPDATE mfa_devices SET last_used_step = \(bind: step)
                WHERE id = \(bind: id.stored) AND (last_used_step IS NULL OR last_used_step < \(bind: step)) RETURNING id
                """).first() != nil
        }
    }

    public func delete(_ id: UUID, user: UserID, audit: AuditEvent) async throws -> Bool {
        try await database.write { db in
            guard try await db.raw("""
                DELETE FROM mfa_devices WHERE id = \(bind: id.stored) AND user_id = \(bind: user.description)
                AND confirmed_at IS NOT NULL RETURNING id
                """).first() != nil else { return false }
            let left = try await db.raw("""
                SELECT COUNT(*) AS n FROM mfa_devices WHERE user_id = \(bind: user.description) AND confirmed_at IS NOT NULL
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            if left == 0 { try await db.raw("DELETE FROM mfa_recovery_codes WHERE user_id = \(bind: user.description)").run() }
            try await SQLAuditRepository.insert(audit, into: db)
            return true
        }
    }

    public func replaceRecoveryCodes(user: UserID, digests: [String], audit: AuditEvent) async throws {
        try await database.write { db in
            try await Self.replaceCodes(user: user, digests: digests, at: audit.occurredAt, in: db)
            try await SQLAuditRepository.insert(audit, into: db)
        }
    }

    static func replaceCodes(user: UserID, digests: [String], at now: Date, in db: any SQLDatabase) async throws {
        try await db.raw("DELETE FROM mfa_recovery_codes WHERE user_id = \(bind: user.description)").run()
        for digest in digests {
            try await db.insert(into: "mfa_recovery_codes").columns("user_id", "digest", "created_at")
                .values(SQLBind(user.description), SQLBind(digest), SQLBind(now.stored)).run()
        }
    }

    public func useRecoveryCode(user: UserID, digest: String, at now: Date) async throws -> Bool {
        try await database.write { db in
            try await db.raw("""
                UPDATE mfa_recovery_codes SET used_at = \(bind: now.stored)
                WHERE user_id = \(bind: user.description) AND digest = \(bind: digest) AND used_at IS NULL RETURNING digest
                """).first() != nil
        }
    }

    public func unusedRecoveryCodes(user: UserID) async throws -> Int {
        try await database.read { db in
            try await db.raw("""
                SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = \(bind: user.description) AND used_at IS NULL
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func reset(user: UserID, audit: AuditEvent, outbox: [OutboxEntry]) async throws -> Int {
        try await database.write { db in
            // Enrolments never confirmed were never devices: not counted.
            let removed = try await db.raw("DELETE FROM mfa_devices WHERE user_id = \(bind: user.description) RETURNING confirmed_at").all()
                .filter { (try? $0.decodeNil(column: "confirmed_at")) == false }.count
            try await db.raw("DELETE FROM mfa_recovery_codes WHERE user_id = \(bind: user.description)").run()
            try await SQLAuditRepository.insert(audit, into: db)
            try await SQLOutboxRepository.insert(outbox, into: db)
            return removed
        }
    }

    static func device(from row: any SQLRow) throws -> MFADevice {
        let parameters = TOTPParameters(algorithm: TOTPParameters.Algorithm(rawValue: try row.string("algorithm")) ?? .sha1,
                                        digits: try row.decode(column: "digits", as: Int.self),
                                        period: try row.decode(column: "period", as: Int.self))
        return MFADevice(id: try row.uuid("id"),
                         userID: try row.parsed("user_id") { text throws(InvalidValue) in
                             guard let id = UserID(string: text) else { throw InvalidValue("not a UUID") }
                             return id
                         },
                         tenantID: try row.parsed("tenant_id") { text throws(InvalidValue) in
                             guard let id = TenantID(string: text) else { throw InvalidValue("not a UUID") }
                             return id
                         },
                         name: try row.string("name"), parameters: parameters, sealedSecret: try row.string("secret"),
                         lastUsedStep: try row.decode(column: "last_used_step", as: Int64?.self), createdAt: try row.instant("created_at"),
                         confirmedAt: try row.optionalInstant("confirmed_at"))
    }
}
