public import Foundation

/// A person opening their invitation link and choosing a password. The link works once and
/// only until it expires; accepting activates the member in the same transaction that uses
/// the link.
public struct InvitationAcceptance: Sendable {
    let store: any AccountStore
    let members: any MemberRepository
    let tenants: any TenantRepository
    let passwordRules: PasswordChangeService
    let messaging: AccountMessaging
    let clock: any WallClock

    public init(store: any AccountStore, members: any MemberRepository, tenants: any TenantRepository,
                passwordRules: PasswordChangeService, messaging: AccountMessaging, clock: any WallClock) {
        self.store = store
        self.members = members
        self.tenants = tenants
        self.passwordRules = passwordRules
        self.messaging = messaging
        self.clock = clock
    }

    /// An invitation that can still be accepted, with the person and tenant it is for.
    public struct Pending: Sendable {
        public let member: Member
        public let tenant: Tenant
        public let expiresAt: Date
    }

    /// - Throws: ``LinkUnusable`` saying why the link does not work.
    public func pending(secret: String) async throws -> Pending {
        let digest = SecretToken(presented: secret).digest
        guard let link = try await store.link(digest: digest), link.purpose == .invitation else {
            throw LinkUnusable(.invitation, .unknown)
        }
        let state = link.state(at: clock.now())
        guard state == .valid else { throw LinkUnusable(.invitation, state) }
        guard let member = try await members.find(tenant: link.tenantID, user: link.userID), member.membership.status == .invited,
              let tenant = try await tenants.find(id: link.tenantID) else {
            // Accepted another way meanwhile (a temporary password), or removed.
            throw LinkUnusable(.invitation, .used)
        }
        return Pending(member: member, tenant: tenant, expiresAt: link.expiresAt)
    }

    /// Sets the first password and activates the member.
    /// - Throws: ``LinkUnusable``, ``PasswordPolicyViolation``, ``PasswordHashingBusy``.
    public func accept(secret: String, password: String, clientIP: String?) async throws -> (member: Member, tenant: Tenant) {
        let pending: Pending
        do { pending = try await self.pending(secret: secret) } catch let refused as LinkUnusable {
            try await store.recordRefusedLink(refused, action: .invitationAccept, clientIP: clientIP, at: clock.now())
            throw refused
        }
        let settings = TenantSettings(document: pending.tenant.settings)
        let hash = try await passwordRules.checkedHash(password, for: pending.member.user, policy: settings.password)
        let now = clock.now()
        var member = pending.member
        member.membership.status = .active
        member.membership.updatedAt = now
        let calls = try await messaging.webhookCalls([AccountEvent(.userActivated, member: member, tenant: pending.tenant),
                                                      AccountEvent(.userPasswordChanged, member: member, tenant: pending.tenant,
                                                                   reason: "invitation_accepted", newPassword: password)], at: now)
        let audit = AuditEvent(at: now, tenant: pending.tenant.id, actor: .user(member.user.id), action: .invitationAccept,
                               target: .user(member.user.id), outcome: .success, clientIP: clientIP)
        let digest = SecretToken(presented: secret).digest
        try await store.transaction { [member] tx in
            // The link is spent here, atomically: of two submissions, one wins.
            if case .failure(let unusable) = try await tx.useLink(digest: digest, purpose: .invitation, at: now) { throw unusable }
            try await tx.setPassword(member.user.id, to: hash, temporaryUntil: nil, keepHistory: settings.password.history, at: now)
            try await tx.setStatus(.active, tenant: pending.tenant.id, user: member.user.id, at: now)
            try await tx.enqueue(calls)
            try await tx.append([audit])
        }
        return (member, pending.tenant)
    }
}
