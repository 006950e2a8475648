import Foundation
import GatehouseCore
import Hummingbird

/// Decides whether a request may act on a tenant's admin API, and records every refusal.
///
/// Order matters: the caller is authenticated before the tenant is even looked at, so an
/// anonymous client learns nothing about which tenants exist; a token of another tenant gets
/// the same 404 as a tenant that does not exist.
struct TenantAccess<Tokens: APITokenRepository>: Sendable {
    let tokens: APITokenService<Tokens>
    let audit: any AuditRepository
    let clock: any WallClock

    /// The authenticated administrator of the tenant named by the `slug` path parameter.
    func administrator(_ request: Request, context: AppRequestContext) async throws -> AuthenticatedToken {
        let principal = try await authenticate(request, context: context)
        let slug = context.parameters.get("slug") ?? ""
        guard principal.tenant.slug.rawValue == slug else {
            try await record(.denied, principal: principal, context: context, request: request, reason: "other_tenant")
            throw APIError.notFound("No such tenant.")
        }
        guard principal.member.membership.roles.contains(.administrator) else {
            try await record(.denied, principal: principal, context: context, request: request, reason: "not_administrator")
            throw APIError.forbidden
        }
        return principal
    }

    /// The principal behind `Authorization: Bearer …`, or 401.
    func authenticate(_ request: Request, context: AppRequestContext) async throws -> AuthenticatedToken {
        guard let header = request.headers[.authorization] else { throw APIError.unauthenticated }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthenticated }
        let presented = parts[1].trimmingCharacters(in: .whitespaces)
        guard let principal = try await tokens.authenticate(presented) else {
            try await audit.append(AuditEvent(at: clock.now(), tenant: nil, actor: .anonymous, action: .apiAuthenticate,
                                              outcome: .failure, clientIP: context.clientIP,
                                              detail: ["reason": "invalid_token", "token_prefix": String(presented.prefix(10)),
                                                       "path": request.uri.path]))
            throw APIError.unauthenticated
        }
        return principal
    }

    private func record(_ outcome: AuditOutcome, principal: AuthenticatedToken, context: AppRequestContext,
                        request: Request, reason: String) async throws {
        try await audit.append(AuditEvent(at: clock.now(), tenant: principal.tenant.id, actor: .apiToken(principal.token.id),
                                          action: .apiAuthorize, target: nil, outcome: outcome, clientIP: context.clientIP,
                                          detail: ["reason": reason, "method": request.method.rawValue, "path": request.uri.path]))
    }
}
