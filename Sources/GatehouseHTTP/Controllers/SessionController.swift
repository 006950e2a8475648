import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// The signed-in person's own session and sessions: who am I, sign out (here or everywhere),
/// change my password; and the My account page.
struct SessionController: Sendable {
    let authenticator: SessionAuthenticator
    let sessions: any SessionRepository
    let passwordChange: PasswordChangeService
    let cookies: SessionCookies
    let csrf: CSRFProtection
    let pages: PageRenderer
    let clock: any WallClock
    let messaging: AccountMessaging

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/session", use: whoAmI)
        router.delete("api/v1/session", use: signOut)
        router.get("api/v1/sessions", use: list)
        router.delete("api/v1/sessions", use: signOutEverywhere)
        router.delete("api/v1/sessions/:id", use: endOne)
        router.post("api/v1/password", use: changePassword)
        router.get("account", use: account)
        router.post("logout", use: logoutForm)
    }

    @Sendable func whoAmI(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        return try JSONResponse.make(WhoAmIJSON(member: current.member, tenant: current.tenant, session: current.session))
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        _ = try await end(current.session.id, of: current, context: context)
        var response = Response(status: .noContent)
        response.setCookie(cookies.clearSession())
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        let mine = try await sessions.active(user: current.member.user.id, tenant: nil, at: clock.now())
        return try JSONResponse.make(SessionListJSON(sessions: mine.map { SessionJSON($0, current: current.session.id) }))
    }

    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        try await endEverywhere(current, context: context)
        var response = Response(status: .noContent)
        response.setCookie(cookies.clearSession())
        return response
    }

    @Sendable func endOne(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
              try await end(id, of: current, context: context)
        else { throw APIError.notFound("No such session.") }
        var response = Response(status: .noContent)
        if id == current.session.id { response.setCookie(cookies.clearSession()) }
        return response
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current = try await authenticator.require(request)
        var body = try await JSONRequest.read(request, context: context)
        let old = body.string("current_password"), new = body.string("new_password")
        var errors = body.errors
        if (old ?? "").isEmpty { errors.add("current_password", "is required") }
        if (new ?? "").isEmpty { errors.add("new_password", "is required") }
        if !errors.isEmpty { throw APIError.validation(errors.messages) }
        try await passwordChange.change(for: current.member, in: current.tenant, current: old!, new: new!,
                                        keepingSession: current.session.id, clientIP: context.clientIP)
        return Response(status: .noContent)
    }

    // MARK: Pages

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> Response {
        let current: SessionAuthenticator.Current
        switch try await authenticator.lookup(request) {
        case .valid(let found): current = found
        case .none, .ended: return Self.redirectToLogin(from: request)
        }
        let user = current.member.user
        let text = pages.localizer(for: request, user: user)
        return try pages.renderForm("account", [
            "title": text.text("account.title"), "name": "\(user.firstName) \(user.lastName)", "email": user.email.value,
            "tenantName": current.tenant.displayName,
            "roles": current.member.membership.sortedRoles.map { text.text("role.\($0.rawValue)") }.joined(separator: ", "),
            "agentID": current.member.membership.agentID?.value ?? "", "languageName": text.language.name,
            "expiresISO": JSONResponse.rfc3339.format(current.session.expiresAt), "time": text.dateTime(current.session.expiresAt),
        ], csrf: csrf, request: request, user: user)
    }

    /// A page needing a session sends the browser to sign in and come back to it afterwards.
    static func redirectToLogin(from request: Request) -> Response {
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        var components = URLComponents()
        components.path = "/login"
        components.queryItems = [URLQueryItem(name: "return_to", value: target)]
        return .redirect(to: components.string ?? "/login", type: .found)
    }

    struct LogoutForm: Decodable {
        var csrf_token: String?
        var everywhere: String?
    }

    @Sendable func logoutForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await FormRequest.read(LogoutForm.self, from: request, context: context)
        guard csrf.isValid(request, formValue: form.csrf_token) else {
            return try pages.message(request, status: .forbidden, title: "account.expired.title", message: "account.expired.text")
        }
        if case .valid(let current) = try await authenticator.lookup(request) {
            if form.everywhere != nil { try await endEverywhere(current, context: context) } else { _ = try await end(current.session.id, of: current, context: context) }
        }
        var response = Response.redirect(to: "/login?signed_out=1", type: .found)
        response.setCookie(cookies.clearSession())
        return response
    }

    /// Ends one of the person's own sessions (this one or another). - Returns: whether it was active.
    private func end(_ id: UUID, of current: SessionAuthenticator.Current, context: AppRequestContext) async throws -> Bool {
        let now = clock.now()
        let calls = try await messaging.sessionsEnded([id], of: current.member, in: current.tenant, reason: .signedOut, at: now)
        return try await sessions.end(id, user: current.member.user.id, tenant: nil, reason: .signedOut, at: now,
                                      audit: AuditEvent(at: now, tenant: current.tenant.id, actor: .user(current.member.user.id),
                                                        action: .sessionEnd, target: .session(id), outcome: .success,
                                                        clientIP: context.clientIP, detail: ["reason": SessionEndReason.signedOut.rawValue]), outbox: calls)
    }

    private func endEverywhere(_ current: SessionAuthenticator.Current, context: AppRequestContext) async throws {
        let now = clock.now()
        let active = try await sessions.active(user: current.member.user.id, tenant: nil, at: now)
        let calls = try await messaging.sessionsEnded(active.map(\.id), of: current.member, in: current.tenant, reason: .signedOutEverywhere, at: now)
        _ = try await sessions.endAll(user: current.member.user.id, tenant: nil, except: nil, reason: .signedOutEverywhere, at: now,
                                      audit: AuditEvent(at: now, tenant: current.tenant.id, actor: .user(current.member.user.id),
                                                        action: .sessionEndAll, target: .user(current.member.user.id),
                                                        outcome: .success, clientIP: context.clientIP), outbox: calls)
    }
}
