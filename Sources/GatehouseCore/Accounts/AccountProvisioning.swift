public import Foundation

/// How a new member will first sign in.
public enum FirstSignIn: Sendable {
    /// No password yet and no invitation (set later, or the tenant signs in through SSO).
    case none
    /// The administrator chose the first password (already checked against the policy).
    case password(PasswordHash)
    /// An email with a link to set a password; the member is `invited` until then.
    case invitation
    /// A temporary password, shown once to the administrator, changed at first sign-in.
    case temporaryPassword
}

/// A temporary password as the administrator sees it, once.
public struct IssuedTemporaryPassword: Sendable, Equatable {
    public let password: String
    public let expiresAt: Date
    public let format: TemporaryPasswordFormat

    /// Formats made from facts about the person can be guessed by anyone who knows them.
    public var isGuessable: Bool { format == .initialsPhone }
}

/// Creating members with their first way in (invitation or temporary password), re-sending
/// invitations and issuing temporary passwords. Each operation is one transaction with its
/// audit records, emails and webhook calls.
public struct AccountProvisioning: Sendable {
    let store: any AccountStore
    let messaging: AccountMessaging
    let passwords: PasswordService
    let clock: any WallClock
    let random: any RandomSource

    public init(store: any AccountStore, messaging: AccountMessaging, passwords: PasswordService, clock: any WallClock,
                random: any RandomSource) {
        self.store = store
        self.messaging = messaging
        self.passwords = passwords
        self.clock = clock
        self.random = random
    }

    public struct Created: Sendable {
        public let member: Member
        public let temporaryPassword: IssuedTemporaryPassword?
        public let invitationExpiresAt: Date?
    }

    /// Creates a member of `tenant`.
    /// - Throws: ``FieldErrors``, ``Conflict``, ``PasswordHashingBusy``.
    public func create(in tenant: Tenant, _ input: NewMemberInput, firstSignIn: FirstSignIn,
                       context: ActorContext) async throws -> Created {
        var input = input
        if case .invitation = firstSignIn {
            if let status = input.status, status != MembershipStatus.invited.rawValue {
                throw FieldErrors("status", "must be invited (or left out) when an invitation is sent")
            }
            input.status = MembershipStatus.invited.rawValue
        }
        if case .temporaryPassword = firstSignIn, input.status == MembershipStatus.invited.rawValue {
            // An invited member cannot sign in, so the temporary password would never work.
            throw FieldErrors("status", "must be active or disabled (or left out) with a temporary password")
        }
        let draft = try MemberDraft(input)
        let settings = TenantSettings(document: tenant.settings)
        var issued: IssuedTemporaryPassword?
        var hash: PasswordHash?
        var temporaryUntil: Date?
        switch firstSignIn {
        case .password(let given): hash = given
        case .temporaryPassword:
            let made = try makeTemporaryPassword(firstName: draft.firstName, lastName: draft.lastName, phone: draft.phone, settings: settings)
            issued = made
            hash = try await passwords.hash(made.password)
            temporaryUntil = made.expiresAt
        case .none, .invitation: break
        }
        let now = clock.now()
        let member = Member.new(draft, in: tenant.id, at: now)
        var audit = [AuditEvent(at: now, tenant: tenant.id, actor: context.actor, action: .userCreate, target: .user(member.user.id),
                                outcome: .success, clientIP: context.clientIP,
                                detail: ["email": member.user.email.value, "first_sign_in": Self.describe(firstSignIn),
                                         "roles": member.membership.sortedRoles.map(\.rawValue).joined(separator: ",")])]
        var events = [AccountEvent(.userCreated, member: member, tenant: tenant)]
        var outbox: [OutboxEntry] = []
        var link: (OneTimeLink, String)?
        if case .invitation = firstSignIn {
            let (invitation, secret, mail) = invitationLink(for: member, in: tenant, settings: settings, at: now)
            link = (invitation, secret.digest)
            outbox.append(mail)
            audit.append(AuditEvent(at: now, tenant: tenant.id, actor: context.actor, action: .invitationSend, target: .user(member.user.id),
                                    outcome: .success, clientIP: context.clientIP, detail: ["expires_at": invitation.expiresAt.iso8601]))
            events.append(AccountEvent(.userInvited, member: member, tenant: tenant))
        }
        outbox += try await messaging.webhookCalls(events, at: now, after: outbox.count)
        try await store.transaction { [outbox, audit, link, hash, temporaryUntil] tx in
            try await tx.insertMember(member, password: hash, temporaryUntil: temporaryUntil)
            if let link { try await tx.insertLink(link.0, digest: link.1, at: now) }
            try await tx.enqueue(outbox)
            try await tx.append(audit)
        }
        return Created(member: member, temporaryPassword: issued, invitationExpiresAt: link?.0.expiresAt)
    }

    /// Sends a new invitation; the earlier link stops working.
    /// - Throws: ``NotInvited`` unless the member is still `invited`.
    public func resendInvitation(to member: Member, in tenant: Tenant, context: ActorContext) async throws -> Date {
        guard member.membership.status == .invited else { throw NotInvited() }
        let now = clock.now()
        let (invitation, secret, mail) = invitationLink(for: member, in: tenant, settings: TenantSettings(document: tenant.settings), at: now)
        let calls = try await messaging.webhookCalls([AccountEvent(.userInvited, member: member, tenant: tenant)], at: now, after: 1)
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: context.actor, action: .invitationSend, target: .user(member.user.id),
                               outcome: .success, clientIP: context.clientIP, detail: ["expires_at": invitation.expiresAt.iso8601, "resend": "true"])
        try await store.transaction { tx in
            try await tx.insertLink(invitation, digest: secret.digest, at: now)
            try await tx.enqueue([mail] + calls)
            try await tx.append([audit])
        }
        return invitation.expiresAt
    }

    /// Replaces the member's password with a new temporary one and ends their sessions. An
    /// invited member becomes active (their invitation link stops working).
    public func issueTemporaryPassword(to member: Member, in tenant: Tenant,
                                       context: ActorContext) async throws -> IssuedTemporaryPassword {
        if member.membership.status == .disabled { throw MemberDisabled() }
        let settings = TenantSettings(document: tenant.settings)
        let issued = try makeTemporaryPassword(firstName: member.user.firstName, lastName: member.user.lastName, phone: member.user.phone,
                                               settings: settings)
        let hash = try await passwords.hash(issued.password)
        let now = clock.now()
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: context.actor, action: .temporaryPasswordIssue, target: .user(member.user.id),
                               outcome: .success, clientIP: context.clientIP,
                               detail: ["format": issued.format.rawValue, "expires_at": issued.expiresAt.iso8601])
        try await store.transaction { tx in
            try await tx.setPassword(member.user.id, to: hash, temporaryUntil: issued.expiresAt, keepHistory: settings.password.history, at: now)
            if member.membership.status == .invited {
                try await tx.setStatus(.active, tenant: tenant.id, user: member.user.id, at: now)
                try await tx.revokeLinks(user: member.user.id, purpose: .invitation, at: now)
            }
            _ = try await tx.endSessions(user: member.user.id, tenant: nil, except: nil, reason: .passwordChanged, at: now)
            try await tx.append([audit])
        }
        return issued
    }

    private func makeTemporaryPassword(firstName: String, lastName: String, phone: PhoneNumber?,
                                       settings: TenantSettings) throws -> IssuedTemporaryPassword {
        let format = settings.account.temporaryPasswordFormat
        let password = switch format {
        case .random: TemporaryPassword.random(policy: settings.password, random: random)
        case .initialsPhone: try TemporaryPassword.initialsAndPhone(firstName: firstName, lastName: lastName, phone: phone)
        }
        let expiresAt = clock.now().addingTimeInterval(TimeInterval(settings.account.temporaryPasswordTTLSeconds))
        return IssuedTemporaryPassword(password: password, expiresAt: expiresAt, format: format)
    }

    private func invitationLink(for member: Member, in tenant: Tenant, settings: TenantSettings,
                                at now: Date) -> (OneTimeLink, SecretToken, OutboxEntry) {
        let secret = SecretToken(prefix: OneTimeLink.secretPrefix(.invitation), random: random)
        let ttl = settings.account.invitationTTLSeconds
        let link = OneTimeLink(purpose: .invitation, tenantID: tenant.id, userID: member.user.id, createdAt: now,
                               expiresAt: now.addingTimeInterval(TimeInterval(ttl)))
        let mail = messaging.mail("invitation", to: member, tenant: tenant,
                                  values: ["link": messaging.link("/invitations/\(secret.plaintext)"),
                                           "valid_for": Self.duration(seconds: ttl), "valid_for_seconds": String(ttl)], at: now)
        return (link, secret, mail)
    }

    static func describe(_ firstSignIn: FirstSignIn) -> String {
        switch firstSignIn {
        case .none: "none"
        case .password: "password"
        case .invitation: "invitation"
        case .temporaryPassword: "temporary_password"
        }
    }

    /// "24 hours", "60 minutes": how long a link works, for the email.
    public static func duration(seconds: Int) -> String {
        if seconds % 86400 == 0 && seconds >= 172_800 { return "\(seconds / 86400) days" }
        if seconds % 3600 == 0 { return seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
        if seconds % 60 == 0 { return seconds == 60 ? "1 minute" : "\(seconds / 60) minutes" }
        return seconds == 1 ? "1 second" : "\(seconds) seconds"
    }
}

/// The member has already accepted their invitation (or never had one).
public struct NotInvited: Error, Sendable {}
/// The member is disabled; enable them first.
public struct MemberDisabled: Error, Sendable {}
