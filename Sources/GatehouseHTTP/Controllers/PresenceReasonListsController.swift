import Foundation
import GatehouseCore
import Hummingbird

/// `/api/v1/tenants/{slug}/presence-reason-lists`: the reasons agents give for being away, in
/// lists assigned to members (`presence_reason_list_id` of a user) or used as the tenant's default.
struct PresenceReasonListsController<Tokens: APITokenRepository>: Sendable {
    let service: PresenceReasonListService
    let lists: any PresenceReasonListRepository
    let access: TenantAccess<Tokens>

    static var path: RouterPath { "api/v1/tenants/:slug/presence-reason-lists" }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let all = try await lists.list(tenant: principal.tenant.id)
        let counts = try await lists.memberCounts(tenant: principal.tenant.id)
        return try JSONResponse.make(["presence_reason_lists": all.map { PresenceReasonListJSON($0, memberCount: counts[$0.id] ?? 0) }])
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var body = try await JSONRequest.read(request, context: context)
        let name = body.string("name"), isDefault = body.optionalBool("is_default"), reasons = body.presenceReasons()
        let draft = try body.validate { try PresenceReasonListDraft(name: name, isDefault: isDefault, reasons: reasons, complete: true) }
        let created = try await service.create(in: principal.tenant.id, draft, context: actor(principal, context))
        let id = created.id.uuidString.lowercased()
        return try JSONResponse.make(status: .created, PresenceReasonListJSON(created, memberCount: 0),
                                     headers: [.location: "/api/v1/tenants/\(principal.tenant.slug)/presence-reason-lists/\(id)"])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let found = try await service.find(in: principal.tenant.id, id: try Self.id(context))
        return try JSONResponse.make(try await json(found))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let id = try Self.id(context)
        var body = try await JSONRequest.read(request, context: context)
        let name = body.string("name"), isDefault = body.optionalBool("is_default"), reasons = body.presenceReasons()
        let draft = try body.validate { try PresenceReasonListDraft(name: name, isDefault: isDefault, reasons: reasons, complete: false) }
        let updated = try await service.update(in: principal.tenant.id, id: id, draft, context: actor(principal, context))
        return try JSONResponse.make(try await json(updated))
    }

    /// `?replace_with={id}` moves the members (and the default) to another list first.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let replacement = request.uri.queryParameters["replace_with"].map(String.init)
        try await service.delete(in: principal.tenant.id, id: try Self.id(context), replaceWith: replacement, context: actor(principal, context))
        return Response(status: .noContent)
    }

    private func json(_ list: PresenceReasonList) async throws -> PresenceReasonListJSON {
        PresenceReasonListJSON(list, memberCount: try await lists.memberCounts(tenant: list.tenantID)[list.id] ?? 0)
    }

    private func actor(_ principal: Principal, _ context: AppRequestContext) -> ActorContext {
        ActorContext(actor: principal.actor, clientIP: context.clientIP)
    }

    private static func id(_ context: AppRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw APIError.notFound("No such Presence Reason list in this tenant.")
        }
        return id
    }
}
