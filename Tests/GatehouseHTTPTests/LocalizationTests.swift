import Foundation
import GatehouseCore
import GatehouseHTTP
import GatehouseLocalization
import GatehouseStorage
import GatehouseTesting
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Pages and emails in the reader's language: `?lang=`, the language cookie, the signed-in
/// person's saved language and `Accept-Language`, in that order.
@Suite struct LocalizationTests {
    static let catalogs = try! Catalogs.bundled()
    static func text(_ code: String, _ key: String, _ values: [String: String] = [:]) -> String {
        catalogs.localizer(for: Language.matching(code)!).text(key, values)
    }

    /// What Mustache makes of a text in a page.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static func page(_ client: any TestClientProtocol, _ uri: String, cookie: String? = nil, acceptLanguage: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    @Test func acceptLanguage_isNegotiatedByQuality_andFallsBackByPrimaryLanguage() {
        #expect(Language.negotiate(acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.8")?.code == "fr")
        #expect(Language.negotiate(acceptLanguage: "zh-CN, de;q=0.5, ja;q=0.7")?.code == "ja")
        #expect(Language.negotiate(acceptLanguage: "pt-PT")?.code == "pt-BR")
        #expect(Language.negotiate(acceptLanguage: "es;q=0, zh") == nil)
        #expect(Language.matching("PT-br")?.code == "pt-BR")
        #expect(Language.matching("xx") == nil)
    }

    @Test(arguments: TestDatabases.kinds)
    func loginPage_followsAcceptLanguage_thenTheMenuChoice_whichACookieKeeps(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { _, client in
            let french = try await Self.page(client, "/login", acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.5")
            #expect(french.text.contains(#"<html lang="fr">"#))
            #expect(french.headers[.contentLanguage] == "fr")
            #expect(french.text.contains("<h1>\(Self.escaped(Self.text("fr", "login.title")))</h1>"))
            #expect(french.headers[.setCookie]?.contains("gatehouse_lang") != true)

            // The menu: every language, this page again with ?lang=, the current one marked.
            let menu = try await Self.page(client, "/login?tenant=acme&lang=ja", acceptLanguage: "fr")
            #expect(menu.text.contains(#"<html lang="ja">"#))
            for language in Language.all {
                #expect(menu.text.contains(#"href="/login?tenant=acme&amp;lang=\#(language.code)" hreflang="\#(language.code)""#))
            }
            #expect(menu.text.contains(#"hreflang="ja" lang="ja" aria-current="true""#))
            let cookie = try #require(menu.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_lang=ja") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))

            // The cookie outranks Accept-Language; ?lang outranks the cookie; a language we lack changes nothing.
            #expect(try await Self.page(client, "/login", cookie: "gatehouse_lang=ja", acceptLanguage: "de").text.contains(#"<html lang="ja">"#))
            #expect(try await Self.page(client, "/login?lang=es", cookie: "gatehouse_lang=ja").text.contains(#"<html lang="es">"#))
            let unknown = try await Self.page(client, "/login?lang=xx", acceptLanguage: "de")
            #expect(unknown.text.contains(#"<html lang="de">"#) && unknown.headers[.setCookie]?.contains("gatehouse_lang") != true)
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func pageErrors_areInThePagesLanguage(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            try await LoginTests.createUser(client, harness, "sam@acme.test")
            let page = try await Self.page(client, "/login?lang=de")
            let csrf = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_csrf=") })
            let token = String(csrf.split(separator: ";")[0].dropFirst("gatehouse_csrf=".count))
            let wrong = try await client.execute(uri: "/login", method: .post,
                                                 headers: [.contentType: "application/x-www-form-urlencoded",
                                                           .cookie: "gatehouse_csrf=\(token); gatehouse_lang=de"],
                                                 body: ByteBuffer(string: "csrf_token=\(token)&username=sam%40acme.test&password=wrong"))
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains(Self.escaped(Self.text("de", "error.invalid_credentials"))))
            // A page answering a form links its languages to the form's own page.
            #expect(wrong.text.contains(#"href="/login?lang=fr""#))
            let missing = try await Self.page(client, "/no-such-page?lang=pt-BR")
            #expect(missing.status == .notFound && missing.text.contains(Self.escaped(Self.text("pt-BR", "error_page.not_found"))))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func theLanguageChosenBeforeSignIn_isSavedToThePerson_andTheMenuChangesItAfter(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let id = try await LoginTests.createUser(client, harness, "sam@acme.test")
            let page = try await Self.page(client, "/login")
            let csrf = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_csrf=") })
            let token = String(csrf.split(separator: ";")[0].dropFirst("gatehouse_csrf=".count))
            let signedIn = try await client.execute(uri: "/login", method: .post,
                                                    headers: [.contentType: "application/x-www-form-urlencoded",
                                                              .cookie: "gatehouse_csrf=\(token); gatehouse_lang=es"],
                                                    body: ByteBuffer(string: "csrf_token=\(token)&username=sam%40acme.test&password=\(LoginTests.password)"))
            #expect(signedIn.status == .found)
            let session = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("gatehouse_session=") })
                .split(separator: ";")[0]
            func language() async throws -> String? {
                try await client.api(.get, "/api/v1/tenants/acme/users/\(id)", token: harness.adminToken).object["language"] as? String
            }
            #expect(try await language() == "es")

            // Signed in, the saved language outranks the browser's; the menu changes it for good.
            let account = try await Self.page(client, "/account", cookie: String(session), acceptLanguage: "fr")
            #expect(account.text.contains(#"<html lang="es">"#))
            let german = try await Self.page(client, "/account?lang=de", cookie: String(session))
            #expect(german.text.contains(#"<html lang="de">"#))
            #expect(try await language() == "de")
            let later = try await Self.page(client, "/account", cookie: String(session), acceptLanguage: "fr")
            #expect(later.text.contains(#"<html lang="de">"#) && later.text.contains(Self.escaped(Self.text("de", "role.agent"))))
        }
    }

    @Test(arguments: TestDatabases.kinds)
    func emails_areWrittenInTheRecipientsLanguage(_ kind: DatabaseKind) async throws {
        try await Harness.run(kind) { harness, client in
            let created = try await AccountFlowTests.createUser(client, harness, ["email": "jo@acme.test", "invite": true, "language": "ja"])
            #expect(created.status == .created, "\(created.text)")
            let outbox = try await client.api(.get, "/api/v1/tenants/acme/outbox", token: harness.adminToken)
            let message = try #require((outbox.object["messages"] as? [[String: Any]])?.first)
            let ja = Self.catalogs.localizer(for: Language.matching("ja")!)
            #expect(message["subject"] as? String == ja.text("mail.invitation.subject", ["tenant_name": "acme"]))
            let text = try #require(message["text"] as? String)
            #expect(text.contains(ja.text("mail.invitation.validity", ["valid_for": ja.duration(seconds: 86400)])))
            #expect((message["html"] as? String)?.contains(#"<html lang="ja">"#) == true)
        }
    }
}
