public import Foundation

/// One security-relevant fact, appended and never changed: who did what to whom, when, from
/// where, and how it ended.
public struct AuditEvent: Sendable, Equatable {
    public let id: UUID
    public let occurredAt: Date
    /// Nil for server-wide events (first-run set-up link issued).
    public let tenantID: TenantID?
    public let actor: AuditActor
    public let action: AuditAction
    public let target: AuditTarget?
    public let outcome: AuditOutcome
    public let clientIP: String?
    public let detail: [String: String]

    public init(id: UUID = UUID(), at occurredAt: Date, tenant tenantID: TenantID?, actor: AuditActor,
                action: AuditAction, target: AuditTarget? = nil, outcome: AuditOutcome, clientIP: String? = nil,
                detail: [String: String] = [:]) {
        self.id = id
        self.occurredAt = occurredAt
        self.tenantID = tenantID
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.clientIP = clientIP
        self.detail = detail
    }
}

/// Who acted.
public struct AuditActor: Sendable, Equatable {
    /// `user`, `api_token`, `cli`, `setup_link`, `anonymous`, `system`.
    public let kind: String
    public let id: String?

    public init(kind: String, id: String?) {
        self.kind = kind
        self.id = id
    }

    public static func user(_ id: UserID) -> AuditActor { AuditActor(kind: "user", id: id.description) }
    public static func apiToken(_ id: UUID) -> AuditActor { AuditActor(kind: "api_token", id: id.uuidString.lowercased()) }
    /// The `gatehouse` command line, run by whoever has access to the server's database.
    public static let commandLine = AuditActor(kind: "cli", id: nil)
    public static let setupLink = AuditActor(kind: "setup_link", id: nil)
    public static let anonymous = AuditActor(kind: "anonymous", id: nil)
    public static let system = AuditActor(kind: "system", id: nil)
}

/// What was acted upon.
public struct AuditTarget: Sendable, Equatable {
    public let kind: String
    public let id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func user(_ id: UserID) -> AuditTarget { AuditTarget(kind: "user", id: id.description) }
    public static func tenant(_ id: TenantID) -> AuditTarget { AuditTarget(kind: "tenant", id: id.description) }
    public static func session(_ id: UUID) -> AuditTarget { AuditTarget(kind: "session", id: id.uuidString.lowercased()) }
    /// A sign-in name as typed, for attempts that match no account.
    public static func username(_ name: String) -> AuditTarget { AuditTarget(kind: "username", id: String(name.prefix(200))) }
}

/// How it ended.
public enum AuditOutcome: String, Sendable, Codable {
    case success
    /// Refused because the input was wrong (bad credential, conflict).
    case failure
    /// Refused by an access rule.
    case denied
}

/// The name of an action, `noun.verb`, stable for filtering and export.
public struct AuditAction: RawRepresentable, Sendable, Hashable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let tenantCreate = AuditAction(rawValue: "tenant.create")
    public static let userCreate = AuditAction(rawValue: "user.create")
    public static let userUpdate = AuditAction(rawValue: "user.update")
    public static let userDelete = AuditAction(rawValue: "user.delete")
    public static let apiTokenCreate = AuditAction(rawValue: "api_token.create")
    public static let apiAuthenticate = AuditAction(rawValue: "api.authenticate")
    public static let apiAuthorize = AuditAction(rawValue: "api.authorize")
    public static let setupLinkIssue = AuditAction(rawValue: "setup.link_issue")
    public static let setupComplete = AuditAction(rawValue: "setup.complete")
    public static let loginPassword = AuditAction(rawValue: "login.password")
    public static let accountLock = AuditAction(rawValue: "account.lock")
    public static let accountUnlock = AuditAction(rawValue: "account.unlock")
    public static let sessionStart = AuditAction(rawValue: "session.start")
    public static let sessionEnd = AuditAction(rawValue: "session.end")
    public static let sessionEndAll = AuditAction(rawValue: "session.end_all")
    public static let passwordChange = AuditAction(rawValue: "password.change")
    public static let settingsUpdate = AuditAction(rawValue: "settings.update")
    public static let invitationSend = AuditAction(rawValue: "invitation.send")
    public static let invitationAccept = AuditAction(rawValue: "invitation.accept")
    public static let temporaryPasswordIssue = AuditAction(rawValue: "temporary_password.issue")
    public static let passwordRecoveryStart = AuditAction(rawValue: "password_recovery.start")
    public static let passwordRecoveryConfirm = AuditAction(rawValue: "password_recovery.confirm")
    public static let passwordReset = AuditAction(rawValue: "password.reset")
    public static let mfaEnroll = AuditAction(rawValue: "mfa.enroll")
    public static let mfaDeviceDelete = AuditAction(rawValue: "mfa.device_delete")
    public static let mfaRecoveryCodes = AuditAction(rawValue: "mfa.recovery_codes")
    public static let mfaReset = AuditAction(rawValue: "mfa.reset")
    public static let loginMFA = AuditAction(rawValue: "login.mfa")
    public static let sessionReauthenticate = AuditAction(rawValue: "session.reauthenticate")
    public static let webhookCreate = AuditAction(rawValue: "webhook.create")
    public static let webhookDelete = AuditAction(rawValue: "webhook.delete")
    public static let presenceReasonListCreate = AuditAction(rawValue: "presence_reason_list.create")
    public static let presenceReasonListUpdate = AuditAction(rawValue: "presence_reason_list.update")
    public static let presenceReasonListDelete = AuditAction(rawValue: "presence_reason_list.delete")
    public static let appCreate = AuditAction(rawValue: "app.create")
    public static let appUpdate = AuditAction(rawValue: "app.update")
    public static let appDelete = AuditAction(rawValue: "app.delete")
    public static let microphoneChecked = AuditAction(rawValue: "microphone.checked")
}

/// Where audit events are appended.
public protocol AuditRepository: Sendable {
    func append(_ event: AuditEvent) async throws
    /// The newest events of a tenant first (the console of a later issue filters further).
    func recent(tenant: TenantID, limit: Int) async throws -> [AuditEvent]
}

/// Who is acting and from where, for the audit records of an operation.
public struct ActorContext: Sendable {
    public let actor: AuditActor
    public let clientIP: String?
    public init(actor: AuditActor, clientIP: String?) {
        self.actor = actor
        self.clientIP = clientIP
    }
}
