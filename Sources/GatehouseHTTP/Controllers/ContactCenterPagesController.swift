import Foundation
import GatehouseCore
import GatehouseLocalization
import HTTPTypes
import Hummingbird

/// The pages around sign-in that make Gatehouse a contact-center sign-in: the apps splash
/// page (`/apps`), the landing redirect (`/landing`) and the microphone check
/// (`/account/microphone`).
struct ContactCenterPagesController: Sendable {
    let authenticator: SessionAuthenticator
    let catalog: AppCatalog
    let landing: SignInLanding
    let pages: PageRenderer

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("apps", use: apps)
        router.get("landing", use: landingPage)
        router.get("account/microphone", use: microphone)
    }

    /// A tile per app the member's roles may open, plus My account.
    @Sendable func apps(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .valid(let current) = try await authenticator.lookup(request) else { return SessionController.redirectToLogin(from: request) }
        let user = current.member.user
        let visible = try await catalog.apps(visibleTo: current.member)
        let tiles: [[String: Any]] = visible.map { app in
            var tile: [String: Any] = ["id": app.id.uuidString.lowercased(), "name": app.name, "url": app.url,
                                       "initial": app.name.first.map { String($0).uppercased() } ?? "?"]
            if let icon = app.icon { tile["icon"] = icon }
            return tile
        }
        let text = pages.localizer(for: request, user: user)
        var response = try pages.render("apps", [
            "title": text.text("apps.title"), "tenantName": current.tenant.displayName, "name": "\(user.firstName) \(user.lastName)",
            "apps": tiles, "hasApps": !tiles.isEmpty,
        ], request: request, user: user)
        response.headers[.contentSecurityPolicy] = SecurityHeadersMiddleware.appsPagePolicy
        return response
    }

    /// Where this person lands (the tenant's `landing` setting for their highest role).
    @Sendable func landingPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .valid(let current) = try await authenticator.lookup(request) else { return SessionController.redirectToLogin(from: request) }
        let destination = try await landing.destination(for: current.member, in: current.tenant)
        guard !destination.hasPrefix("/") else { return .redirect(to: destination, type: .found) }
        // Another site: a page that opens it. After a sign-in form, a redirect there would be
        // blocked by the form's CSP (form-action 'self'); a refresh is a plain navigation.
        let text = pages.localizer(for: request, user: current.member.user)
        return try pages.render("opening", ["title": text.text("landing.opening_title"), "url": destination],
                                request: request, user: current.member.user)
    }

    /// Asks the browser for the microphone; the page's script records the result through
    /// `PUT /api/v1/account/microphone-check` and then offers to go on.
    @Sendable func microphone(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard case .valid(let current) = try await authenticator.lookup(request) else { return SessionController.redirectToLogin(from: request) }
        let user = current.member.user
        let text = pages.localizer(for: request, user: user)
        var values: [String: Any] = [
            "title": text.text("mic.title"),
            "next": ReturnPath.validated(request.uri.queryParameters["next"].map(String.init)) ?? "/account",
        ]
        if let last = user.microphoneCheck {
            values["lastResult"] = text.text("mic.last_check", ["result": text.text("mic.result.\(last.result.rawValue)"),
                                                                 "date": text.dateTime(last.checkedAt)])
        }
        return try pages.render("microphone", values, request: request, user: user)
    }
}
