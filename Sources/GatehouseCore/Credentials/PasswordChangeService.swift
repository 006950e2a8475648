public import Foundation

/// A person changing their own password: the current one must be right (and guessing it is
/// throttled like sign-in), the new one must meet the tenant's policy and not repeat a recent
/// one; afterwards their other sessions end.
public struct PasswordChangeService: Sendable {
    let credentials: any PasswordCredentialRepository
    let attempts: any AttemptCounterRepository
    let passwords: PasswordService
    let clock: any WallClock
    /// Tells the tenant's webhooks (`user.password_changed`); nil tells no one.
    let messaging: AccountMessaging?

    public init(credentials: any PasswordCredentialRepository, attempts: any AttemptCounterRepository,
                passwords: PasswordService, clock: any WallClock, messaging: AccountMessaging? = nil) {
        self.credentials = credentials
        self.attempts = attempts
        self.passwords = passwords
        self.clock = clock
        self.messaging = messaging
    }

    /// - Throws: ``PasswordChangeError``, ``PasswordPolicyViolation``, ``PasswordHashingBusy``.
    public func change(for member: Member, in tenant: Tenant, current: String, new: String, keepingSession session: UUID?,
                       clientIP: String?) async throws {
        try await verifyCurrent(current, of: member, in: tenant)
        let now = clock.now()
        let settings = TenantSettings(document: tenant.settings)
        let hash = try await checkedHash(new, for: member.user, policy: settings.password)
        let audit = AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .passwordChange,
                               target: .user(member.user.id), outcome: .success, clientIP: clientIP)
        let calls = try await messaging?.webhookCalls([AccountEvent(.userPasswordChanged, member: member, tenant: tenant,
                                                                    reason: "changed_by_user", newPassword: new)], at: now) ?? []
        try await credentials.change(member.user.id, to: hash, keepHistory: settings.password.history,
                                     endingSessionsExcept: session, at: now, audit: audit, outbox: calls)
    }

    /// Checks a person's current password (a password change, or confirming it again before a
    /// sensitive change). Guesses are counted under the tenant's lockout setting, before the
    /// check, and a right password clears the count.
    /// - Throws: ``PasswordChangeError``, ``PasswordHashingBusy``.
    public func verifyCurrent(_ password: String, of member: Member, in tenant: Tenant) async throws {
        let now = clock.now()
        let lockout = TenantSettings(document: tenant.settings).lockout
        let key = AttemptKey.passwordChange(member.user.id)
        let counted = try await attempts.count(key, at: now, windowSeconds: lockout.windowSeconds)
        if counted.isLocked(at: now) || counted.attempts > lockout.maxFailures {
            let until = counted.lockedUntil ?? now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds))
            throw PasswordChangeError.tooManyAttempts(retryAfterSeconds: max(1, Int(until.timeIntervalSince(now).rounded(.up))))
        }
        guard try await passwords.verify(password, against: try await credentials.hash(for: member.user.id)) else {
            if counted.attempts >= lockout.maxFailures {
                try await attempts.lock(key, until: now.addingTimeInterval(TimeInterval(lockout.lockoutSeconds)))
            }
            throw PasswordChangeError.wrongCurrentPassword
        }
        try await attempts.clear(key, at: now)
    }

    /// The hash of `password` if it meets `policy` for `user`, history included.
    /// - Throws: ``PasswordPolicyViolation`` listing every broken rule.
    public func checkedHash(_ password: String, for user: User, policy: PasswordPolicy) async throws -> PasswordHash {
        var violations = policy.violations(of: password, for: .init(user))
        if policy.history > 0 {
            let recent = try await credentials.recent(for: user.id, limit: policy.history)
            if try await passwords.matchesAny(password, of: recent) { violations.append(.reused(policy.history)) }
        }
        guard violations.isEmpty else { throw PasswordPolicyViolation(violations) }
        return try await passwords.hash(password)
    }
}

/// Why a password change was refused (besides the policy).
public enum PasswordChangeError: Error, Sendable, Equatable {
    case wrongCurrentPassword
    case tooManyAttempts(retryAfterSeconds: Int)
}
