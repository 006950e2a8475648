import Foundation
import GatehouseCore

/// A tenant as sign-in answers show it.
struct TenantJSON: Encodable {
    let id: String
    let slug: String
    let name: String
    let region: String

    init(_ tenant: Tenant) {
        id = tenant.id.description
        slug = tenant.slug.rawValue
        name = tenant.displayName
        region = tenant.region.rawValue
    }
}

/// A session as its owner (or an administrator) sees it. Never the secret.
struct SessionJSON: Encodable {
    let id: String
    let current: Bool
    let persistent: Bool
    let createdAt: Date
    let lastSeenAt: Date
    let idleExpiresAt: Date
    @NullWhenAbsent var absoluteExpiresAt: Date?
    let expiresAt: Date
    @NullWhenAbsent var clientIp: String?
    @NullWhenAbsent var userAgent: String?

    init(_ session: Session, current: UUID? = nil) {
        id = session.id.uuidString.lowercased()
        self.current = session.id == current
        persistent = session.persistent
        createdAt = session.createdAt
        lastSeenAt = session.lastSeenAt
        idleExpiresAt = session.idleExpiresAt
        absoluteExpiresAt = session.absoluteExpiresAt
        expiresAt = session.expiresAt
        clientIp = session.clientIP
        userAgent = session.userAgent
    }

    enum CodingKeys: String, CodingKey {
        case id, current, persistent
        case createdAt = "created_at", lastSeenAt = "last_seen_at", idleExpiresAt = "idle_expires_at"
        case absoluteExpiresAt = "absolute_expires_at", expiresAt = "expires_at", clientIp = "client_ip", userAgent = "user_agent"
    }
}

/// `GET /api/v1/session` and the body of a successful sign-in.
struct WhoAmIJSON: Encodable {
    let status: String?
    let user: UserJSON
    let tenant: TenantJSON
    let roles: [String]
    let session: SessionJSON
    let expiresAt: Date
    let idleExpiresAt: Date

    init(status: String? = nil, member: Member, tenant: Tenant, session: Session) {
        self.status = status
        user = UserJSON(member, tenant: tenant)
        self.tenant = TenantJSON(tenant)
        roles = member.membership.sortedRoles.map(\.rawValue)
        self.session = SessionJSON(session, current: session.id)
        expiresAt = session.expiresAt
        idleExpiresAt = session.idleExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case status, user, tenant, roles, session
        case expiresAt = "expires_at", idleExpiresAt = "idle_expires_at"
    }
}

struct SessionListJSON: Encodable {
    let sessions: [SessionJSON]
}
