public import Foundation

/// A sign-in that got past the password but has a step left before any session exists (a
/// temporary password to replace; later, a second factor). Known to the client by a bearer
/// id (`flow_id`) of which only the SHA-256 is stored; it works once and for five minutes.
public struct LoginFlow: Sendable, Equatable {
    public let tenantID: TenantID
    public let userID: UserID
    public let step: LoginStep
    public let keepSignedIn: Bool
    public let createdAt: Date
    public let expiresAt: Date

    public static let lifetimeSeconds = 300
    /// Wrong codes after which a flow ends.
    public static let maxFailures = 5

    public init(tenantID: TenantID, userID: UserID, step: LoginStep, keepSignedIn: Bool, createdAt: Date) {
        self.init(tenantID: tenantID, userID: userID, step: step, keepSignedIn: keepSignedIn, createdAt: createdAt,
                  expiresAt: createdAt.addingTimeInterval(TimeInterval(Self.lifetimeSeconds)))
    }

    public init(tenantID: TenantID, userID: UserID, step: LoginStep, keepSignedIn: Bool, createdAt: Date, expiresAt: Date) {
        self.tenantID = tenantID
        self.userID = userID
        self.step = step
        self.keepSignedIn = keepSignedIn
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The step a sign-in waits at.
public enum LoginStep: String, Sendable, Equatable {
    /// Signed in with a temporary password: a new one must be chosen first.
    case passwordChange = "password_change"
    /// A code from the person's authenticator app (or a recovery code).
    case mfa
    /// The tenant requires a second factor and the person has none: enrol one now.
    case mfaEnrollment = "mfa_enrollment"
}

/// A sign-in waiting at a step: what the client needs to continue.
public struct PendingLogin: Sendable {
    /// The bearer id of the flow, shown only now.
    public let flowID: String
    public let flow: LoginFlow
    public let member: Member
    public let tenant: Tenant
}
