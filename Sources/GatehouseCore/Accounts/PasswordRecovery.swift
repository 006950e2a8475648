public import Foundation

/// A started forgot-password request: the person saw the masked address and may confirm it.
/// Requests for names that match no account are stored too, so both kinds cost the same and
/// the following steps behave the same (except that no email leaves).
public struct RecoveryRequest: Sendable, Equatable {
    public let tenantID: TenantID?
    public let userID: UserID?
    public let maskedEmail: String
    public let createdAt: Date
    public let expiresAt: Date
    public var confirmedAt: Date?

    public init(tenantID: TenantID?, userID: UserID?, maskedEmail: String, createdAt: Date, expiresAt: Date, confirmedAt: Date? = nil) {
        self.tenantID = tenantID
        self.userID = userID
        self.maskedEmail = maskedEmail
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.confirmedAt = confirmedAt
    }

    /// A request is confirmed within this many seconds of starting it.
    public static let lifetimeSeconds = 900
}

/// Storage of forgot-password requests (by the digest of their id, which is a bearer secret).
public protocol RecoveryRequestRepository: Sendable {
    func insert(_ request: RecoveryRequest, digest: String, audit: AuditEvent) async throws
    func find(digest: String) async throws -> RecoveryRequest?
}

/// Too many forgot-password requests for one name or from one address.
public struct RecoveryRateLimited: Error, Sendable {
    public let retryAfterSeconds: Int
}

/// Forgot password, Webex CCE's way: name the account, confirm the masked address on record,
/// receive a single-use reset link, set a new password (policy and history apply), and every
/// session ends.
///
/// Nothing tells whether an account exists: an unknown name gets a stable believable masked
/// address, the same work, the same answers, and no email.
public struct PasswordRecovery: Sendable {
    let store: any AccountStore
    let requests: any RecoveryRequestRepository
    let members: any MemberRepository
    let tenants: any TenantRepository
    let attempts: any AttemptCounterRepository
    let passwordRules: PasswordChangeService
    let messaging: AccountMessaging
    let decoyKey: @Sendable (String) -> [UInt8]
    let clock: any WallClock
    let random: any RandomSource
    let limits: Limits

    /// Requests allowed per name and per client address in an hour.
    public struct Limits: Sendable {
        public var perName: Int
        public var perClient: Int
        public var windowSeconds: Int
        public init(perName: Int = 5, perClient: Int = 50, windowSeconds: Int = 3600) {
            self.perName = perName
            self.perClient = perClient
            self.windowSeconds = windowSeconds
        }
    }

    public init(store: any AccountStore, requests: any RecoveryRequestRepository, members: any MemberRepository,
                tenants: any TenantRepository, attempts: any AttemptCounterRepository, passwordRules: PasswordChangeService,
                messaging: AccountMessaging, decoyKey: @escaping @Sendable (String) -> [UInt8], clock: any WallClock,
                random: any RandomSource, limits: Limits = Limits()) {
        self.store = store
        self.requests = requests
        self.members = members
        self.tenants = tenants
        self.attempts = attempts
        self.passwordRules = passwordRules
        self.messaging = messaging
        self.decoyKey = decoyKey
        self.clock = clock
        self.random = random
        self.limits = limits
    }

    public struct Started: Sendable {
        /// The bearer id of this request (for the confirm step).
        public let recoveryID: String
        public let maskedEmail: String
    }

    /// Step 1: which account, and the masked address to confirm.
    /// - Throws: ``RecoveryRateLimited``.
    public func start(_ identifier: LoginIdentifier, clientIP: String?) async throws -> Started {
        let now = clock.now()
        try await checkLimit("recovery:" + AttemptKey.account(identifier), maximum: limits.perName, at: now)
        if let clientIP { try await checkLimit("recovery-client:" + clientIP, maximum: limits.perClient, at: now) }
        let found = try await resolve(identifier)
        let masked = found.map { EmailMask.mask($0.member.user.email) } ?? EmailMask.decoy(forUsername: identifier.display,
                                                                                            mac: decoyKey(AttemptKey.account(identifier)))
        let secret = SecretToken(prefix: "rcv_", random: random)
        let request = RecoveryRequest(tenantID: found?.tenant.id, userID: found?.member.user.id, maskedEmail: masked, createdAt: now,
                                      expiresAt: now.addingTimeInterval(TimeInterval(RecoveryRequest.lifetimeSeconds)))
        let audit = AuditEvent(at: now, tenant: found?.tenant.id, actor: .anonymous, action: .passwordRecoveryStart,
                               target: found.map { .user($0.member.user.id) } ?? .username(identifier.display),
                               outcome: found == nil ? .failure : .success, clientIP: clientIP,
                               detail: found == nil ? ["reason": "no_eligible_account"] : [:])
        try await requests.insert(request, digest: secret.digest, audit: audit)
        return Started(recoveryID: secret.plaintext, maskedEmail: masked)
    }

    /// The masked address of a started request, for the confirm page.
    /// - Throws: ``NotFound`` for an unknown or expired request.
    public func masked(recoveryID: String) async throws -> String {
        guard let request = try await requests.find(digest: SecretToken(presented: recoveryID).digest), clock.now() < request.expiresAt else {
            throw NotFound("This password reset request has expired. Start again.")
        }
        return request.maskedEmail
    }

    /// Step 2: the person confirmed the address; the reset link goes out (to real accounts only).
    /// - Throws: ``NotFound`` for an unknown or expired request.
    public func confirm(recoveryID: String, clientIP: String?) async throws {
        let now = clock.now()
        guard let request = try await requests.find(digest: SecretToken(presented: recoveryID).digest), now < request.expiresAt else {
            throw NotFound("This password reset request has expired. Start again.")
        }
        var mail: [OutboxEntry] = []
        var link: (OneTimeLink, String)?
        if let tenantID = request.tenantID, let userID = request.userID, request.confirmedAt == nil,
           let member = try await members.find(tenant: tenantID, user: userID), member.membership.status == .active,
           let tenant = try await tenants.find(id: tenantID) {
            let ttl = TenantSettings(document: tenant.settings).account.resetLinkTTLSeconds
            let secret = SecretToken(prefix: OneTimeLink.secretPrefix(.passwordReset), random: random)
            link = (OneTimeLink(purpose: .passwordReset, tenantID: tenantID, userID: userID, createdAt: now,
                                expiresAt: now.addingTimeInterval(TimeInterval(ttl))), secret.digest)
            mail = [messaging.mail("password_reset", to: member, tenant: tenant,
                                   values: ["link": messaging.link("/password/reset/\(secret.plaintext)"),
                                            "valid_for": AccountProvisioning.duration(seconds: ttl), "valid_for_seconds": String(ttl)], at: now)]
        }
        let audit = AuditEvent(at: now, tenant: request.tenantID, actor: .anonymous, action: .passwordRecoveryConfirm,
                               target: request.userID.map { .user($0) } ?? .username(request.maskedEmail),
                               outcome: link == nil ? .failure : .success, clientIP: clientIP,
                               detail: link == nil ? ["reason": request.confirmedAt == nil ? "no_eligible_account" : "already_confirmed"] : [:])
        let digest = SecretToken(presented: recoveryID).digest
        try await store.transaction { [mail, link] tx in
            // Confirming twice sends one email: the second confirmation finds it already done.
            guard try await tx.confirmRecovery(digest: digest, at: now) else { try await tx.append([audit]); return }
            if let link { try await tx.insertLink(link.0, digest: link.1, at: now) }
            try await tx.enqueue(mail)
            try await tx.append([audit])
        }
    }

    /// Whether a reset link works, for its page.
    /// - Throws: ``LinkUnusable``.
    public func checkResetLink(_ secret: String) async throws -> (member: Member, tenant: Tenant) {
        guard let link = try await store.link(digest: SecretToken(presented: secret).digest), link.purpose == .passwordReset else {
            throw LinkUnusable(.passwordReset, .unknown)
        }
        let state = link.state(at: clock.now())
        guard state == .valid else { throw LinkUnusable(.passwordReset, state) }
        guard let member = try await members.find(tenant: link.tenantID, user: link.userID), member.membership.status == .active,
              let tenant = try await tenants.find(id: link.tenantID) else { throw LinkUnusable(.passwordReset, .unknown) }
        return (member, tenant)
    }

    /// Step 3: the new password. Every session of the person ends; lockouts are lifted.
    /// - Throws: ``LinkUnusable``, ``PasswordPolicyViolation``, ``PasswordHashingBusy``.
    public func reset(secret: String, newPassword: String, clientIP: String?) async throws {
        let member: Member, tenant: Tenant
        do { (member, tenant) = try await checkResetLink(secret) } catch let refused as LinkUnusable {
            try await store.recordRefusedLink(refused, action: .passwordReset, clientIP: clientIP, at: clock.now())
            throw refused
        }
        let settings = TenantSettings(document: tenant.settings)
        let hash = try await passwordRules.checkedHash(newPassword, for: member.user, policy: settings.password)
        let now = clock.now()
        let calls = try await messaging.webhookCalls([AccountEvent(.userPasswordChanged, member: member, tenant: tenant,
                                                                   reason: "password_reset", newPassword: newPassword)], at: now)
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .passwordReset,
                               target: .user(member.user.id), outcome: .success, clientIP: clientIP)
        let digest = SecretToken(presented: secret).digest
        try await store.transaction { tx in
            if case .failure(let unusable) = try await tx.useLink(digest: digest, purpose: .passwordReset, at: now) { throw unusable }
            try await tx.setPassword(member.user.id, to: hash, temporaryUntil: nil, keepHistory: settings.password.history, at: now)
            _ = try await tx.endSessions(user: member.user.id, tenant: nil, except: nil, reason: .passwordChanged, at: now)
            try await tx.clearAttempts(AttemptKey.all(for: member, in: tenant.slug))
            try await tx.enqueue(calls)
            try await tx.append([audit])
        }
    }

    private func checkLimit(_ key: String, maximum: Int, at now: Date) async throws {
        let counted = try await attempts.count(key, at: now, windowSeconds: limits.windowSeconds)
        if counted.attempts > maximum { throw RecoveryRateLimited(retryAfterSeconds: limits.windowSeconds) }
    }

    /// The account a name points to, if it may reset its password.
    private func resolve(_ identifier: LoginIdentifier) async throws -> (member: Member, tenant: Tenant)? {
        var member: Member?
        switch identifier {
        case .email(let text, _):
            guard let email = try? EmailAddress(text) else { return nil }
            member = try await members.findInDefaultTenant(email: email)
        case .agentID(let text, let slug):
            guard let parsed = try? TenantSlug(slug), let tenant = try await tenants.find(slug: parsed),
                  let agentID = try? AgentID(text) else { return nil }
            member = try await members.find(tenant: tenant.id, agentID: agentID)
        }
        guard let member, member.membership.status == .active, let tenant = try await tenants.find(id: member.membership.tenantID) else {
            return nil
        }
        return (member, tenant)
    }
}
