import Foundation
import GatehouseCore
import GatehouseLocalization
import Hummingbird

/// The cookies Gatehouse sets: the session (HttpOnly, SameSite=Lax so links into the app keep
/// the user signed in, Secure over https) and the remembered username.
struct SessionCookies: Sendable {
    static let sessionName = "gatehouse_session"
    static let usernameName = "gatehouse_username"
    static let languageName = "gatehouse_lang"
    /// How long a remembered username is kept.
    static let rememberSeconds = 90 * 86400
    let secure: Bool

    /// How long a browser keeps a "keep me signed in" cookie: the longest idle time a tenant
    /// may set. The server ends the session earlier when it idles; the cookie is not renewed on
    /// activity, so this is also the longest a persistent session lasts in one browser.
    static let persistentSeconds = 7_776_000

    /// The cookie for a new session: a browser-session cookie, or a persistent one.
    func session(_ signedIn: SignedIn) -> Cookie {
        let maxAge = signedIn.session.persistent ? Self.persistentSeconds : nil
        return Cookie(name: Self.sessionName, value: signedIn.secret, maxAge: maxAge, path: "/", secure: secure,
                      httpOnly: true, sameSite: .lax)
    }

    func clearSession() -> Cookie {
        Cookie(name: Self.sessionName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    func rememberedUsername(_ username: String) -> Cookie {
        Cookie(name: Self.usernameName, value: Self.encode(username), maxAge: Self.rememberSeconds, path: "/login",
               secure: secure, httpOnly: true, sameSite: .lax)
    }

    func forgetUsername() -> Cookie {
        Cookie(name: Self.usernameName, value: "", maxAge: 0, path: "/login", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The language chosen from a page's menu, kept for the pages before sign-in (a year).
    func language(_ language: Language) -> Cookie {
        Cookie(name: Self.languageName, value: language.code, maxAge: 365 * 86400, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The language chosen earlier in this browser, if any.
    static func rememberedLanguage(in request: Request) -> Language? {
        request.cookies[languageName].flatMap { Language.matching($0.value) }
    }

    /// The username remembered in this browser, if any.
    static func rememberedUsername(in request: Request) -> String? {
        request.cookies[usernameName].flatMap { Base64URL.decode($0.value) }.flatMap { String(bytes: $0, encoding: .utf8) }
    }

    /// Cookie values may not hold every character an email or a non-Latin name has.
    private static func encode(_ text: String) -> String { Base64URL.encode(Array(text.utf8)) }

    /// The digest of the session secret this request carries, if any.
    static func presentedDigest(in request: Request) -> String? {
        guard let value = request.cookies[sessionName]?.value, !value.isEmpty, value.utf8.count <= 100 else { return nil }
        return SecretToken(presented: value).digest
    }
}
