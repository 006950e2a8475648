public import Foundation

/// A person's place in one tenant: what they may do there and under which agent ID.
public struct Membership: Sendable, Equatable {
    public let tenantID: TenantID
    public let userID: UserID
    public var roles: Set<Role>
    public var agentID: AgentID?
    public var status: MembershipStatus
    /// The Presence Reason list assigned to this member; nil uses the tenant's default list.
    public var presenceReasonListID: UUID?
    public let createdAt: Date
    public var updatedAt: Date

    public init(tenantID: TenantID, userID: UserID, roles: Set<Role>, agentID: AgentID?, status: MembershipStatus,
                presenceReasonListID: UUID? = nil, createdAt: Date, updatedAt: Date) {
        self.tenantID = tenantID
        self.userID = userID
        self.roles = roles
        self.agentID = agentID
        self.status = status
        self.presenceReasonListID = presenceReasonListID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Roles in their fixed order, for display and storage.
    public var sortedRoles: [Role] { roles.sorted() }
}

/// The tenant's view of a member: the person and their membership together, which is what
/// administrators see and edit.
public struct Member: Sendable, Equatable {
    public var user: User
    public var membership: Membership

    public init(user: User, membership: Membership) {
        self.user = user
        self.membership = membership
    }
}
