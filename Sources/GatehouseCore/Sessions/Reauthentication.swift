public import Foundation

/// When a session last proved its password.
public protocol ReauthenticationRepository: Sendable {
    func record(session: UUID, at now: Date, audit: AuditEvent) async throws
    func last(session: UUID) async throws -> Date?
}

/// Sensitive changes (removing a second factor, new recovery codes) need the password given
/// within the last five minutes: at sign-in, or again on request. Guesses count like those at a
/// password change.
public struct Reauthentication: Sendable {
    let repository: any ReauthenticationRepository
    let credentials: any PasswordCredentialRepository
    let attempts: any AttemptCounterRepository
    let passwords: PasswordService
    let clock: any WallClock

    public static let windowSeconds: TimeInterval = 300

    public init(repository: any ReauthenticationRepository, credentials: any PasswordCredentialRepository,
                attempts: any AttemptCounterRepository, passwords: PasswordService, clock: any WallClock) {
        self.repository = repository
        self.credentials = credentials
        self.attempts = attempts
        self.passwords = passwords
        self.clock = clock
    }

    /// Whether `session` gave the password recently enough.
    public func isRecent(_ session: Session) async throws -> Bool {
        let now = clock.now()
        if now.timeIntervalSince(session.createdAt) < Self.windowSeconds { return true }
        guard let last = try await repository.last(session: session.id) else { return false }
        return now.timeIntervalSince(last) < Self.windowSeconds
    }

    /// Checks the password again and records the time.
    /// - Throws: ``PasswordChangeError`` (wrong password, too many attempts).
    public func confirm(_ password: String, member: Member, tenant: Tenant, session: Session, clientIP: String?) async throws {
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
        try await repository.record(session: session.id, at: now,
                                    audit: AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .sessionReauthenticate,
                                                      target: .session(session.id), outcome: .success, clientIP: clientIP))
    }
}
