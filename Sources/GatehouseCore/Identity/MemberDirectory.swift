public import Foundation

/// The administrator's operations on a tenant's members, each recorded in the audit log in
/// the same transaction as the change.
public struct MemberDirectory<Members: MemberRepository>: Sendable {
    let members: Members
    let clock: any WallClock

    public init(members: Members, clock: any WallClock) {
        self.members = members
        self.clock = clock
    }

    /// Who is acting and from where, for the audit record.
    public struct Context: Sendable {
        public let actor: AuditActor
        public let clientIP: String?
        public init(actor: AuditActor, clientIP: String?) {
            self.actor = actor
            self.clientIP = clientIP
        }
    }

    /// Creates a member of `tenant`.
    /// - Throws: ``FieldErrors`` for bad input, ``Conflict`` for a taken email or agent ID.
    public func create(in tenant: TenantID, _ input: NewMemberInput, password: PasswordHash? = nil,
                       context: Context) async throws -> Member {
        let draft = try MemberDraft(input)
        let now = clock.now()
        let member = Member.new(draft, in: tenant, at: now)
        let audit = AuditEvent(at: now, tenant: tenant, actor: context.actor, action: .userCreate,
                               target: .user(member.user.id), outcome: .success, clientIP: context.clientIP,
                               detail: ["email": member.user.email.value,
                                        "roles": member.membership.sortedRoles.map(\.rawValue).joined(separator: ",")])
        try await members.create(member, password: password, audit: audit)
        return member
    }

    public func find(in tenant: TenantID, id: UserID) async throws -> Member {
        guard let member = try await members.find(tenant: tenant, user: id) else { throw NotFound("No such user in this tenant.") }
        return member
    }

    public func list(in tenant: TenantID, query: MemberQuery) async throws -> MemberPage {
        try await members.list(tenant: tenant, query: query)
    }

    /// Applies changes to a member.
    /// - Throws: ``NotFound``, ``FieldErrors``, ``Conflict``.
    /// - Parameter outbox: the messages the change causes (webhook calls), from the member
    ///   before and after; written in the same transaction.
    public func update(in tenant: TenantID, id: UserID, _ input: MemberChangesInput, context: Context,
                       outbox: @Sendable (_ before: Member, _ after: Member) async throws -> [OutboxEntry] = { _, _ in [] }) async throws -> Member {
        var member = try await find(in: tenant, id: id)
        let before = member
        let now = clock.now()
        try member.apply(input, at: now)
        let audit = AuditEvent(at: now, tenant: tenant, actor: context.actor, action: .userUpdate, target: .user(id),
                               outcome: .success, clientIP: context.clientIP, detail: before.changedFields(to: member))
        try await members.update(member, audit: audit, outbox: try await outbox(before, member))
        return member
    }

    /// Removes a member from the tenant.
    /// - Throws: ``NotFound``.
    public func delete(in tenant: TenantID, id: UserID, context: Context) async throws {
        let audit = AuditEvent(at: clock.now(), tenant: tenant, actor: context.actor, action: .userDelete, target: .user(id),
                               outcome: .success, clientIP: context.clientIP)
        guard try await members.delete(tenant: tenant, user: id, audit: audit) else { throw NotFound("No such user in this tenant.") }
    }
}

extension Member {
    /// A new active member from a checked draft.
    public static func new(_ draft: MemberDraft, in tenant: TenantID, at now: Date) -> Member {
        let user = User(email: draft.email, firstName: draft.firstName, lastName: draft.lastName, phone: draft.phone,
                        language: draft.language, defaultTenantID: tenant, createdAt: now, updatedAt: now)
        let membership = Membership(tenantID: tenant, userID: user.id, roles: draft.roles, agentID: draft.agentID,
                                    status: draft.status, presenceReasonListID: draft.presenceReasonListID, createdAt: now, updatedAt: now)
        return Member(user: user, membership: membership)
    }

    /// Names of the fields that differ, with their new values (for the audit record).
    func changedFields(to other: Member) -> [String: String] {
        var detail: [String: String] = [:]
        if user.email != other.user.email { detail["email"] = other.user.email.value }
        if user.firstName != other.user.firstName { detail["first_name"] = other.user.firstName }
        if user.lastName != other.user.lastName { detail["last_name"] = other.user.lastName }
        if user.phone != other.user.phone { detail["phone"] = other.user.phone?.value ?? "" }
        if user.language != other.user.language { detail["language"] = other.user.language.value }
        if membership.agentID != other.membership.agentID { detail["agent_id"] = other.membership.agentID?.value ?? "" }
        if membership.roles != other.membership.roles {
            detail["roles"] = other.membership.sortedRoles.map(\.rawValue).joined(separator: ",")
        }
        if membership.status != other.membership.status { detail["status"] = other.membership.status.rawValue }
        if membership.presenceReasonListID != other.membership.presenceReasonListID {
            detail["presence_reason_list_id"] = other.membership.presenceReasonListID?.uuidString.lowercased() ?? ""
        }
        return detail
    }
}
