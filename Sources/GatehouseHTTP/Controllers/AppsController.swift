import Foundation
import GatehouseCore
import Hummingbird

/// `/api/v1/tenants/{slug}/apps`: what the tenant's people are offered after sign-in, by role
/// (administrators only); and `GET /api/v1/apps`: the apps the signed-in caller may open.
struct AppsController<Tokens: APITokenRepository>: Sendable {
    let apps: any AppRepository
    let catalog: AppCatalog
    let access: TenantAccess<Tokens>
    let authenticator: SessionAuthenticator
    let clock: any WallClock

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/apps", use: mine)
        let admin = router.group("api/v1/tenants/:slug/apps")
        admin.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
    }

    /// The caller's own apps: those whose roles meet theirs.
    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        return try JSONResponse.make(["apps": try await catalog.apps(visibleTo: current.member).map(AppJSON.init)])
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        return try JSONResponse.make(["apps": try await apps.list(tenant: principal.tenant.id).map(AppJSON.init)])
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var body = try await JSONRequest.read(request, context: context)
        let draft = try Self.draft(&body, complete: true)
        let app = App.new(draft, in: principal.tenant.id, at: clock.now())
        try await apps.create(app, audit: audit(.appCreate, app, principal, context))
        return try JSONResponse.make(status: .created, AppJSON(app),
                                     headers: [.location: "/api/v1/tenants/\(principal.tenant.slug)/apps/\(app.id.uuidString.lowercased())"])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        return try JSONResponse.make(AppJSON(try await find(principal, context)))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var app = try await find(principal, context)
        var body = try await JSONRequest.read(request, context: context)
        app.apply(try Self.draft(&body, complete: false), at: clock.now())
        guard try await apps.update(app, audit: audit(.appUpdate, app, principal, context)) else { throw Self.notFound }
        return try JSONResponse.make(AppJSON(app))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let id = try Self.id(context)
        let event = AuditEvent(at: clock.now(), tenant: principal.tenant.id, actor: principal.actor, action: .appDelete,
                               target: AuditTarget(kind: "app", id: id.uuidString.lowercased()), outcome: .success, clientIP: context.clientIP)
        guard try await apps.delete(tenant: principal.tenant.id, id: id, audit: event) else { throw Self.notFound }
        return Response(status: .noContent)
    }

    /// The fields of `POST` (all but `icon` and `position` required) or `PATCH` (all optional;
    /// `icon: null` removes the icon).
    private static func draft(_ body: inout JSONRequest, complete: Bool) throws -> AppDraft {
        let name = body.string("name"), url = body.string("url"), icon = body.update("icon"), roles = body.strings("roles")
        let position = body.integer("position")
        return try body.validate { try AppDraft(name: name, url: url, icon: icon, roles: roles, position: position, complete: complete) }
    }

    private func find(_ principal: Principal, _ context: AppRequestContext) async throws -> App {
        guard let app = try await apps.find(tenant: principal.tenant.id, id: try Self.id(context)) else { throw Self.notFound }
        return app
    }

    private func audit(_ action: AuditAction, _ app: App, _ principal: Principal, _ context: AppRequestContext) -> AuditEvent {
        AuditEvent(at: app.updatedAt, tenant: principal.tenant.id, actor: principal.actor, action: action,
                   target: AuditTarget(kind: "app", id: app.id.uuidString.lowercased()), outcome: .success, clientIP: context.clientIP,
                   detail: ["name": app.name, "url": app.url, "roles": app.roles.sorted().map(\.rawValue).joined(separator: ",")])
    }

    private static var notFound: APIError { APIError.notFound("No such app in this tenant.") }

    private static func id(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else { throw notFound }
        return id
    }
}
