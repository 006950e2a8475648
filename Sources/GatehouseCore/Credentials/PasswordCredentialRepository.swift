public import Foundation

/// People's password hashes and the history of earlier ones.
public protocol PasswordCredentialRepository: Sendable {
    func hash(for user: UserID) async throws -> PasswordHash?
    /// Replaces the hash of the same password (a re-hash with current parameters); history is untouched.
    func rehash(_ user: UserID, to hash: PasswordHash, expected old: PasswordHash) async throws
    /// The newest `limit` hashes: the current one first, then earlier ones.
    func recent(for user: UserID, limit: Int) async throws -> [PasswordHash]
    /// Sets a new password, keeps the old one in the history (trimmed to `keep` entries), ends
    /// the person's other sessions, and records the audit event, in one transaction.
    func change(_ user: UserID, to hash: PasswordHash, keepHistory keep: Int, endingSessionsExcept session: UUID?,
                at now: Date, audit: AuditEvent, outbox: [OutboxEntry]) async throws
}
