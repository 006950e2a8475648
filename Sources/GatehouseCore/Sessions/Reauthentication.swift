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
    let passwordRules: PasswordChangeService
    let clock: any WallClock

    public static let windowSeconds: TimeInterval = 300

    public init(repository: any ReauthenticationRepository, passwordRules: PasswordChangeService, clock: any WallClock) {
        self.repository = repository
        self.passwordRules = passwordRules
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
        try await passwordRules.verifyCurrent(password, of: member, in: tenant)
        let now = clock.now()
        try await repository.record(session: session.id, at: now,
                                    audit: AuditEvent(at: now, tenant: tenant.id, actor: .user(member.user.id), action: .sessionReauthenticate,
                                                      target: .session(session.id), outcome: .success, clientIP: clientIP))
    }
}
