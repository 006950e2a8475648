import Foundation
import GatehouseCore
import Hummingbird

/// Who is calling the admin API: a member of a tenant, through an API token or a browser session.
struct Principal: Sendable {
    let member: Member
    let tenant: Tenant
    /// How the audit log names them: the token, or the person for a session.
    let actor: AuditActor
}

/// Decides whether a request may act on a tenant's admin API, and records every refusal.
///
/// Order matters: the caller is authenticated before the tenant is even looked at, so an
/// anonymous client learns nothing about which tenants exist; a member of another tenant gets
/// the same 404 as a tenant that does not exist.
struct TenantAccess<Tokens: APITokenRepository>: Sendable {
    let tokens: APITokenService<Tokens>
    let sessions: SessionAuthenticator
    let audit: any AuditRepository
    let clock: any WallClock

    /// The authenticated administrator of the tenant named by the `slug` path parameter.
    func administrator(_ request: Request, context: AppRequestContext) async throws -> Principal {
        let principal = try await authenticate(request, context: context)
        let slug = context.parameters.get("slug") ?? ""
        guard principal.tenant.slug.rawValue == slug else {
            try await record(principal, context: context, request: request, reason: "other_tenant")
            throw APIError.notFound("No such tenant.")
        }
        guard principal.member.membership.roles.contains(.administrator) else {
            try await record(principal, context: context, request: request, reason: "not_administrator")
            throw APIError.forbidden
        }
        return principal
    }

    /// The principal behind `Authorization: Bearer …`, or else behind the session cookie; or 401.
    func authenticate(_ request: Request, context: AppRequestContext) async throws -> Principal {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthenticated }
            let presented = parts[1].trimmingCharacters(in: .whitespaces)
            guard let found = try await tokens.authenticate(presented) else {
                try await audit.append(AuditEvent(at: clock.now(), tenant: nil, actor: .anonymous, action: .apiAuthenticate,
                                                  outcome: .failure, clientIP: context.clientIP,
                                                  detail: ["reason": "invalid_token", "token_prefix": String(presented.prefix(10)),
                                                           "path": request.uri.path]))
                throw APIError.unauthenticated
            }
            return Principal(member: found.member, tenant: found.tenant, actor: .apiToken(found.token.id))
        }
        guard case .valid(let current) = try await sessions.lookup(request) else { throw APIError.unauthenticated }
        if !sessions.origins.allows(request) {
            // A cookie rides along with cross-site requests; a page elsewhere must not act with it.
            try await audit.append(AuditEvent(at: clock.now(), tenant: current.tenant.id, actor: .user(current.member.user.id),
                                              action: .apiAuthorize, outcome: .denied, clientIP: context.clientIP,
                                              detail: ["reason": "cross_origin", "origin": request.headers[.origin] ?? ""]))
            throw APIError.crossOrigin
        }
        return Principal(member: current.member, tenant: current.tenant, actor: .user(current.member.user.id))
    }

    private func record(_ principal: Principal, context: AppRequestContext, request: Request, reason: String) async throws {
        try await audit.append(AuditEvent(at: clock.now(), tenant: principal.tenant.id, actor: principal.actor,
                                          action: .apiAuthorize, target: nil, outcome: .denied, clientIP: context.clientIP,
                                          detail: ["reason": reason, "method": request.method.rawValue, "path": request.uri.path]))
    }
}
