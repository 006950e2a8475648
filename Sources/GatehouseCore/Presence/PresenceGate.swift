/// The sign-in rule of Presence Reasons: a member holding one of the tenant's
/// `presence_gate_roles` gets no session without a Presence Reason list to report their
/// state with (one assigned to them, or the tenant's default).
///
/// Password sign-in applies it where the session is made, after every other step; single
/// sign-on is meant to apply it the same way.
public struct PresenceGate: Sendable {
    let lists: any PresenceReasonListRepository

    public init(lists: any PresenceReasonListRepository) {
        self.lists = lists
    }

    /// Whether `member` may have a session in `tenant`.
    public func admits(_ member: Member, in tenant: Tenant) async throws -> Bool {
        guard TenantSettings(document: tenant.settings).presence.gates(member) else { return true }
        return try await lists.effective(tenant: tenant.id, assigned: member.membership.presenceReasonListID) != nil
    }
}
