public import Foundation

/// A signed-in browser or client: one person in one tenant (whose policy it follows), known
/// by a 256-bit secret in a cookie of which only the SHA-256 is stored.
public struct Session: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID
    public let userID: UserID
    /// "Keep me signed in": survives browser restarts and ends only after its longer idle time.
    public let persistent: Bool
    public let createdAt: Date
    public var lastSeenAt: Date
    public var idleExpiresAt: Date
    /// Nil for persistent sessions, which have no absolute limit.
    public let absoluteExpiresAt: Date?
    /// The idle timeout in force when the session began; every request extends it by this much.
    public let idleTimeoutSeconds: Int
    public var endedAt: Date?
    public var endReason: SessionEndReason?
    public let clientIP: String?
    public let userAgent: String?

    public init(id: UUID = UUID(), tenantID: TenantID, userID: UserID, persistent: Bool, createdAt: Date, lastSeenAt: Date,
                idleExpiresAt: Date, absoluteExpiresAt: Date?, idleTimeoutSeconds: Int, endedAt: Date? = nil,
                endReason: SessionEndReason? = nil, clientIP: String?, userAgent: String?) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.persistent = persistent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.idleExpiresAt = idleExpiresAt
        self.absoluteExpiresAt = absoluteExpiresAt
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.endedAt = endedAt
        self.endReason = endReason
        self.clientIP = clientIP
        self.userAgent = userAgent
    }

    /// A new session under `policy`, starting `now`.
    public static func start(for member: Member, policy: SessionPolicy, persistent: Bool, at now: Date,
                             clientIP: String?, userAgent: String?) -> Session {
        let idle = persistent ? policy.persistentIdleTimeoutSeconds : policy.idleTimeoutSeconds
        return Session(tenantID: member.membership.tenantID, userID: member.user.id, persistent: persistent, createdAt: now,
                       lastSeenAt: now, idleExpiresAt: now.addingTimeInterval(TimeInterval(idle)),
                       absoluteExpiresAt: persistent ? nil : now.addingTimeInterval(TimeInterval(policy.absoluteTimeoutSeconds)),
                       idleTimeoutSeconds: idle, clientIP: clientIP, userAgent: userAgent.map { String($0.prefix(512)) })
    }

    /// Why the session is over at `now`, or nil while it is valid.
    public func endReason(at now: Date) -> SessionEndReason? {
        if let endReason { return endReason }
        if endedAt != nil { return .signedOut }
        if let absoluteExpiresAt, now >= absoluteExpiresAt { return .absoluteTimeout }
        if now >= idleExpiresAt { return .idleTimeout }
        return nil
    }

    public func isActive(at now: Date) -> Bool { endReason(at: now) == nil }

    /// When the session ends if it stays idle: the earlier of the idle and absolute limits.
    public var expiresAt: Date { absoluteExpiresAt.map { min($0, idleExpiresAt) } ?? idleExpiresAt }

    /// Whether a request at `now` should push the idle expiry forward in storage. Writes are
    /// spared until a tenth of the idle time (at most a minute) has passed, so busy clients do
    /// not write on every request while the idle limit stays accurate to that margin.
    public func needsTouch(at now: Date) -> Bool {
        now.timeIntervalSince(lastSeenAt) >= min(60, Double(idleTimeoutSeconds) / 10)
    }
}

/// Why a session ended.
public enum SessionEndReason: String, Sendable, Codable {
    case signedOut = "signed_out"
    case signedOutEverywhere = "signed_out_everywhere"
    case idleTimeout = "idle_timeout"
    case absoluteTimeout = "absolute_timeout"
    /// Ended to make room under the concurrent-session limit.
    case replacedByNewerSession = "session_limit"
    case endedByAdministrator = "ended_by_administrator"
    case passwordChanged = "password_changed"
    /// The same browser signed in again; its old session ends with the new one's start.
    case signedInAgain = "signed_in_again"
}

/// Refused: the person already holds the maximum number of sessions.
public struct SessionLimitReached: Error, Sendable, Equatable {
    public let limit: Int
    public init(limit: Int) { self.limit = limit }
}
