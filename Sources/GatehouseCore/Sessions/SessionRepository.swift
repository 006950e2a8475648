public import Foundation

/// Where sessions are kept. Every change is atomic across servers sharing the database.
public protocol SessionRepository: Sendable {
    /// Stores a new session. When `limit` is set, counts the person's active sessions inside the
    /// same transaction (under a lock on the person, so parallel sign-ins cannot both slip
    /// under it) and either refuses or ends the oldest. Ends `replacing` (the browser's previous
    /// session) too.
    /// - Returns: the ids of sessions ended to make room.
    /// - Throws: ``SessionLimitReached`` when the policy refuses.
    func create(_ session: Session, secretDigest: String, limit: SessionLimit?, replacing previousDigest: String?,
                audit: AuditEvent, outbox: [OutboxEntry]) async throws -> [UUID]
    /// The session with its person's membership and tenant, in one read (every authenticated
    /// request does this). Nil when the session or the membership is gone.
    func findWithOwner(secretDigest: String) async throws -> SessionOwner?
    /// Records activity: moves the idle expiry forward.
    func touch(_ id: UUID, lastSeenAt: Date, idleExpiresAt: Date) async throws
    /// Ends one session of `user` if it is still active (and belongs to `tenant`, when given).
    /// - Returns: whether it was.
    func end(_ id: UUID, user: UserID, tenant: TenantID?, reason: SessionEndReason, at now: Date, audit: AuditEvent,
             outbox: [OutboxEntry]) async throws -> Bool
    /// Ends every active session of `user` but `except`: in `tenant` only (an administrator's
    /// reach), or in every tenant when nil (the person themselves). - Returns: how many.
    func endAll(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date, audit: AuditEvent,
                outbox: [OutboxEntry]) async throws -> Int
    /// The person's active sessions, newest first: in `tenant` only, or everywhere when nil.
    func active(user: UserID, tenant: TenantID?, at now: Date) async throws -> [Session]
}

/// A session and who it belongs to.
public struct SessionOwner: Sendable {
    public var session: Session
    public let member: Member
    public let tenant: Tenant

    public init(session: Session, member: Member, tenant: Tenant) {
        self.session = session
        self.member = member
        self.tenant = tenant
    }
}

/// The concurrent-session rule applied when a session is created.
public struct SessionLimit: Sendable, Equatable {
    public let maximum: Int
    public let onLimit: SessionPolicy.OnLimit
    public init(maximum: Int, onLimit: SessionPolicy.OnLimit) {
        self.maximum = maximum
        self.onLimit = onLimit
    }
}
