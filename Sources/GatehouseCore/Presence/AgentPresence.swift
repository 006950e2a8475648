public import Foundation

/// Whether an agent takes contacts.
public enum PresenceState: String, Sendable, CaseIterable {
    case available
    /// Not taking contacts, usually with a reason from their Presence Reason list.
    case away
}

/// A member's last reported presence in one tenant.
public struct AgentPresence: Sendable, Equatable {
    public let state: PresenceState
    public let reasonID: UUID?
    public let updatedAt: Date

    public init(state: PresenceState, reasonID: UUID?, updatedAt: Date) {
        self.state = state
        self.reasonID = reasonID
        self.updatedAt = updatedAt
    }
}

/// Where members' presence is kept, one row per membership.
public protocol AgentPresenceRepository: Sendable {
    func find(tenant: TenantID, user: UserID) async throws -> AgentPresence?
    /// Replaces the member's presence.
    func save(_ presence: AgentPresence, tenant: TenantID, user: UserID) async throws
}
