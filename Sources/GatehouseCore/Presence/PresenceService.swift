public import Foundation

/// An agent's own presence: available, or away for one of the reasons of their effective
/// Presence Reason list (the one assigned to them, else the tenant's default).
public struct PresenceService: Sendable {
    let lists: any PresenceReasonListRepository
    let presence: any AgentPresenceRepository
    let clock: any WallClock

    public init(lists: any PresenceReasonListRepository, presence: any AgentPresenceRepository, clock: any WallClock) {
        self.lists = lists
        self.presence = presence
        self.clock = clock
    }

    /// A member's presence as they see it.
    public struct Current: Sendable, Equatable {
        public let state: PresenceState
        /// The reason, while it is still on the member's list (a reason removed from the
        /// list since, or a list changed since, reads as none).
        public let reason: PresenceReason?
        /// Nil until the member first reports a presence.
        public let updatedAt: Date?
        /// The member's effective list, if any.
        public let list: PresenceReasonList?
    }

    /// Someone who never reported a presence is `away` without a reason: nobody routes
    /// contacts to an agent before they say they are available.
    public static let initialState = PresenceState.away

    public func current(of member: Member) async throws -> Current {
        let list = try await lists.effective(tenant: member.membership.tenantID, assigned: member.membership.presenceReasonListID)
        guard let stored = try await presence.find(tenant: member.membership.tenantID, user: member.user.id) else {
            return Current(state: Self.initialState, reason: nil, updatedAt: nil, list: list)
        }
        return Current(state: stored.state, reason: stored.reasonID.flatMap { list?.reason($0) }, updatedAt: stored.updatedAt, list: list)
    }

    /// Reports the member's presence.
    /// - Parameter reasonID: required for `away` (the caller checks), optional for `available`.
    /// - Throws: ``PresenceError/listRequired`` without an effective list;
    ///   ``PresenceError/unknownReason`` for a reason that is not on it.
    public func set(_ state: PresenceState, reasonID: String?, for member: Member) async throws -> Current {
        guard let list = try await lists.effective(tenant: member.membership.tenantID, assigned: member.membership.presenceReasonListID) else {
            throw PresenceError.listRequired
        }
        var reason: PresenceReason?
        if let reasonID {
            guard let id = UUID(uuidString: reasonID), let found = list.reason(id) else { throw PresenceError.unknownReason }
            reason = found
        }
        let now = clock.now()
        try await presence.save(AgentPresence(state: state, reasonID: reason?.id, updatedAt: now), tenant: member.membership.tenantID,
                                user: member.user.id)
        return Current(state: state, reason: reason, updatedAt: now, list: list)
    }
}
