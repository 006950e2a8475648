public import Foundation
internal import CryptoExtras

/// A tenant's subscription: Gatehouse calls `url` with the events named, each signed with the
/// webhook's secret. With a public key, `user.password_changed` also carries the new password
/// encrypted for that key alone (a compact JWE), so a linked system (agent login, ICM) can
/// update its own copy; nothing else ever carries a password.
public struct Webhook: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID
    public let url: String
    public let events: Set<WebhookEventType>
    /// The signing secret, sealed with the webhook-secret key, bound to this webhook.
    public let sealedSecret: String
    public let publicKeyPEM: String?
    public let createdAt: Date

    public init(id: UUID, tenantID: TenantID, url: String, events: Set<WebhookEventType>, sealedSecret: String, publicKeyPEM: String?,
                createdAt: Date) {
        self.id = id
        self.tenantID = tenantID
        self.url = url
        self.events = events
        self.sealedSecret = sealedSecret
        self.publicKeyPEM = publicKeyPEM
        self.createdAt = createdAt
    }

    public var sortedEvents: [WebhookEventType] { events.sorted { $0.rawValue < $1.rawValue } }

    public static func sealContext(tenant: TenantID, id: UUID) -> String { "webhooks:\(tenant):\(id.uuidString.lowercased())" }
}

/// What webhooks can subscribe to.
public enum WebhookEventType: String, Sendable, CaseIterable, Codable {
    case userCreated = "user.created"
    case userInvited = "user.invited"
    case userActivated = "user.activated"
    case userPasswordChanged = "user.password_changed"
    case userDisabled = "user.disabled"
    case sessionSignedIn = "session.signed_in"
    case sessionEnded = "session.ended"
}

/// A webhook as an administrator asked for it, checked.
public struct WebhookDraft: Sendable {
    public let url: String
    public let events: Set<WebhookEventType>
    /// The secret given, or `nil` when Gatehouse should make one (and show it once).
    public let secret: String?
    public let publicKeyPEM: String?

    /// - Throws: ``FieldErrors`` naming every bad field.
    public init(url: String?, events: [String]?, secret: String?, publicKey: String?) throws(FieldErrors) {
        var errors = FieldErrors()
        var checkedURL = ""
        if let url, let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
           let host = parsed.host, !host.isEmpty, parsed.user == nil, parsed.password == nil, url.count <= 2000 {
            checkedURL = url
        } else {
            errors.add("url", url == nil ? "is required" : "must be an absolute http or https URL without credentials")
        }
        var types = Set<WebhookEventType>()
        if let events, !events.isEmpty {
            for name in events {
                if let type = WebhookEventType(rawValue: name) { types.insert(type) }
                else { errors.add("events", "unknown event \"\(name)\"; known: " + WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")) }
            }
        } else {
            errors.add("events", "must list at least one event")
        }
        if let secret, secret.utf8.count < 16 || secret.utf8.count > 256 {
            errors.add("secret", "must be 16 to 256 characters (or left out, and Gatehouse makes one)")
        }
        if let publicKey {
            if let key = try? _RSA.Encryption.PublicKey(pemRepresentation: publicKey) {
                if key.keySizeInBits < 2048 { errors.add("public_key", "must be an RSA key of at least 2048 bits") }
            } else {
                errors.add("public_key", "must be an RSA public key in PEM (BEGIN PUBLIC KEY)")
            }
        }
        try errors.throwIfAny()
        self.url = checkedURL
        self.events = types
        self.secret = secret
        self.publicKeyPEM = publicKey
    }
}

/// Where webhooks are kept.
public protocol WebhookRepository: Sendable {
    func create(_ webhook: Webhook, audit: AuditEvent) async throws
    func list(tenant: TenantID) async throws -> [Webhook]
    func find(tenant: TenantID, id: UUID) async throws -> Webhook?
    /// Deletes the webhook and drops its undelivered calls, with the audit record, in one transaction.
    func delete(tenant: TenantID, id: UUID, audit: AuditEvent, at now: Date) async throws -> Bool
}
