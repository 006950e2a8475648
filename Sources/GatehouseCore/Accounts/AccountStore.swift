public import Foundation

/// Changes to accounts that must commit together: a member and their invitation and its
/// email; a new password, the used link, the ended sessions and the webhook calls. Each
/// ``transaction(_:)`` is one database transaction.
public protocol AccountStore: Sendable {
    func transaction<T: Sendable>(_ body: @Sendable (any AccountTransaction) async throws -> T) async throws -> T
    /// A link by the digest of its secret, whatever its state.
    func link(digest: String) async throws -> OneTimeLink?
    /// The current password of a person, with whether it is temporary.
    func password(of user: UserID) async throws -> StoredPassword?
    /// Stores a pending sign-in step under the digest of its id.
    func insertLoginFlow(_ flow: LoginFlow, digest: String) async throws
    func loginFlow(digest: String) async throws -> LoginFlow?
    /// Counts a wrong answer at a flow's step; returns the count so far (nil: no such flow).
    func recordLoginFlowFailure(digest: String) async throws -> Int?
    /// Ends a flow (too many wrong answers).
    func endLoginFlow(digest: String, at now: Date) async throws
}

/// The writes available inside one transaction.
public protocol AccountTransaction: Sendable {
    /// - Throws: ``Conflict`` for a taken email or agent ID.
    func insertMember(_ member: Member, password: PasswordHash?, temporaryUntil: Date?) async throws
    /// Replaces the person's password (the old one goes to the history, trimmed to `keepHistory`).
    func setPassword(_ user: UserID, to hash: PasswordHash, temporaryUntil: Date?, keepHistory: Int, at now: Date) async throws
    func setStatus(_ status: MembershipStatus, tenant: TenantID, user: UserID, at now: Date) async throws
    /// Ends the person's sessions (in `tenant`, or everywhere) except one; returns the ended ids.
    func endSessions(user: UserID, tenant: TenantID?, except: UUID?, reason: SessionEndReason, at now: Date) async throws -> [UUID]
    /// Stores a link under its digest, revoking the person's earlier unused links of the same purpose.
    func insertLink(_ link: OneTimeLink, digest: String, at now: Date) async throws
    /// Marks a link used if it is still valid at `now`; otherwise says why it is not. Atomic:
    /// of two requests with the same link, exactly one gets it.
    func useLink(digest: String, purpose: LinkPurpose, at now: Date) async throws -> Result<OneTimeLink, LinkUnusable>
    /// Revokes the person's unused links of `purpose`.
    func revokeLinks(user: UserID, purpose: LinkPurpose, at now: Date) async throws
    func clearAttempts(_ keys: [String]) async throws
    /// Marks a forgot-password request confirmed; false if it already was (or has expired).
    func confirmRecovery(digest: String, at now: Date) async throws -> Bool
    /// Marks a pending sign-in step used if it is still valid; nil otherwise. Atomic.
    func useLoginFlow(digest: String, at now: Date) async throws -> LoginFlow?
    func enqueue(_ entries: [OutboxEntry]) async throws
    func append(_ events: [AuditEvent]) async throws
}

extension AccountStore {
    /// The audit record of a link that was presented but did not work (spent, expired,
    /// replaced or unknown): worth a look when many arrive from one address.
    public func recordRefusedLink(_ refused: LinkUnusable, action: AuditAction, clientIP: String?, at now: Date) async throws {
        let event = AuditEvent(at: now, tenant: nil, actor: .anonymous, action: action, target: nil, outcome: .denied, clientIP: clientIP,
                               detail: ["reason": "link_\(refused.state.rawValue)"])
        try await transaction { try await $0.append([event]) }
    }
}

/// A person's current password hash and, for a temporary password, when it stops working.
public struct StoredPassword: Sendable, Equatable {
    public let hash: PasswordHash
    public let temporaryUntil: Date?

    public init(hash: PasswordHash, temporaryUntil: Date?) {
        self.hash = hash
        self.temporaryUntil = temporaryUntil
    }

    public var isTemporary: Bool { temporaryUntil != nil }
}
