import Foundation
import GatehouseCore
import Hummingbird

/// `GET|PATCH /api/v1/tenants/{slug}/settings`: the tenant's policies, with every default filled in.
struct SettingsController<Tokens: APITokenRepository>: Sendable {
    let tenants: any TenantRepository
    let access: TenantAccess<Tokens>
    let clock: any WallClock

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/tenants/:slug/settings", use: show)
        router.patch("api/v1/tenants/:slug/settings", use: update)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        return try JSONResponse.make(TenantSettings(document: principal.tenant.settings).document)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let body = try await JSONRequest.read(request, context: context)
        let current = TenantSettings(document: principal.tenant.settings)
        let merged = try current.merging(body.object)
        let changed = body.object.keys.sorted().joined(separator: ",")
        try await tenants.updateSettings(principal.tenant.id, to: merged.document,
                                         audit: AuditEvent(at: clock.now(), tenant: principal.tenant.id, actor: principal.actor,
                                                           action: .settingsUpdate, target: .tenant(principal.tenant.id),
                                                           outcome: .success, clientIP: context.clientIP, detail: ["sections": changed]))
        return try JSONResponse.make(merged.document)
    }
}
