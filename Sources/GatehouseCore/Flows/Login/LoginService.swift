public import Foundation

/// Password sign-in: who is signing in, whether the password is right, whether the account or
/// the client is being guessed at, and the session that results.
///
/// Every failure that could tell whether an account exists (unknown user, wrong password,
/// disabled or invited member, unknown tenant) ends in the same ``LoginError/invalidCredentials``
/// after the same work: a password hash is verified in every case (a decoy when there is no
/// account), and the guess counters are keyed by the name typed, not by the account.
public struct LoginService: Sendable {
    let tenants: any TenantRepository
    let members: any MemberRepository
    let credentials: any PasswordCredentialRepository
    let sessions: any SessionRepository
    let attempts: any AttemptCounterRepository
    let audit: any AuditRepository
    let passwords: PasswordService
    let clock: any WallClock
    let random: any RandomSource
    let clientLimit: ClientAttemptLimit
    let store: any AccountStore
    let passwordRules: PasswordChangeService
    let messaging: AccountMessaging
    let mfa: MFAService
    let presenceGate: PresenceGate

    public init(tenants: any TenantRepository, members: any MemberRepository, credentials: any PasswordCredentialRepository,
                sessions: any SessionRepository, attempts: any AttemptCounterRepository, audit: any AuditRepository,
                passwords: PasswordService, clock: any WallClock, random: any RandomSource, clientLimit: ClientAttemptLimit,
                store: any AccountStore, passwordRules: PasswordChangeService, messaging: AccountMessaging, mfa: MFAService,
                presenceGate: PresenceGate) {
        self.tenants = tenants
        self.members = members
        self.credentials = credentials
        self.sessions = sessions
        self.attempts = attempts
        self.audit = audit
        self.passwords = passwords
        self.clock = clock
        self.random = random
        self.clientLimit = clientLimit
        self.store = store
        self.passwordRules = passwordRules
        self.messaging = messaging
        self.mfa = mfa
        self.presenceGate = presenceGate
    }

    /// What a client sends to sign in.
    public struct Attempt: Sendable {
        public var identifier: LoginIdentifier
        public var password: String
        public var keepSignedIn: Bool
        public var clientIP: String?
        public var userAgent: String?
        /// The digest of the session cookie this browser already had, which the new session replaces.
        public var previousSessionDigest: String?

        public init(identifier: LoginIdentifier, password: String, keepSignedIn: Bool, clientIP: String?, userAgent: String?,
                    previousSessionDigest: String? = nil) {
            self.identifier = identifier
            self.password = password
            self.keepSignedIn = keepSignedIn
            self.clientIP = clientIP
            self.userAgent = userAgent
            self.previousSessionDigest = previousSessionDigest
        }
    }

    /// Signs in, or says why not.
    public func signIn(_ attempt: Attempt) async throws(LoginError) -> LoginOutcome {
        try await Self.asLoginError {
            return try await performSignIn(attempt)
        }
    }

    private func performSignIn(_ attempt: Attempt) async throws -> LoginOutcome {
        let now = clock.now()
        try await checkClientLimit(attempt, at: now)
        let resolved = try await resolve(attempt.identifier)
        let tenantSettings = TenantSettings(document: resolved.tenant?.settings ?? SettingsDocument())
        let lockout = tenantSettings.lockout
        let accountKey = AttemptKey.account(attempt.identifier)
        let counted = try await attempts.count(accountKey, at: now, windowSeconds: lockout.windowSeconds)
        if counted.isLocked(at: now) || counted.attempts > lockout.maxFailures {
            // Parallel guesses beyond the limit are refused before any password is checked.
            let until = counted.lockedUntil ?? now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds))
            try await record(.failure, attempt, resolved, reason: "locked")
            throw LoginError.tooManyAttempts(retryAfterSeconds: Self.seconds(until: until, from: now))
        }

        var credential: StoredPassword?
        if let member = resolved.member { credential = try await store.password(of: member.user.id) }
        let stored = credential?.hash
        let matches: Bool
        do {
            matches = try await passwords.verify(attempt.password, against: stored)
        } catch let busy as PasswordHashingBusy {
            // Not judged, so not counted: a 503 must never lead to a lockout.
            try await attempts.release(accountKey)
            if let ip = attempt.clientIP { try await attempts.release(AttemptKey.client(ip)) }
            throw busy
        }
        guard matches, let member = resolved.member, let tenant = resolved.tenant, member.membership.status == .active else {
            let reason = resolved.member == nil ? "unknown_user" : !matches ? "wrong_password" : "status_\(resolved.member!.membership.status.rawValue)"
            try await record(.failure, attempt, resolved, reason: reason)
            if counted.attempts >= lockout.maxFailures {
                let until = now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds))
                try await attempts.lock(accountKey, until: until)
                try await audit.append(AuditEvent(at: now, tenant: resolved.tenant?.id, actor: .anonymous, action: .accountLock,
                                                  target: resolved.member.map { .user($0.user.id) } ?? .username(attempt.identifier.display),
                                                  outcome: .success, clientIP: attempt.clientIP,
                                                  detail: ["failures": String(counted.attempts), "until": ISO8601DateFormatter().string(from: until)]))
            }
            throw LoginError.invalidCredentials
        }

        try await attempts.clear(accountKey, at: now)
        if let stored, passwords.needsRehash(stored) {
            // The password is known to be right: store it with today's parameters.
            try await credentials.rehash(member.user.id, to: try await passwords.hash(attempt.password), expected: stored)
        }
        if let temporaryUntil = credential?.temporaryUntil {
            guard now < temporaryUntil else {
                try await record(.denied, attempt, resolved, reason: "temporary_password_expired")
                throw LoginError.temporaryPasswordExpired
            }
            // No session yet: the person must choose their own password first.
            let secret = SecretToken(prefix: "lf_", random: random)
            let flow = LoginFlow(tenantID: tenant.id, userID: member.user.id, step: .passwordChange, keepSignedIn: attempt.keepSignedIn,
                                 createdAt: now)
            try await store.insertLoginFlow(flow, digest: secret.digest)
            try await record(.success, attempt, resolved, reason: "password_change_required")
            return .stepRequired(PendingLogin(flowID: secret.plaintext, flow: flow, member: member, tenant: tenant))
        }
        return try await secondFactorOrSession(for: member, in: tenant, attempt: attempt, at: now)
    }

    /// After the password: the code step when the person has a device (and MFA is not off),
    /// enrolment when the tenant requires a device they lack, else the session.
    private func secondFactorOrSession(for member: Member, in tenant: Tenant, attempt: Attempt, at now: Date) async throws -> LoginOutcome {
        let settings = TenantSettings(document: tenant.settings)
        var step: LoginStep?
        if settings.mfa.mode != .off {
            if try await mfa.hasDevice(member.user.id) { step = .mfa }
            else if settings.mfa.requires(member) { step = .mfaEnrollment }
        }
        guard let step else { return try await startSession(for: member, in: tenant, policy: settings.session, attempt: attempt, at: now) }
        let secret = SecretToken(prefix: "lf_", random: random)
        let flow = LoginFlow(tenantID: tenant.id, userID: member.user.id, step: step, keepSignedIn: attempt.keepSignedIn, createdAt: now)
        try await store.insertLoginFlow(flow, digest: secret.digest)
        return .stepRequired(PendingLogin(flowID: secret.plaintext, flow: flow, member: member, tenant: tenant))
    }

    /// Completes the code step with a code from the app or a recovery code. Five wrong answers
    /// end the flow, and each counts towards the account's lockout like a wrong password.
    /// - Throws: ``LoginError``.
    public func completeMFA(flowID: String, code: String?, recoveryCode: String?, attempt: Attempt) async throws(LoginError) -> LoginOutcome {
        try await Self.asLoginError {
            let pending = try await pending(flowID: flowID)
            guard pending.flow.step == .mfa else { throw LoginError.flowExpired }
            let member = pending.member, now = clock.now()
            let usedRecovery = code == nil && recoveryCode != nil
            let digest = SecretToken(presented: flowID).digest
            let accountKey = AttemptKey.account(.email(member.user.email.value, tenant: nil))
            let codeKey = AttemptKey.secondFactor(member.user.id)
            let lockout = TenantSettings(document: pending.tenant.settings).lockout
            // Counted per person before the code is checked, in one atomic step, as passwords
            // are: parallel flows cannot guess past the limit, and the right password of a new
            // sign-in does not clear this count (only a right code does).
            let counted = try await attempts.count(codeKey, at: now, windowSeconds: lockout.windowSeconds)
            if counted.isLocked(at: now) || counted.attempts > lockout.maxFailures {
                try await store.endLoginFlow(digest: digest, at: now)
                try await audit.append(AuditEvent(at: now, tenant: pending.tenant.id, actor: .user(member.user.id), action: .loginMFA,
                                                  target: .user(member.user.id), outcome: .denied, clientIP: attempt.clientIP,
                                                  detail: ["reason": "locked"]))
                let until = counted.lockedUntil ?? now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds))
                throw LoginError.tooManyAttempts(retryAfterSeconds: Self.seconds(until: until, from: now))
            }
            let right = if let code { try await mfa.verify(code: code, for: member.user.id) }
                else if let recoveryCode { try await mfa.useRecoveryCode(recoveryCode, for: member.user.id) }
                else { false }
            guard right else {
                let failures = try await store.recordLoginFlowFailure(digest: digest) ?? LoginFlow.maxFailures
                // Also a failed sign-in of the person's email, so wrong codes and wrong passwords add up.
                let asSignIn = try await attempts.count(accountKey, at: now, windowSeconds: lockout.windowSeconds)
                if counted.attempts >= lockout.maxFailures || asSignIn.attempts >= lockout.maxFailures {
                    // Every name the person signs in with (email, agent ID), so another name
                    // does not open a fresh round of guesses.
                    let until = now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds))
                    try await attempts.lock(codeKey, until: until)
                    for key in AttemptKey.signInNames(of: member, in: pending.tenant.slug) {
                        try await attempts.lock(key, until: until)
                    }
                }
                try await audit.append(AuditEvent(at: now, tenant: pending.tenant.id, actor: .user(member.user.id), action: .loginMFA,
                                                  target: .user(member.user.id), outcome: .failure, clientIP: attempt.clientIP,
                                                  detail: ["reason": usedRecovery ? "wrong_recovery_code" : "wrong_code",
                                                           "failures": String(failures)]))
                if failures >= LoginFlow.maxFailures {
                    try await store.endLoginFlow(digest: digest, at: now)
                    throw LoginError.tooManyCodes
                }
                throw LoginError.invalidCode(remaining: LoginFlow.maxFailures - failures)
            }
            let event = AuditEvent(at: now, tenant: pending.tenant.id, actor: .user(member.user.id), action: .loginMFA,
                                   target: .user(member.user.id), outcome: .success, clientIP: attempt.clientIP,
                                   detail: ["method": usedRecovery ? "recovery_code" : "totp"])
            try await store.transaction { tx in
                guard try await tx.useLoginFlow(digest: digest, at: now) != nil else { throw LoginError.flowExpired }
                try await tx.clearAttempts([accountKey, codeKey])
                try await tx.append([event])
            }
            var continued = attempt
            continued.keepSignedIn = pending.flow.keepSignedIn
            return try await startSession(for: member, in: pending.tenant, policy: TenantSettings(document: pending.tenant.settings).session,
                                          attempt: continued, at: now)
        }
    }

    /// Enrolment inside the sign-in flow (the tenant requires a device the person lacks).
    public func startMFAEnrollment(flowID: String, deviceName: String?) async throws -> MFAService.Enrollment {
        let pending = try await pending(flowID: flowID)
        guard pending.flow.step == .mfaEnrollment else { throw LoginError.flowExpired }
        return try await mfa.enroll(pending.member, in: pending.tenant, name: deviceName)
    }

    /// Confirms the enrolment with a code and signs in; the recovery codes come back once.
    public func completeMFAEnrollment(flowID: String, enrollment: UUID, code: String,
                                      attempt: Attempt) async throws -> (outcome: LoginOutcome, recoveryCodes: [String]?) {
        let pending = try await pending(flowID: flowID)
        guard pending.flow.step == .mfaEnrollment else { throw LoginError.flowExpired }
        let confirmed = try await mfa.confirm(pending.member, in: pending.tenant, enrollment: enrollment, code: code, clientIP: attempt.clientIP)
        let digest = SecretToken(presented: flowID).digest, now = clock.now()
        try await store.transaction { tx in
            guard try await tx.useLoginFlow(digest: digest, at: now) != nil else { throw LoginError.flowExpired }
        }
        var continued = attempt
        continued.keepSignedIn = pending.flow.keepSignedIn
        let outcome = try await startSession(for: pending.member, in: pending.tenant,
                                             policy: TenantSettings(document: pending.tenant.settings).session, attempt: continued, at: now)
        return (outcome, confirmed.recoveryCodes)
    }

    /// A pending sign-in's flow, for the page of its step.
    /// - Throws: ``LoginError/flowExpired`` for an unknown, used or expired flow.
    public func pending(flowID: String) async throws(LoginError) -> PendingLogin {
        try await Self.asLoginError {
            guard let flow = try await store.loginFlow(digest: SecretToken(presented: flowID).digest), clock.now() < flow.expiresAt,
                  let member = try await members.find(tenant: flow.tenantID, user: flow.userID), member.membership.status == .active,
                  let tenant = try await tenants.find(id: flow.tenantID) else { throw LoginError.flowExpired }
            return PendingLogin(flowID: flowID, flow: flow, member: member, tenant: tenant)
        }
    }

    /// Completes a sign-in that waits for a new password (after a temporary one): the new
    /// password must meet the policy and differ from recent ones, the temporary one, included.
    /// - Throws: ``LoginError``; a policy refusal as ``LoginError/passwordPolicy(_:)``, and the flow stays usable.
    public func completePasswordChange(flowID: String, newPassword: String, attempt: Attempt) async throws(LoginError) -> LoginOutcome {
        try await Self.asLoginError {
            let pending = try await pending(flowID: flowID)
            guard pending.flow.step == .passwordChange else { throw LoginError.flowExpired }
            let settings = TenantSettings(document: pending.tenant.settings)
            let hash: PasswordHash
            do {
                hash = try await passwordRules.checkedHash(newPassword, for: pending.member.user, policy: settings.password)
            } catch let violation as PasswordPolicyViolation {
                throw LoginError.passwordPolicy(violation)
            }
            let now = clock.now()
            let calls = try await messaging.webhookCalls([AccountEvent(.userPasswordChanged, member: pending.member, tenant: pending.tenant,
                                                                       reason: "temporary_password_replaced", newPassword: newPassword)],
                                                         at: now)
            let audit = AuditEvent(at: now, tenant: pending.tenant.id, actor: .user(pending.member.user.id), action: .passwordChange,
                                   target: .user(pending.member.user.id), outcome: .success, clientIP: attempt.clientIP,
                                   detail: ["reason": "temporary_password_replaced"])
            let digest = SecretToken(presented: flowID).digest
            let member = pending.member
            try await store.transaction { tx in
                guard try await tx.useLoginFlow(digest: digest, at: now) != nil else { throw LoginError.flowExpired }
                try await tx.setPassword(member.user.id, to: hash, temporaryUntil: nil, keepHistory: settings.password.history, at: now)
                try await tx.enqueue(calls)
                try await tx.append([audit])
            }
            var continued = attempt
            continued.keepSignedIn = pending.flow.keepSignedIn
            return try await secondFactorOrSession(for: member, in: pending.tenant, attempt: continued, at: now)
        }
    }

    /// Continues the sign-in of someone who just set their password another way (an invitation
    /// link): the second factor or its enrolment when the tenant asks for one, else the session.
    public func continueAfterPassword(for member: Member, in tenant: Tenant, attempt: Attempt) async throws(LoginError) -> LoginOutcome {
        try await Self.asLoginError {
            return try await secondFactorOrSession(for: member, in: tenant, attempt: attempt, at: clock.now())
        }
    }

    /// The one place a sign-in becomes a session, after the password and every step: the
    /// rules that decide whether this member may have a session at all are checked here.
    private func startSession(for member: Member, in tenant: Tenant, policy: SessionPolicy, attempt: Attempt,
                              at now: Date) async throws -> LoginOutcome {
        guard try await presenceGate.admits(member, in: tenant) else {
            // Only reached with the right password (and code), so it tells a guesser nothing.
            try await audit.append(AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .loginPassword,
                                              target: .user(member.user.id), outcome: .failure, clientIP: attempt.clientIP,
                                              detail: ["reason": "presence_reason_list_required"]))
            throw LoginError.presenceReasonListRequired
        }
        let session = Session.start(for: member, policy: policy, persistent: attempt.keepSignedIn, at: now,
                                    clientIP: attempt.clientIP, userAgent: attempt.userAgent)
        let secret = SecretToken(prefix: "", random: random)
        let limit = policy.maxConcurrentSessions.map { SessionLimit(maximum: $0, onLimit: policy.onLimit) }
        let event = AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .loginPassword,
                               target: .session(session.id), outcome: .success, clientIP: attempt.clientIP,
                               detail: ["persistent": String(attempt.keepSignedIn)])
        let calls = try await messaging.webhookCalls([AccountEvent(.sessionSignedIn, member: member, tenant: tenant, sessionID: session.id)],
                                                     at: now)
        do {
            let ended = try await sessions.create(session, secretDigest: secret.digest, limit: limit,
                                                  replacing: attempt.previousSessionDigest, audit: event, outbox: calls)
            for id in ended {
                try await audit.append(AuditEvent(at: now, tenant: tenant.id, actor: .system, action: .sessionEnd, target: .session(id),
                                                  outcome: .success, clientIP: attempt.clientIP, detail: ["reason": SessionEndReason.replacedByNewerSession.rawValue]))
            }
        } catch let refused as SessionLimitReached {
            try await audit.append(AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .loginPassword,
                                              target: .user(member.user.id), outcome: .denied, clientIP: attempt.clientIP,
                                              detail: ["reason": "session_limit", "limit": String(refused.limit)]))
            throw LoginError.sessionLimitReached(refused.limit)
        }
        return .signedIn(SignedIn(session: session, secret: secret.plaintext, member: member, tenant: tenant))
    }

    /// Counts the attempt against the client's address; refuses over the limit.
    private func checkClientLimit(_ attempt: Attempt, at now: Date) async throws {
        guard let ip = attempt.clientIP else { return }
        let counted = try await attempts.count(AttemptKey.client(ip), at: now, windowSeconds: clientLimit.windowSeconds)
        if counted.attempts > clientLimit.maximum {
            try await audit.append(AuditEvent(at: now, tenant: nil, actor: .anonymous, action: .loginPassword,
                                              target: .username(attempt.identifier.display), outcome: .denied, clientIP: ip,
                                              detail: ["reason": "client_rate_limited"]))
            throw LoginError.tooManyAttempts(retryAfterSeconds: clientLimit.windowSeconds)
        }
    }

    /// The account a sign-in names, if any, and the tenant it signs in to.
    private func resolve(_ identifier: LoginIdentifier) async throws -> (member: Member?, tenant: Tenant?) {
        var tenant: Tenant?
        if let slug = identifier.tenantSlug {
            guard let parsed = try? TenantSlug(slug), let found = try await tenants.find(slug: parsed) else { return (nil, nil) }
            tenant = found
        }
        switch identifier {
        case .email(let text, _):
            guard let email = try? EmailAddress(text) else { return (nil, tenant) }
            guard let inDefault = try await members.findInDefaultTenant(email: email) else {
                // No such person: follow the policy of the tenant holding the domain, as a real
                // colleague's attempt would, so that lockout thresholds tell nothing.
                if tenant == nil, let holder = try await members.tenantHolding(domain: email.domain) {
                    tenant = try await tenants.find(id: holder)
                }
                return (nil, tenant)
            }
            guard let named = tenant else {
                return (inDefault, try await tenants.find(id: inDefault.membership.tenantID))
            }
            // A tenant named on its own login page: the person's membership there, if any.
            if named.id == inDefault.membership.tenantID { return (inDefault, named) }
            return (try await members.find(tenant: named.id, user: inDefault.user.id), named)
        case .agentID(let text, _):
            guard let tenant, let agentID = try? AgentID(text) else { return (nil, tenant) }
            return (try await members.find(tenant: tenant.id, agentID: agentID), tenant)
        }
    }

    private func record(_ outcome: AuditOutcome, _ attempt: Attempt, _ resolved: (member: Member?, tenant: Tenant?),
                        reason: String) async throws {
        try await audit.append(AuditEvent(at: clock.now(), tenant: resolved.tenant?.id,
                                          actor: resolved.member.map { .user($0.user.id) } ?? .anonymous,
                                          action: .loginPassword,
                                          target: resolved.member.map { .user($0.user.id) } ?? .username(attempt.identifier.display),
                                          outcome: outcome, clientIP: attempt.clientIP, detail: ["reason": reason]))
    }

    /// Runs `body`, passing ``LoginError``s on and turning the rest into the ones callers expect:
    /// a full hashing queue into ``LoginError/busy(retryAfterSeconds:)``, anything else (the
    /// database) into ``LoginError/unavailable(_:)``.
    private static func asLoginError<T>(_ body: () async throws -> T) async throws(LoginError) -> T {
        do {
            return try await body()
        } catch let error as LoginError {
            throw error
        } catch let busy as PasswordHashingBusy {
            throw .busy(retryAfterSeconds: busy.retryAfterSeconds)
        } catch {
            throw .unavailable(error)
        }
    }

    static func seconds(until date: Date, from now: Date) -> Int {
        max(1, Int(date.timeIntervalSince(now).rounded(.up)))
    }
}

/// How a person names their account at sign-in.
public enum LoginIdentifier: Sendable, Equatable {
    /// An email, optionally on a tenant's own login page.
    case email(String, tenant: String?)
    /// An agent ID, which only means something inside a tenant.
    case agentID(String, tenant: String)

    /// What someone typed into a username field: on a tenant's own page, digits alone are an
    /// agent ID; anything else is an email.
    public static func typed(_ username: String, tenant: String?) -> LoginIdentifier {
        if let tenant, !username.contains("@"), !username.isEmpty, username.allSatisfy(\.isNumber) { return .agentID(username, tenant: tenant) }
        return .email(username, tenant: tenant)
    }

    var tenantSlug: String? {
        switch self {
        case .email(_, let tenant): tenant
        case .agentID(_, let tenant): tenant
        }
    }

    /// What was typed, for audit records of attempts that match no account.
    var display: String {
        switch self {
        case .email(let email, _): email
        case .agentID(let id, let tenant): "\(tenant)/\(id)"
        }
    }
}

/// The limit on sign-in attempts from one client address, across all accounts.
public struct ClientAttemptLimit: Sendable, Equatable {
    /// Attempts allowed per window. Contact centers sign whole shifts in from behind one NAT
    /// address, so the default is generous: 1000.
    public var maximum: Int
    /// Seconds. Default 300.
    public var windowSeconds: Int

    public init(maximum: Int = 1000, windowSeconds: Int = 300) {
        self.maximum = maximum
        self.windowSeconds = windowSeconds
    }
}

/// Where a sign-in ended.
public enum LoginOutcome: Sendable {
    case signedIn(SignedIn)
    /// The password was right, but a step is left before a session exists.
    case stepRequired(PendingLogin)
}

/// A completed sign-in: the session and the secret for its cookie (shown only now).
public struct SignedIn: Sendable {
    public let session: Session
    public let secret: String
    public let member: Member
    public let tenant: Tenant
}

/// Why a sign-in did not succeed.
public enum LoginError: Error, Sendable {
    /// Unknown account, wrong password, or an account that may not sign in: one answer for all.
    case invalidCredentials
    case tooManyAttempts(retryAfterSeconds: Int)
    case sessionLimitReached(Int)
    /// The hashing queue is full.
    case busy(retryAfterSeconds: Int)
    /// Right temporary password, but it has expired: an administrator must issue a new one.
    case temporaryPasswordExpired
    /// The sign-in flow is unknown, used, or older than five minutes.
    case flowExpired
    /// A wrong code at the code step; `remaining` more are allowed.
    case invalidCode(remaining: Int)
    /// The fifth wrong code: the flow has ended.
    case tooManyCodes
    /// The new password breaks the tenant's rules.
    case passwordPolicy(PasswordPolicyViolation)
    /// Right credentials, but the member holds a role of `presence_gate_roles` and has no
    /// Presence Reason list (none assigned, no tenant default): no session until they do.
    case presenceReasonListRequired
    /// The database failed; the caller logs it.
    case unavailable(any Error)
}
