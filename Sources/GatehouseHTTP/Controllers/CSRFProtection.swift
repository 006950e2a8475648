import GatehouseCore
import Hummingbird

/// Double-submit CSRF protection for forms: a random value in a `SameSite=Strict`, HttpOnly
/// cookie that the form must echo in a hidden `csrf_token` field. A page on another site can
/// neither read the cookie nor make the browser send it with a cross-site POST.
struct CSRFProtection: Sendable {
    static let cookieName = "gatehouse_csrf"
    static let fieldName = "csrf_token"
    let secureCookies: Bool
    let random: any RandomSource

    /// The token to put in a form: the browser's existing one, or a new one with its cookie.
    func token(for request: Request) -> (value: String, cookie: Cookie?) {
        if let existing = request.cookies[Self.cookieName]?.value, Self.isWellFormed(existing) {
            return (existing, nil)
        }
        let value = Base64URL.encode(random.bytes(32))
        let cookie = Cookie(name: Self.cookieName, value: value, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
        return (value, cookie)
    }

    /// Whether the form's token matches the browser's cookie.
    func isValid(_ request: Request, formValue: String?) -> Bool {
        guard let cookie = request.cookies[Self.cookieName]?.value, Self.isWellFormed(cookie), let formValue else { return false }
        return ConstantTime.equals(cookie, formValue)
    }

    private static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 43 && Base64URL.decode(value)?.count == 32
    }
}
