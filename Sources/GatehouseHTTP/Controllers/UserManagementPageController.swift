import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// User Management, the admin console's first page (`/admin/users`): the tenant's people,
/// searchable by name, email or agent ID, fifty to a page, with each one's last microphone
/// check. Where administrators land when the tenant's `landing` setting says `console`.
/// Administrators, managers and supervisors may open it; editing stays in the API for now.
struct UserManagementPageController<Members: MemberRepository>: Sendable {
    let authenticator: SessionAuthenticator
    let members: Members
    let pages: PageRenderer

    static var consoleRoles: Set<Role> { [.administrator, .manager, .supervisor] }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("admin/users", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .valid(let current) = try await authenticator.lookup(request) else { return SessionController.redirectToLogin(from: request) }
        guard !current.member.membership.roles.isDisjoint(with: Self.consoleRoles) else {
            return try pages.message(request, status: .forbidden, title: "error_page.forbidden", message: "admin.users.not_allowed",
                                     user: current.member.user)
        }
        let user = current.member.user
        let text = pages.localizer(for: request, user: user)
        let query = request.uri.queryParameters
        let search = query["q"].map(String.init).map { String($0.prefix(100)) }
        let page = try await members.list(tenant: current.tenant.id,
                                          query: MemberQuery(search: search, limit: MemberQuery.defaultLimit,
                                                             after: query["after"].map(String.init)))
        let rows: [[String: Any]] = page.members.map { member in
            var row: [String: Any] = [
                "name": "\(member.user.firstName) \(member.user.lastName)", "email": member.user.email.value,
                "agentID": member.membership.agentID?.value ?? "",
                "roles": member.membership.sortedRoles.map { text.text("role.\($0.rawValue)") }.joined(separator: ", "),
                "status": text.text("admin.users.status.\(member.membership.status.rawValue)"),
            ]
            if let check = member.user.microphoneCheck {
                row["microphone"] = text.text("mic.result.\(check.result.rawValue)")
                row["microphoneAt"] = text.dateTime(check.checkedAt)
            }
            return row
        }
        var values: [String: Any] = [
            "title": text.text("admin.users.title"), "tenantName": current.tenant.displayName, "q": search ?? "",
            "users": rows, "hasUsers": !rows.isEmpty, "wide": true,
        ]
        if let cursor = page.nextCursor {
            var components = URLComponents()
            components.path = "/admin/users"
            components.queryItems = (search.map { [URLQueryItem(name: "q", value: $0)] } ?? []) + [URLQueryItem(name: "after", value: cursor)]
            values["next"] = components.string ?? ""
        }
        return try pages.render("admin-users", values, request: request, user: user)
    }
}
