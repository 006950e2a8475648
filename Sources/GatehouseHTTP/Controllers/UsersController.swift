import Foundation
import GatehouseCore
import Hummingbird

/// `/api/v1/tenants/{slug}/users`: the administrator's API over a tenant's members.
struct UsersController<Members: MemberRepository, Tokens: APITokenRepository>: Sendable {
    let directory: MemberDirectory<Members>
    let access: TenantAccess<Tokens>

    static var path: RouterPath { "api/v1/tenants/:slug/users" }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: list)
            .post(use: create)
            .get(":id", use: show)
            .patch(":id", use: update)
            .delete(":id", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let query = try Self.query(from: request)
        let page = try await directory.list(in: principal.tenant.id, query: query)
        return try JSONResponse.make(UserListJSON(users: page.members.map { UserJSON($0, tenant: principal.tenant) },
                                                  nextCursor: page.nextCursor.map { Base64URL.encode(Array($0.utf8)) }))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        var body = try await JSONRequest.read(request, context: context)
        let input = body.newMember()
        _ = try body.validate { try MemberDraft(input) }
        let member = try await directory.create(in: principal.tenant.id, input, context: auditContext(principal, context))
        let location = "/api/v1/tenants/\(principal.tenant.slug)/users/\(member.user.id)"
        return try JSONResponse.make(status: .created, UserJSON(member, tenant: principal.tenant), headers: [.location: location])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let member = try await directory.find(in: principal.tenant.id, id: try Self.userID(context))
        return try JSONResponse.make(UserJSON(member, tenant: principal.tenant))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        let id = try Self.userID(context)
        var body = try await JSONRequest.read(request, context: context)
        let input = body.memberChanges()
        if !body.errors.isEmpty {
            // Wrongly typed fields: report them with the domain's verdict on the rest, save nothing.
            var preview = try await directory.find(in: principal.tenant.id, id: id)
            try body.validate { try preview.apply(input, at: preview.user.updatedAt) }
        }
        let updated = try await directory.update(in: principal.tenant.id, id: id, input, context: auditContext(principal, context))
        return try JSONResponse.make(UserJSON(updated, tenant: principal.tenant))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try await access.administrator(request, context: context)
        try await directory.delete(in: principal.tenant.id, id: try Self.userID(context), context: auditContext(principal, context))
        return Response(status: .noContent)
    }

    private func auditContext(_ principal: AuthenticatedToken, _ context: AppRequestContext) -> MemberDirectory<Members>.Context {
        .init(actor: .apiToken(principal.token.id), clientIP: context.clientIP)
    }

    /// A malformed id cannot name a member: 404, like an unknown one.
    private static func userID(_ context: AppRequestContext) throws -> UserID {
        guard let text = context.parameters.get("id"), let id = UserID(string: text) else {
            throw APIError.notFound("No such user in this tenant.")
        }
        return id
    }

    private static func query(from request: Request) throws -> MemberQuery {
        let parameters = request.uri.queryParameters
        var errors = FieldErrors()
        var limit = MemberQuery.defaultLimit
        if let text = parameters["limit"] {
            if let value = Int(String(text)), (1...MemberQuery.maxLimit).contains(value) { limit = value }
            else { errors.add("limit", "must be a whole number from 1 to \(MemberQuery.maxLimit)") }
        }
        var after: String?
        if let cursor = parameters["cursor"], !cursor.isEmpty {
            if let bytes = Base64URL.decode(String(cursor)), let key = String(bytes: bytes, encoding: .utf8) { after = key }
            else { errors.add("cursor", "is not a cursor this server returned") }
        }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        return MemberQuery(search: parameters["q"].map(String.init), limit: limit, after: after)
    }
}
