import Foundation
import GatehouseCore
import Hummingbird

/// What a browser gets once a sign-in on a page has succeeded, whichever step finished it
/// (password, new password, code, invitation): the session cookie, the language chosen
/// before sign-in saved to the person, and a redirect to the page asked for or their landing
/// page — by way of the microphone check the first time an agent signs in.
struct SignInLanding: Sendable {
    let cookies: SessionCookies
    let members: any MemberRepository
    let catalog: AppCatalog
    let clock: any WallClock

    /// Where User Management (the admin console) lives.
    static let consolePath = "/admin/users"
    /// What may stand unencoded in a query value (RFC 3986 unreserved, and "/").
    static let queryValue = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")

    func response(for signedIn: SignedIn, request: Request, returnTo: String?) async throws -> Response {
        try await adoptLanguage(of: request, for: signedIn.member)
        var response = Response.redirect(to: try await target(for: signedIn, returnTo: returnTo), type: .found)
        response.setCookie(cookies.session(signedIn))
        return response
    }

    /// The page asked for, else where this person lands; an agent who never had their
    /// microphone checked goes through the check first.
    func target(for signedIn: SignedIn, returnTo: String?) async throws -> String {
        let asked = ReturnPath.validated(returnTo)
        guard signedIn.member.needsMicrophoneCheck else {
            if let asked { return asked }
            let destination = try await destination(for: signedIn.member, in: signedIn.tenant)
            // A form's redirects must stay on this site (CSP form-action); /landing opens an
            // app elsewhere with a page of its own.
            return destination.hasPrefix("/") ? destination : ReturnPath.fallback
        }
        let next = asked ?? ReturnPath.fallback
        return "/account/microphone?next=" + (next.addingPercentEncoding(withAllowedCharacters: Self.queryValue) ?? "%2Flanding")
    }

    /// The tenant's landing page for this member: the apps page, User Management, or one app.
    func destination(for member: Member, in tenant: Tenant) async throws -> String {
        switch try await catalog.landing(for: member, in: tenant) {
        case .apps: "/apps"
        case .console: Self.consolePath
        case .app(let app): app.url
        }
    }

    /// A language picked on the pages before sign-in (`?lang=` or the language cookie) becomes
    /// the person's saved language, for later pages and emails. A browser's `Accept-Language`
    /// alone changes nothing: the saved language may have been set on purpose.
    func adoptLanguage(of request: Request, for member: Member) async throws {
        guard let chosen = PageRenderer.chosenLanguage(in: request) ?? SessionCookies.rememberedLanguage(in: request),
              chosen.code != member.user.language.value, let tag = try? LanguageTag(chosen.code) else { return }
        try await members.setLanguage(user: member.user.id, to: tag, at: clock.now())
    }
}
