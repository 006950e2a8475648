public import Foundation
public import GatehouseCore
import SQLKit

/// Current password hashes in `password_credentials`, earlier ones in `password_history`.
public struct SQLPasswordCredentialRepository: PasswordCredentialRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func hash(for user: UserID) async throws -> PasswordHash? {
        try await database.read { db in
            try await db.select().column("hash").from("password_credentials").where("user_id", .equal, user.description).first()
                .map { PasswordHash(phcString: try $0.string("hash")) }
        }
    }

    public func rehash(_ user: UserID, to hash: PasswordHash, expected old: PasswordHash) async throws {
        try await database.write { db in
            // Only if nobody changed the password meanwhile.
            try await db.update("password_credentials").set("hash", to: hash.phcString)
                .where("user_id", .equal, user.description).where("hash", .equal, old.phcString).run()
        }
    }

    public func recent(for user: UserID, limit: Int) async throws -> [PasswordHash] {
        guard limit > 0 else { return [] }
        return try await database.read { db in
            let current = try await db.select().column("hash").from("password_credentials")
                .where("user_id", .equal, user.description).first().map { try $0.string("hash") }
            let earlier = try await db.select().column("hash").from("password_history").where("user_id", .equal, user.description)
                .orderBy("seq", .descending).limit(limit - (current == nil ? 0 : 1)).all().map { try $0.string("hash") }
            return ((current.map { [$0] } ?? []) + earlier).prefix(limit).map(PasswordHash.init(phcString:))
        }
    }

    public func change(_ user: UserID, to hash: PasswordHash, keepHistory keep: Int, endingSessionsExcept session: UUID?,
                       at now: Date, audit: AuditEvent, outbox: [OutboxEntry]) async throws {
        try await database.write { db in
            try await SQLOutboxRepository.insert(outbox, into: db)
            try await Self.replace(user, with: hash, keepHistory: keep, at: now, in: db)
            _ = try await SQLSessionRepository.endAll(user: user, tenant: nil, except: session, reason: .passwordChanged, at: now, in: db, audit: audit)
        }
    }

    /// Sets the current hash, moving the old one into the history and keeping only the newest
    /// `keep - 1` earlier ones (with the current one that makes `keep`).
    static func replace(_ user: UserID, with hash: PasswordHash, temporaryUntil: Date? = nil, keepHistory keep: Int, at now: Date,
                        in db: any SQLDatabase) async throws {
        let id = user.description
        try await db.raw("""
            INSERT INTO password_history (user_id, seq, hash, retired_at)
            SELECT user_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM password_history WHERE user_id = \(bind: id)), hash, \(bind: now.stored)
            FROM password_credentials WHERE user_id = \(bind: id)
            """).run()
        try await db.raw("""
            INSERT INTO password_credentials (user_id, hash, changed_at, temporary_until)
            VALUES (\(bind: id), \(bind: hash.phcString), \(bind: now.stored), \(bind: temporaryUntil?.stored))
            ON CONFLICT (user_id) DO UPDATE SET hash = \(bind: hash.phcString), changed_at = \(bind: now.stored),
            temporary_until = \(bind: temporaryUntil?.stored)
            """).run()
        try await db.raw("""
            DELETE FROM password_history WHERE user_id = \(bind: id)
            AND seq <= (SELECT MAX(seq) FROM password_history WHERE user_id = \(bind: id)) - \(literal: max(0, keep - 1))
            """).run()
    }
}
