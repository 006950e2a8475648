public import Foundation

/// An authenticator app registered by a person: its TOTP secret (sealed), parameters, and the
/// last time step it was used for, so no code works twice. Until confirmed with a code it is
/// an enrolment, which lapses after ``enrollmentLifetimeSeconds``.
public struct MFADevice: Sendable, Equatable {
    public let id: UUID
    public let userID: UserID
    /// The tenant the person enrolled in; part of what the sealed secret is bound to.
    public let tenantID: TenantID
    public var name: String
    public let parameters: TOTPParameters
    public let sealedSecret: String
    public var lastUsedStep: Int64?
    public let createdAt: Date
    public var confirmedAt: Date?

    public static let enrollmentLifetimeSeconds = 600

    public init(id: UUID = UUID(), userID: UserID, tenantID: TenantID, name: String, parameters: TOTPParameters, sealedSecret: String,
                lastUsedStep: Int64? = nil, createdAt: Date, confirmedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.tenantID = tenantID
        self.name = name
        self.parameters = parameters
        self.sealedSecret = sealedSecret
        self.lastUsedStep = lastUsedStep
        self.createdAt = createdAt
        self.confirmedAt = confirmedAt
    }

    public static func sealContext(tenant: TenantID, id: UUID) -> String { "mfa_devices:\(tenant):\(id.uuidString.lowercased())" }
}

/// Devices and recovery codes.
public protocol MFARepository: Sendable {
    func insertEnrollment(_ device: MFADevice) async throws
    func device(_ id: UUID, user: UserID) async throws -> MFADevice?
    /// Confirmed devices of a person, oldest first.
    func devices(user: UserID) async throws -> [MFADevice]
    /// Confirms an enrolment (with the step of the code that proved it) and, for the first
    /// device, stores the recovery codes; with its audit record. False if it was confirmed
    /// meanwhile.
    func confirm(_ id: UUID, user: UserID, at now: Date, step: Int64, recoveryCodeDigests: [String]?, audit: AuditEvent) async throws -> Bool
    /// Records a used step if it is later than the stored one (atomic: of two requests with
    /// the same code, one wins).
    func advance(_ id: UUID, to step: Int64) async throws -> Bool
    /// Deletes one device; deleting the last also deletes the recovery codes.
    func delete(_ id: UUID, user: UserID, audit: AuditEvent) async throws -> Bool
    func replaceRecoveryCodes(user: UserID, digests: [String], audit: AuditEvent) async throws
    /// Marks an unused code used; false if there is none with that digest.
    func useRecoveryCode(user: UserID, digest: String, at now: Date) async throws -> Bool
    func unusedRecoveryCodes(user: UserID) async throws -> Int
    /// Removes every device and code of the person (an administrator's reset), with the
    /// audit record and the email, in one transaction.
    func reset(user: UserID, audit: AuditEvent, outbox: [OutboxEntry]) async throws -> Int
}
