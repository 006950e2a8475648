import GatehouseCore
import Hummingbird

/// What a browser gets once a sign-in on a page has succeeded, whichever step finished it
/// (password, new password, code, invitation): the session cookie, the language chosen
/// before sign-in saved to the person, and a redirect to the page asked for or their landing page.
struct SignInLanding: Sendable {
    let cookies: SessionCookies
    let members: any MemberRepository
    let clock: any WallClock

    func response(for signedIn: SignedIn, request: Request, returnTo: String?) async throws -> Response {
        try await adoptLanguage(of: request, for: signedIn.member)
        var response = Response.redirect(to: try await target(for: signedIn, returnTo: returnTo), type: .found)
        response.setCookie(cookies.session(signedIn))
        return response
    }

    /// The page asked for, else where this person lands.
    func target(for signedIn: SignedIn, returnTo: String?) async throws -> String {
        ReturnPath.validated(returnTo) ?? ReturnPath.fallback
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
