import Foundation
import GatehouseCore
import GatehouseLocalization
import HTTPTypes
import Hummingbird
import Mustache

/// Renders the server's HTML pages from the Mustache templates in `Resources/templates`, in the
/// reader's language. Mustache escapes every `{{value}}`, so user input never becomes markup.
///
/// Every page gets `t` (the catalog: `{{t.login.title}}`) and `page` (its language and the
/// language menu the footer shows).
public struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let catalogs: Catalogs
    let cookies: SessionCookies

    /// Loads every template once at start-up.
    static func load(catalogs: Catalogs, cookies: SessionCookies) async throws -> PageRenderer {
        let directory = Bundle.module.bundleURL.appendingPathComponent("Resources/templates").path
        return PageRenderer(library: try await MustacheLibrary(directory: directory), catalogs: catalogs, cookies: cookies)
    }

    /// The language of a page: a `?lang=` choice, else the signed-in person's saved language,
    /// else the choice remembered in this browser, else `Accept-Language`, else English.
    static func language(of request: Request, user: User? = nil) -> Language {
        if let chosen = chosenLanguage(in: request) { return chosen }
        if let user, let saved = Language.matching(user.language.value) { return saved }
        if let remembered = SessionCookies.rememberedLanguage(in: request) { return remembered }
        if let header = request.headers[.acceptLanguage], let negotiated = Language.negotiate(acceptLanguage: header) { return negotiated }
        return .english
    }

    /// The language a `?lang=` parameter names, if it names one Gatehouse speaks.
    static func chosenLanguage(in request: Request) -> Language? {
        request.uri.queryParameters["lang"].flatMap { Language.matching(String($0)) }
    }

    /// The texts and formats of the page this request gets.
    func localizer(for request: Request, user: User? = nil) -> Localizer {
        catalogs.localizer(for: Self.language(of: request, user: user))
    }

    /// A full HTML page. `user` is the signed-in person, whose saved language then counts.
    func render(_ template: String, _ values: [String: Any], request: Request, user: User? = nil,
                status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let localizer = localizer(for: request, user: user)
        var values = values
        values["t"] = CatalogNode(localizer, values: values)
        values["page"] = ["lang": localizer.language.code, "languages": Self.menu(for: request, current: localizer.language)]
        guard let html = library.render(values, withTemplate: template) else {
            throw PageRendererError(description: "no template named \(template)")
        }
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.contentLanguage] = localizer.language.code
        if let chosen = Self.chosenLanguage(in: request) { fields.append(HTTPField(name: .setCookie, value: cookies.language(chosen).description)) }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page with a form: `csrfToken` for its hidden field, and the CSRF cookie when the
    /// browser has none yet.
    func renderForm(_ template: String, _ values: [String: Any], csrf: CSRFProtection, request: Request, user: User? = nil,
                    status: HTTPResponse.Status = .ok) throws -> Response {
        let (token, cookie) = csrf.token(for: request)
        var values = values
        values["csrfToken"] = token
        var headers: HTTPFields = [:]
        if let cookie { headers[.setCookie] = cookie.description }
        return try render(template, values, request: request, user: user, status: status, headers: headers)
    }

    /// A page with a title and one message (errors, spent links), both catalog keys.
    func message(_ request: Request, status: HTTPResponse.Status, title: String, message: String, values: [String: String] = [:],
                 loginLink: Bool = false, user: User? = nil) throws -> Response {
        let text = localizer(for: request, user: user)
        return try render("message", ["title": text.text(title, values), "message": text.text(message, values), "loginLink": loginLink],
                          request: request, user: user, status: status)
    }

    /// The language menu: this page again in each language. A page answering a form has no
    /// address of its own to reload, so its links lead to the page the form belongs to.
    static func menu(for request: Request, current: Language) -> [[String: Any]] {
        var components = URLComponents()
        if request.method == .get || request.method == .head {
            components.path = request.uri.path
            let kept = (URLComponents(string: request.uri.description)?.queryItems ?? []).filter { $0.name != "lang" }
            components.queryItems = kept
        } else {
            components.path = formPage(for: request.uri.path)
            components.queryItems = []
        }
        return Language.all.map { language in
            var link = components
            link.queryItems = (link.queryItems ?? []) + [URLQueryItem(name: "lang", value: language.code)]
            return ["code": language.code, "name": language.name, "href": link.string ?? "/login?lang=\(language.code)",
                    "current": language == current]
        }
    }

    /// The page a form posted from `path` belongs to.
    static func formPage(for path: String) -> String {
        if path.hasPrefix("/invitations/") || path.hasPrefix("/password/reset/") || path == "/login" || path == "/password/forgot"
            || path == "/setup" {
            return path
        }
        if path.hasPrefix("/account/") { return "/account/security" }
        if path.hasPrefix("/password/") { return "/password/forgot" }
        return "/login"
    }
}

struct PageRendererError: Error, CustomStringConvertible {
    let description: String
}
