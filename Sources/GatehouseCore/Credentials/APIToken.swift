public import Foundation

/// A long-lived bearer credential for scripts, acting as the member who created it.
/// Only the SHA-256 of the secret is stored; ``prefix`` lets people recognise a token in lists.
public struct APIToken: Sendable, Equatable {
    public let id: UUID
    public let tenantID: TenantID
    public let userID: UserID
    public var name: String
    /// The first characters of the secret, shown in listings (`gh_9fQ2xk`).
    public let prefix: String
    public let createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    /// The text every Gatehouse API token starts with, so secret scanners can find leaked ones.
    public static let secretPrefix = "gh_"
    static let visiblePrefixLength = 10

    public init(id: UUID = UUID(), tenantID: TenantID, userID: UserID, name: String, prefix: String,
                createdAt: Date, expiresAt: Date? = nil, revokedAt: Date? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Whether the token may be used at `now`.
    public func isUsable(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// Where API tokens are kept.
public protocol APITokenRepository: Sendable {
    /// Stores the token under the digest of its secret, with its audit record.
    func create(_ token: APIToken, secretDigest: String, audit: AuditEvent) async throws
    /// The token whose secret has this digest, with its member and tenant.
    func find(secretDigest: String) async throws -> AuthenticatedToken?
}

/// A token together with whom it acts for.
public struct AuthenticatedToken: Sendable {
    public let token: APIToken
    public let member: Member
    public let tenant: Tenant

    public init(token: APIToken, member: Member, tenant: Tenant) {
        self.token = token
        self.member = member
        self.tenant = tenant
    }
}
